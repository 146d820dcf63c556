"""Correcting the person's and the guardians' contact details from the case page: checked as the intake checks
them, refused whole, written in the audit log (which fields, never their values) and on the case's timeline."""

import pytest
from django.urls import reverse

from portal.models import AuditEvent, Role
from referrals.models import Guardian, Person
from tests.factories import ReferralFactory, StaffMembershipFactory


@pytest.fixture
def case(service, counsellor):
    referral = ReferralFactory(service=service, assigned_counsellor=counsellor, person__phone="", person__email="")
    mother = Guardian.objects.create(referral=referral, name="Kari Nordmann", relation="mor", phone="+4791234568")
    return referral, mother


def _url(service, referral):
    return reverse("referrals:contact_details", args=[service.slug, referral.pk])


def _post(client, service, referral, guardian, **fields):
    data = {
        "phone": "",
        "email": "",
        "street_address": "",
        "postal_code": "",
        "postal_town": "",
        "preferred_language": "nb",
        f"guardian-{guardian.pk}-phone": guardian.phone,
        f"guardian-{guardian.pk}-email": guardian.email,
        f"guardian-{guardian.pk}-street_address": "",
        f"guardian-{guardian.pk}-postal_code": "",
        f"guardian-{guardian.pk}-postal_town": "",
    }
    data.update(fields)
    return client.post(_url(service, referral), data)


def test_a_missing_address_is_added_from_the_case_page(client, service, counsellor, case):
    referral, mother = case
    client.force_login(counsellor)
    assert (
        'data-testid="edit-contact-details"'
        in client.get(reverse("referrals:detail", args=[service.slug, referral.pk])).content.decode()
    )
    response = _post(
        client,
        service,
        referral,
        mother,
        phone="912 34 567",
        street_address="Storgata 5",
        postal_code="0155",
        postal_town="Oslo",
        **{f"guardian-{mother.pk}-email": "kari@example.org"},
    )
    assert response.status_code == 302
    person = Person.objects.get(pk=referral.person_id)
    assert (person.phone, person.postal_address) == ("+4791234567", "Storgata 5, 0155 Oslo")
    mother.refresh_from_db()
    assert mother.email == "kari@example.org"
    person_event = AuditEvent.objects.get(action="person.contact_changed")
    assert person_event.extra["fields"] == ["phone", "street_address", "postal_code", "postal_town"]
    assert "Storgata" not in str(person_event.extra)  # which fields, never their values
    assert AuditEvent.objects.get(action="guardian.contact_changed").extra == {
        "guardian": mother.pk,
        "fields": ["email"],
    }
    assert [e.kind for e in referral.events.order_by("pk")][-2:] == [
        "person.contact_changed",
        "guardian.contact_changed",
    ]


def test_a_bad_value_is_refused_beside_its_field_and_nothing_is_saved(client, service, counsellor, case):
    referral, mother = case
    client.force_login(counsellor)
    client.cookies["portal_language"] = "en"
    response = _post(
        client,
        service,
        referral,
        mother,
        street_address="Storgata 5",
        postal_code="155",
        **{f"guardian-{mother.pk}-phone": "12"},
    )
    assert response.status_code == 200
    assert response.context["person_form"].errors["postal_code"]
    (_guardian, guardian_form) = response.context["guardian_forms"][0]
    assert guardian_form.errors["phone"]
    assert Person.objects.get(pk=referral.person_id).street_address == ""
    assert not AuditEvent.objects.filter(action__endswith="contact_changed").exists()


def test_the_fee_officer_may_not_correct_contact_details(client, service, case):
    referral, _mother = case
    officer = StaffMembershipFactory(service=service, role=Role.FEE_OFFICER).user
    client.force_login(officer)
    assert client.get(_url(service, referral)).status_code == 403


def test_the_service_refuses_the_whole_correction_when_one_guardians_details_are_wrong(counsellor, case):
    from django.core.exceptions import ValidationError

    from referrals.services import ContactDetails, case_contact_details_update

    referral, mother = case
    with pytest.raises(ValidationError) as refused:
        case_contact_details_update(
            actor=counsellor,
            referral=referral,
            person=ContactDetails(street_address="Storgata 5", postal_code="0155", postal_town="Oslo"),
            guardians={mother.pk: ContactDetails(phone=mother.phone, postal_code="12")},
        )
    assert f"guardian-{mother.pk}-postal_code" in refused.value.message_dict
    assert Person.objects.get(pk=referral.person_id).street_address == ""
    assert not AuditEvent.objects.filter(action__endswith="contact_changed").exists()
