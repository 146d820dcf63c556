"""The Django admin: every model registered, staff see their own service, the audit log is read-only."""

import datetime

import pytest
from django.apps import apps
from django.contrib import admin
from django.core.management import call_command
from django.urls import reverse

from portal.models import AuditEvent, CounsellingService, Municipality, Role, StaffMembership
from referrals.models import Person, Referral
from tests.factories import (
    DrugTestFactory,
    ReferralFactory,
    SampleTypeFactory,
    StaffMembershipFactory,
    TestingProgrammeFactory,
    UserFactory,
)

PROJECT_APPS = {"portal", "referrals", "scheduling", "attendance", "fees"}


def test_every_project_model_is_in_the_admin():
    """Registered on its own, or edited inline on its parent's page."""
    inlined = {inline.model for model_admin in admin.site._registry.values() for inline in model_admin.inlines}
    models = [m for m in apps.get_models() if m._meta.app_label in PROJECT_APPS]
    missing = [m._meta.label for m in models if not admin.site.is_registered(m) and m not in inlined]
    assert missing == []


@pytest.fixture
def staff_lead(service):
    """A service lead who may also use the admin."""
    user = StaffMembershipFactory(service=service, role=Role.SERVICE_LEAD, user__is_staff=True).user
    return user


def test_admin_shows_a_lead_only_their_own_services_memberships(client, staff_lead, colleague, stranger):
    client.force_login(staff_lead)
    response = client.get(reverse("admin:portal_staffmembership_changelist"))
    assert response.status_code == 200
    shown = {m.user.username for m in response.context["cl"].queryset}
    assert shown == {staff_lead.username, "colleague"}


def test_admin_hides_another_services_membership_by_id(client, staff_lead, stranger):
    client.force_login(staff_lead)
    membership = StaffMembership.objects.get(user=stranger)
    url = reverse("admin:portal_staffmembership_change", args=[membership.pk])
    assert client.get(url).status_code == 302  # the admin redirects "does not exist" to its index
    assert client.get(url, follow=True).redirect_chain[-1][0] == reverse("admin:index")


def test_superuser_sees_every_service(client, service, other_service):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    response = client.get(reverse("admin:portal_counsellingservice_changelist"))
    assert set(response.context["cl"].queryset) == {service, other_service}


def test_admin_grants_a_role_through_the_service(client, service):
    admin_user = UserFactory(username="root", is_staff=True, is_superuser=True)
    user = UserFactory()
    client.force_login(admin_user)
    response = client.post(
        reverse("admin:portal_staffmembership_add"),
        {"user": user.pk, "service": service.pk, "role": Role.COUNSELLOR},
    )
    assert response.status_code == 302
    assert list(user.groups.values_list("name", flat=True)) == ["counsellor"]
    assert AuditEvent.objects.filter(action="membership.granted", actor=admin_user).exists()


def test_admin_refuses_a_second_active_role_with_a_message(client, counsellor, service):
    client.force_login(UserFactory(username="root", is_staff=True, is_superuser=True))
    response = client.post(
        reverse("admin:portal_staffmembership_add"),
        {"user": counsellor.pk, "service": service.pk, "role": Role.SERVICE_LEAD},
    )
    assert response.status_code == 200
    assert response.context["adminform"].form.errors
    assert StaffMembership.objects.filter(user=counsellor).count() == 1


def test_audit_log_in_the_admin_cannot_be_changed_or_deleted(client, counsellor):
    client.force_login(UserFactory(username="root", is_staff=True, is_superuser=True))
    event = AuditEvent.objects.first()
    assert client.get(reverse("admin:portal_auditevent_changelist")).status_code == 200
    assert client.get(reverse("admin:portal_auditevent_add")).status_code == 403
    assert client.post(reverse("admin:portal_auditevent_delete", args=[event.pk])).status_code == 403


def test_seed_demo_is_idempotent(thresholds_2021, court_fee_rates):
    call_command("seed_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    counts = (Municipality.objects.count(), CounsellingService.objects.count(), StaffMembership.objects.count())
    call_command("seed_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert counts == (2, 2, 6)
    assert (Municipality.objects.count(), CounsellingService.objects.count(), StaffMembership.objects.count()) == counts
    assert StaffMembership.objects.filter(role=Role.SERVICE_LEAD, is_active=True).count() == 2
    assert Referral.objects.count() == 10
    # The person with a case in each service: a record in each, with the details each service entered.
    kari = Person.objects.filter(first_name="Kari", last_name="Delt").order_by("service__slug")
    assert [(p.service.slug, p.street_address) for p in kari] == [("bergen", "Bergensgaten 2"), ("oslo", "Osloveien 1")]
    assert len({p.national_id for p in kari}) == 1
    # Yesterday's demo meetings: a no-show that became a fee case, an attendance reported to the police.
    from counselling.attendance.models import PoliceReport
    from fees.models import FeeCase

    assert (FeeCase.objects.count(), PoliceReport.objects.count()) == (1, 1)
    # Kari Delt's two cases are condition cases whose seizure the service does not know: not classified.
    assert set(Referral.objects.values_list("classification", flat=True)) == {"exempt", "waiver", "not_eligible", ""}


def test_the_admin_has_the_portals_language_switcher_and_it_switches_the_admin_to_english(client, db):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    index = reverse("admin:index")
    page = client.get(index).content.decode()
    assert 'lang="nb"' in page
    assert 'id="language-switcher"' in page
    assert f'<input name="next" type="hidden" value="{index}">' in page
    assert 'value="en"' in page and "English" in page

    response = client.post(reverse("set_language"), {"language": "en", "next": index})

    assert response.status_code == 302
    assert response.url == index
    assert response.cookies["portal_language"].value == "en"
    page = client.get(index).content.decode()
    assert 'lang="en"' in page
    assert "Site administration" in page
    assert '<button type="submit" name="language" value="en"' in page


@pytest.mark.parametrize(
    "url", ["admin:login", "admin:portal_counsellingservice_changelist", "admin:scheduling_lettertemplate_add"]
)
def test_every_admin_page_has_the_language_switcher(client, db, url):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    if url == "admin:login":
        client.logout()
    response = client.get(reverse(url))
    assert response.status_code == 200
    page = response.content.decode()
    assert 'id="language-switcher"' in page
    assert "portal/admin.css" in page
    assert "<script>" not in page  # the content security policy allows no inline script


@pytest.mark.parametrize("page", ["referrals_person_change", "referrals_referral_change"])
def test_an_administrator_opening_a_persons_record_in_the_admin_is_in_the_persons_access_log(client, service, page):
    from privacy.access_log import access_log_about

    referral = ReferralFactory(service=service)
    administrator = UserFactory(is_staff=True, is_superuser=True)
    client.force_login(administrator)
    obj = referral.person if page == "referrals_person_change" else referral
    assert client.get(reverse(f"admin:{page}", args=[obj.pk])).status_code == 200
    event = AuditEvent.objects.get(kind=AuditEvent.Kind.READ, actor=administrator)
    assert (event.service, event.person_id) == (service, referral.person_id)
    assert [row["staff"] for row in access_log_about(service, referral.person)] == [administrator.get_full_name()]


def _taken_sample(service, collector):
    """A call-in of yesterday whose sample was taken, its SMS and the result the police shared."""
    from django.utils import timezone

    from counselling.attendance.models import CallInMessage, LabResultShared

    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    test = DrugTestFactory(
        programme__referral__service=service,
        programme__starts_on=yesterday,
        day=yesterday,
        status="recorded",
        outcome="taken",
        sample_number="LAB-77",
        collector=collector,
        recorded_by=collector,
    )
    CallInMessage.objects.create(
        test=test, purpose="call_in", channel="sms", address="+4791234567", due_at=test.starts_at, state="sent"
    )
    LabResultShared.objects.create(test=test, result="Positiv for THC", shared_on=yesterday, recorded_by=collector)
    return test


def test_the_drug_testing_admin_shows_the_services_own_rows_read_only_and_never_the_result_or_the_address(
    client, staff_lead, service, other_service, counsellor, stranger
):
    from django.contrib.auth.models import Permission

    mine, theirs = _taken_sample(service, counsellor), _taken_sample(other_service, stranger)
    # Every permission the admin knows of: the pages still change nothing, as every change goes through the services.
    staff_lead.user_permissions.add(*Permission.objects.filter(content_type__app_label="attendance"))
    client.force_login(staff_lead)
    for name, own, other in [
        ("testingprogramme", mine.programme, theirs.programme),
        ("drugtest", mine, theirs),
        ("callinmessage", mine.messages.get(), theirs.messages.get()),
        ("labresultshared", mine.lab_result, theirs.lab_result),
    ]:
        listing = client.get(reverse(f"admin:attendance_{name}_changelist"))
        assert listing.status_code == 200, name
        assert list(listing.context["cl"].queryset) == [own], name
        page = client.get(reverse(f"admin:attendance_{name}_change", args=[own.pk]))
        assert page.status_code == 200, name
        for response in (listing, page):
            text = response.content.decode()
            assert "Positiv for THC" not in text and "91234567" not in text, name
        assert client.get(reverse(f"admin:attendance_{name}_change", args=[other.pk])).status_code == 302, name
        assert client.get(reverse(f"admin:attendance_{name}_add")).status_code == 403, name
        assert client.get(reverse(f"admin:attendance_{name}_delete", args=[own.pk])).status_code == 403, name


def test_an_administrator_adds_a_sample_type_and_cannot_delete_one_a_programme_uses(client, db):
    from counselling.attendance.models import SampleType

    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    response = client.post(reverse("admin:attendance_sampletype_add"), {"name": "Hår", "is_active": "on"})
    assert response.status_code == 302
    hair = SampleType.objects.get(name="Hår")
    assert client.get(reverse("admin:attendance_sampletype_delete", args=[hair.pk])).status_code == 200
    used = TestingProgrammeFactory(sample_type=SampleTypeFactory(name="Urin")).sample_type
    assert client.get(reverse("admin:attendance_sampletype_delete", args=[used.pk])).status_code == 403
    assert client.get(reverse("admin:attendance_sampletype_changelist")).status_code == 200
