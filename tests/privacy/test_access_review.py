"""Access review: the lead sees who can reach the service and its cases, and takes access away."""

import pytest
from django.urls import reverse
from guardian.shortcuts import assign_perm, get_perms

from portal.models import AuditEvent, Role
from privacy.access_review import SERVICE_PERMISSION_LABELS
from referrals.models import Referral
from referrals.services import referral_assign
from tests.factories import ReferralFactory, StaffMembershipFactory


def review(client, service):
    return client.get(reverse("privacy:access_review", args=[service.slug]))


def test_the_lead_sees_each_staff_member_with_role_and_object_permissions(client, service, lead, counsellor):
    referral = ReferralFactory(service=service)
    referral_assign(actor=lead, referral=referral, counsellor=counsellor)
    client.force_login(lead)
    rows = {row.user: row for row in review(client, service).context["rows"]}
    assert rows[counsellor].membership.role == Role.COUNSELLOR
    assert rows[counsellor].service_permissions == [str(SERVICE_PERMISSION_LABELS["view_counsellingservice"])]
    assert rows[counsellor].cases == [referral]
    assert str(SERVICE_PERMISSION_LABELS["lead_counsellingservice"]) in rows[lead].service_permissions


def test_ending_a_membership_removes_the_access_at_once(client, service, lead, counsellor):
    counsellor_client = type(client)()
    counsellor_client.force_login(counsellor)
    dashboard = reverse("scheduling:dashboard", args=[service.slug])
    assert counsellor_client.get(dashboard).status_code == 200

    client.force_login(lead)
    membership = counsellor.memberships.get(service=service, is_active=True)
    response = client.post(reverse("privacy:membership_end", args=[service.slug, membership.pk]))
    assert response.status_code == 302
    assert counsellor_client.get(dashboard).status_code == 404
    assert get_perms(counsellor, service) == []
    assert AuditEvent.objects.filter(action="membership.deactivated", actor=lead).count() == 1


def test_a_lead_cannot_end_their_own_membership_here(client, service, lead):
    client.force_login(lead)
    membership = lead.memberships.get(service=service, is_active=True)
    client.post(reverse("privacy:membership_end", args=[service.slug, membership.pk]))
    membership.refresh_from_db()
    assert membership.is_active


def test_removing_a_case_permission_is_audit_logged(client, service, lead, counsellor):
    referral = ReferralFactory(service=service)
    referral_assign(actor=lead, referral=referral, counsellor=counsellor)
    client.force_login(lead)
    client.post(reverse("privacy:case_permission_remove", args=[service.slug, referral.pk, counsellor.pk]))
    assert get_perms(counsellor, referral) == []
    event = AuditEvent.objects.get(action="referral.permission_removed")
    assert (event.actor, event.person_id, event.extra["user"]) == (lead, referral.person_id, "counsellor")


def test_left_over_permissions_of_a_former_member_are_listed_and_removed(client, service, lead):
    former = StaffMembershipFactory(service=service, role=Role.COUNSELLOR)
    referral = ReferralFactory(service=service)
    former.is_active = False
    former.save()  # ended behind the services' back: the permissions linger
    assign_perm("referrals.work_on_referral", former.user, referral)
    client.force_login(lead)
    rows = {row.user: row for row in review(client, service).context["rows"]}
    assert rows[former.user].membership is None
    assert rows[former.user].cases == [referral]
    client.post(reverse("privacy:service_permissions_remove", args=[service.slug, former.user.pk]))
    assert get_perms(former.user, service) == []


def test_a_case_of_another_service_cannot_be_touched(client, service, other_service, lead, stranger):
    elsewhere = ReferralFactory(service=other_service)
    client.force_login(lead)
    response = client.post(reverse("privacy:case_permission_remove", args=[service.slug, elsewhere.pk, stranger.pk]))
    assert response.status_code == 404


@pytest.mark.parametrize("lift", [False, True])
def test_the_lead_places_and_lifts_a_legal_hold(client, service, lead, lift):
    referral = ReferralFactory(service=service)
    client.force_login(lead)
    url = reverse("privacy:legal_holds", args=[service.slug])
    client.post(url, {"police_reference": referral.police_reference, "reason": "Klage til Statsforvalteren"})
    referral.refresh_from_db()
    assert (referral.legal_hold, referral.legal_hold_by, referral.legal_hold_reason) == (
        True,
        lead,
        "Klage til Statsforvalteren",
    )
    assert referral in client.get(url).context["held"]
    if lift:
        client.post(reverse("privacy:legal_hold_lift", args=[service.slug, referral.pk]))
        assert not Referral.objects.get(pk=referral.pk).legal_hold
    assert AuditEvent.objects.filter(action__startswith="referral.legal_hold").count() == 1 + lift


def test_a_legal_hold_needs_a_reason(client, service, lead):
    referral = ReferralFactory(service=service)
    client.force_login(lead)
    response = client.post(
        reverse("privacy:legal_holds", args=[service.slug]), {"police_reference": referral.police_reference}
    )
    assert response.status_code == 200
    assert response.context["form"].errors["reason"]
    assert not Referral.objects.get(pk=referral.pk).legal_hold


def test_an_administrator_places_and_lifts_a_legal_hold_in_the_admin(client, service):
    from tests.factories import UserFactory

    administrator = UserFactory(username="root", is_staff=True, is_superuser=True)
    referral = ReferralFactory(service=service)
    client.force_login(administrator)
    url = reverse("admin:referrals_referral_changelist")
    asked = client.post(url, {"action": "legal_hold_place", "_selected_action": [referral.pk]})
    assert asked.status_code == 200
    assert "reason" in asked.context["form"].fields
    client.post(url, {"action": "legal_hold_place", "_selected_action": [referral.pk], "reason": "Rettssak"})
    referral.refresh_from_db()
    assert (referral.legal_hold, referral.legal_hold_reason, referral.legal_hold_by) == (
        True,
        "Rettssak",
        administrator,
    )
    client.post(url, {"action": "legal_hold_lift", "_selected_action": [referral.pk]})
    assert not Referral.objects.get(pk=referral.pk).legal_hold


def test_removing_a_case_permission_takes_the_case_away(client, service, lead, counsellor):
    referral = ReferralFactory(service=service)
    referral_assign(actor=lead, referral=referral, counsellor=counsellor)
    client.force_login(lead)
    client.post(reverse("privacy:case_permission_remove", args=[service.slug, referral.pk, counsellor.pk]))
    referral.refresh_from_db()
    assert referral.assigned_counsellor is None
    client.force_login(counsellor)
    response = client.get(reverse("referrals:detail", args=[service.slug, referral.pk]))
    assert response.status_code == 302  # now only with a stated reason (break-the-glass)
