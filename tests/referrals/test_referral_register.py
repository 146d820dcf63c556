"""Registering and assigning referrals: the rules that refuse bad input, and what is kept."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from guardian.shortcuts import get_perms

from portal.models import AuditEvent, Role
from referrals.identity import example_national_id
from referrals.models import Person, Referral
from referrals.services import GuardianDetails, PersonDetails, ReferralDetails, referral_assign, referral_register
from referrals.thresholds import classification_reasons
from tests.factories import ReferralFactory, StaffMembershipFactory

pytestmark = pytest.mark.usefixtures("thresholds_2021")

ADULT_ID = example_national_id(datetime.date(1990, 4, 12), 123)
MINOR_ID = example_national_id(datetime.date(2010, 3, 3), 512)  # 16 at the incident


def person(national_id=ADULT_ID, **kwargs):
    return PersonDetails(national_id=national_id, first_name="Ola", last_name="Nordmann", **kwargs)


def details(**kwargs):
    values = {
        "route": "order",
        "police_district": "oslo",
        "police_reference": "2026-000123",
        "incident_date": datetime.date(2026, 9, 1),
        "decision_date": datetime.date(2026, 9, 10),
        "attendance_deadline": datetime.date(2026, 12, 10),
        "seized": [("cannabis", "4", "g")],
    }
    values.update(kwargs)
    return ReferralDetails(**values)


def register(service, actor, person_details=None, **kwargs):
    return referral_register(
        actor=actor, service=service, person_details=person_details or person(), details=details(**kwargs)
    )


def errors_of(excinfo) -> dict:
    return excinfo.value.message_dict


def test_an_order_with_an_exempt_seizure_is_registered_with_its_timeline(service, counsellor):
    referral = register(service, counsellor)
    assert referral.classification == "exempt"
    assert referral.regulation.valid_from == datetime.date(2021, 1, 1)
    assert referral.person.date_of_birth == datetime.date(1990, 4, 12)
    assert [e.kind for e in referral.events.all()] == ["referral.registered"]
    assert AuditEvent.objects.filter(action="referral.registered", person_id=referral.person_id).count() == 1


def test_a_known_national_id_reuses_the_person(service, counsellor):
    first = register(service, counsellor)
    second = register(service, counsellor, police_reference="2026-000999")
    assert first.person == second.person
    assert Person.objects.count() == 1


@pytest.mark.parametrize("bad", ["12345678901", "1234", "abcdefghijk", ""])
def test_an_invalid_national_id_is_refused_and_nothing_saved(service, counsellor, bad):
    with pytest.raises(ValidationError) as excinfo:
        register(service, counsellor, person_details=person(national_id=bad))
    assert "national_id" in errors_of(excinfo)
    assert not Referral.objects.exists()
    assert not Person.objects.exists()


def test_a_d_number_is_accepted_and_gives_the_birth_date(service, counsellor):
    d_number = example_national_id(datetime.date(1990, 4, 12), d_number=True)
    referral = register(service, counsellor, person_details=person(national_id=d_number))
    assert referral.person.date_of_birth == datetime.date(1990, 4, 12)


def test_a_minor_without_guardians_is_refused(service, counsellor):
    with pytest.raises(ValidationError) as excinfo:
        register(service, counsellor, person_details=person(national_id=MINOR_ID))
    assert "guardians" in errors_of(excinfo)
    assert not Referral.objects.exists()


def test_a_minor_with_two_guardians_is_registered(service, counsellor):
    guardians = [
        GuardianDetails(name="Kari Nordmann", relation="mor"),
        GuardianDetails(name="Per Nordmann", relation="far"),
    ]
    referral = register(service, counsellor, person_details=person(national_id=MINOR_ID), guardians=guardians)
    assert referral.was_minor_at_incident
    assert [g.name for g in referral.guardians.all()] == ["Kari Nordmann", "Per Nordmann"]


def test_a_duplicate_police_reference_in_the_same_district_is_refused(service, counsellor):
    register(service, counsellor)
    with pytest.raises(ValidationError) as excinfo:
        register(
            service, counsellor, person_details=person(national_id=example_national_id(datetime.date(1985, 1, 1), 42))
        )
    assert "police_reference" in errors_of(excinfo)
    assert Referral.objects.count() == 1


def test_the_same_police_reference_in_another_district_is_fine(service, counsellor):
    register(service, counsellor)
    register(service, counsellor, police_district="vest")
    assert Referral.objects.count() == 2


@pytest.mark.parametrize("seized", [[("cannabis", "12", "g")], [("cannabis", "20", "g")]])
def test_an_order_whose_seizure_is_not_exempt_is_refused_with_the_reason(service, counsellor, seized):
    with pytest.raises(ValidationError) as excinfo:
        register(service, counsellor, seized=seized)
    assert "Cannabis" in " ".join(errors_of(excinfo)["seized"])
    assert not Referral.objects.exists()
    assert not Person.objects.exists()


def test_an_order_needs_the_seizure(service, counsellor):
    with pytest.raises(ValidationError) as excinfo:
        register(service, counsellor, seized=[], seizure_unknown=True)
    assert "seized" in errors_of(excinfo)


def test_a_condition_with_a_not_eligible_seizure_is_saved_with_a_warning(service, counsellor):
    referral = register(service, counsellor, route="condition", seized=[("heroin", "7", "g")])
    assert referral.classification == "not_eligible"
    assert any("Heroin" in reason for reason in classification_reasons(referral))
    assert referral.events.filter(kind="referral.classification_warning").exists()


def test_a_condition_may_leave_the_seizure_unknown(service, counsellor):
    referral = register(service, counsellor, route="condition", seized=[], seizure_unknown=True)
    assert referral.classification == ""
    assert referral.regulation is None


def test_a_deadline_before_the_decision_is_refused(service, counsellor):
    with pytest.raises(ValidationError) as excinfo:
        register(service, counsellor, attendance_deadline=datetime.date(2026, 9, 1))
    assert "attendance_deadline" in errors_of(excinfo)


def test_assigning_gives_the_counsellor_the_case_and_reassigning_takes_it_back(service, lead, counsellor, colleague):
    referral = ReferralFactory(service=service)
    referral_assign(actor=lead, referral=referral, counsellor=counsellor)
    assert get_perms(counsellor, referral) == ["work_on_referral"]
    referral_assign(actor=lead, referral=referral, counsellor=colleague)
    referral.refresh_from_db()
    assert referral.assigned_counsellor == colleague
    assert referral.status == "assigned"
    assert get_perms(counsellor, referral) == []
    assert get_perms(colleague, referral) == ["work_on_referral"]
    assert [e.kind for e in referral.events.all()] == ["referral.assigned", "referral.assigned"]


def test_a_case_cannot_be_assigned_to_staff_of_another_service(service, lead, stranger):
    referral = ReferralFactory(service=service)
    with pytest.raises(ValidationError):
        referral_assign(actor=lead, referral=referral, counsellor=stranger)


def test_a_fee_officer_is_not_a_counsellor_to_assign(service, lead):
    fee_officer = StaffMembershipFactory(service=service, role=Role.FEE_OFFICER).user
    with pytest.raises(ValidationError):
        referral_assign(actor=lead, referral=ReferralFactory(service=service), counsellor=fee_officer)


def test_every_problem_is_reported_at_once_and_nothing_saved(service, counsellor):
    with pytest.raises(ValidationError) as excinfo:
        register(
            service,
            counsellor,
            person_details=person(national_id=MINOR_ID),
            route="nonsense",
            police_district="atlantis",
            attendance_deadline=datetime.date(2026, 9, 1),
        )
    assert {"route", "police_district", "attendance_deadline", "guardians"} <= set(errors_of(excinfo))
    assert not Person.objects.exists()


def test_a_postal_code_that_is_not_four_digits_is_refused(service, counsellor):
    with pytest.raises(ValidationError) as excinfo:
        register(service, counsellor, person_details=person(postal_code="12", postal_town="Oslo"))
    assert "postal_code" in errors_of(excinfo)
    assert not Person.objects.exists()


def test_the_persons_address_reads_as_one_line(service, counsellor):
    referral = register(
        service, counsellor, person_details=person(street_address="Storgata 1", postal_code="0155", postal_town="Oslo")
    )
    assert referral.person.postal_address == "Storgata 1, 0155 Oslo"


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_registrations_of_one_new_person_at_once_make_one_person(service, counsellor):
    """Two counsellors register two referrals for the same new national ID at the same moment, each in its own
    database connection: the unique number lets one insert through and the other finds and updates that row."""
    import threading

    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("needs two real database connections")
    start = threading.Barrier(2)
    results = []

    def register_in_thread(reference):
        try:
            start.wait(5)
            results.append(register(service, counsellor, police_reference=reference))
        except Exception as error:  # reported below, with its type
            results.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=register_in_thread, args=(ref,)) for ref in ("2026-100001", "2026-100002")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert all(isinstance(result, Referral) for result in results), results
    assert Person.objects.count() == 1
    assert Referral.objects.count() == 2
