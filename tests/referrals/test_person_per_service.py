"""Each service is the controller of its own person records: the same national ID in two services is two records,
each found, seen and changed only by its own service."""

import datetime

import pytest
from django.db import IntegrityError, connection, transaction
from django.urls import reverse

from portal.audit import audit_read
from portal.models import AuditEvent, Role
from privacy.access_log import access_log_about
from referrals.identity import example_national_id
from referrals.models import Person, Referral
from referrals.services import PersonDetails, ReferralDetails, referral_register
from tests.factories import PersonFactory, ReferralFactory, StaffMembershipFactory

pytestmark = pytest.mark.usefixtures("thresholds_2021")

NATIONAL_ID = example_national_id(datetime.date(1990, 5, 17), 500)


def register(service, actor, reference, **contact):
    return referral_register(
        actor=actor,
        service=service,
        person_details=PersonDetails(national_id=NATIONAL_ID, first_name="Kari", last_name="Delt", **contact),
        details=ReferralDetails(
            route="condition",
            police_district="oslo",
            police_reference=reference,
            incident_date=datetime.date(2026, 9, 1),
            decision_date=datetime.date(2026, 9, 10),
            attendance_deadline=datetime.date(2026, 12, 10),
            seizure_unknown=True,
        ),
    )


@pytest.fixture
def other_counsellor(other_service):
    return StaffMembershipFactory(service=other_service, role=Role.COUNSELLOR, user__username="bergen").user


def test_the_same_national_id_in_two_services_is_two_records_with_their_own_contact_details(
    service, other_service, counsellor, other_counsellor
):
    oslo = register(service, counsellor, "2026-1", phone="91111111", street_address="Osloveien 1")
    bergen = register(other_service, other_counsellor, "2026-2", phone="92222222", street_address="Bergensgaten 2")
    assert oslo.person_id != bergen.person_id
    assert (oslo.person.service, bergen.person.service) == (service, other_service)
    oslo.person.refresh_from_db()
    assert (oslo.person.phone, oslo.person.street_address) == ("+4791111111", "Osloveien 1")
    assert (bergen.person.phone, bergen.person.street_address) == ("+4792222222", "Bergensgaten 2")


def test_a_new_referral_in_the_same_service_finds_the_services_own_record_again(
    service, other_service, counsellor, other_counsellor
):
    first = register(service, counsellor, "2026-1", email="kari@oslo.example")
    register(other_service, other_counsellor, "2026-2", email="kari@bergen.example")
    second = register(service, counsellor, "2026-3")
    assert second.person_id == first.person_id
    second.person.refresh_from_db()
    assert second.person.email == "kari@oslo.example"
    assert Person.objects.filter(national_id=NATIONAL_ID).count() == 2


def test_the_intake_lookup_answers_only_with_the_services_own_record(
    client, service, other_service, counsellor, other_counsellor, stranger
):
    register(service, counsellor, "2026-1", street_address="Osloveien 1")
    client.force_login(stranger)  # the lead in the other service
    url = reverse("referrals:person_lookup", kwargs={"service_slug": other_service.slug})
    assert client.post(url, {"national_id": NATIONAL_ID}).json()["person"] is None
    register(other_service, other_counsellor, "2026-2", street_address="Bergensgaten 2")
    answer = client.post(url, {"national_id": NATIONAL_ID}).json()
    assert answer["person"]["street_address"] == "Bergensgaten 2"
    assert ["2026-2" in earlier["reference"] for earlier in answer["earlier"]] == [True]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the trigger is PostgreSQL's")
def test_the_database_refuses_a_referral_on_another_services_record(service, other_service):
    elsewhere = PersonFactory(service=other_service)
    with pytest.raises(IntegrityError, match="must belong to the referral's service"), transaction.atomic():
        ReferralFactory(service=service, person=elsewhere)
    referral = ReferralFactory(service=service)
    with pytest.raises(IntegrityError, match="must belong to the referral's service"), transaction.atomic():
        Referral.objects.filter(pk=referral.pk).update(person=elsewhere)
    with pytest.raises(IntegrityError, match="stays in the service"), transaction.atomic():
        Person.objects.filter(pk=referral.person_id).update(service=other_service)


def test_a_copy_made_from_the_shared_record_keeps_the_services_earlier_access_log(service, other_service, lead):
    """Events from before records were per service carry the shared record's id; the service's copy still finds
    its own, and never another service's."""
    shared = PersonFactory(service=other_service)
    copy = PersonFactory(service=service, national_id=shared.national_id, shared_record_id=shared.pk)
    referral = ReferralFactory(service=service, person=copy)
    audit_read(actor=lead, action="referral.viewed", obj=referral, person_id=shared.pk)
    audit_read(actor=lead, action="referral.viewed", obj=referral, person_id=copy.pk)
    other_lead = StaffMembershipFactory(service=other_service, role=Role.SERVICE_LEAD).user
    AuditEvent.objects.create(
        actor=other_lead,
        actor_label=other_lead.username,
        kind=AuditEvent.Kind.READ,
        action="referral.viewed",
        service=other_service,
        person_id=shared.pk,
    )
    log = access_log_about(service, copy)
    assert [row["service"] for row in log] == [service.name, service.name]
    assert [row["service"] for row in access_log_about(other_service, shared)] == [other_service.name]
