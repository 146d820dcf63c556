"""Recording the meeting's outcome: consent rules, what is stored, and what follows for the case and the police."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from counselling.attendance.models import Attendance, NeedsAssessment, PoliceReport
from counselling.attendance.services import AttendanceDetails, attendance_record
from counselling.scheduling.models import MeetingStatus
from counselling.scheduling.services import meeting_book
from referrals.models import ReferralStatus
from tests.counselling.conftest import pdf_text
from tests.factories import MeetingFactory, ReferralFactory

NOTE = "Forteller om angst og søvnproblemer; ønsker kontakt med fastlege."


def held(meeting):
    """Time passes: the meeting has taken place."""
    start = timezone.now() - datetime.timedelta(hours=2)
    meeting.__class__.objects.filter(pk=meeting.pk).update(
        starts_at=start, ends_at=start + datetime.timedelta(minutes=45)
    )
    meeting.refresh_from_db()
    return meeting


def past_meeting(referral, counsellor, location):
    start = timezone.now() - datetime.timedelta(hours=2)
    return MeetingFactory(
        referral=referral,
        counsellor=counsellor,
        location=location,
        starts_at=start,
        booked_by=counsellor,
        summons_posted=True,
    )


def attended(**kwargs):
    values = {"outcome": "attended", "risk_information_given": True, "consent": True}
    values.update(kwargs)
    return AttendanceDetails(**values)


def test_attended_with_consent_keeps_the_assessment_and_closes_the_case(referral, counsellor, location):
    meeting = past_meeting(referral, counsellor, location)
    details = attended(needs=["mental_health"], onward_referrals=["gp"], confidential_note=NOTE)
    attendance = attendance_record(actor=counsellor, meeting=meeting, details=details)
    referral.refresh_from_db()
    meeting.refresh_from_db()
    assert (attendance.person_present, attendance.consent, attendance.consent_by) == (True, True, "person")
    assert attendance.assessment.onward_referrals == ["gp"]
    assert attendance.assessment.confidential_note == NOTE
    assert meeting.status == MeetingStatus.HELD
    assert referral.status == ReferralStatus.CLOSED


def test_the_timeline_names_the_outcome_but_never_the_assessment(referral, counsellor, location):
    meeting = past_meeting(referral, counsellor, location)
    attendance_record(
        actor=counsellor, meeting=meeting, details=attended(onward_referrals=["gp"], confidential_note=NOTE)
    )
    timeline = " ".join(event.description for event in referral.events.all())
    assert "Attended" in timeline
    assert "angst" not in timeline and "GP" not in timeline


def test_without_consent_no_assessment_can_be_stored(referral, counsellor, location):
    meeting = past_meeting(referral, counsellor, location)
    with pytest.raises(ValidationError) as excinfo:
        attendance_record(actor=counsellor, meeting=meeting, details=attended(consent=False, confidential_note=NOTE))
    assert "consent" in excinfo.value.message_dict
    assert not Attendance.objects.exists() and not NeedsAssessment.objects.exists()
    meeting.refresh_from_db()
    assert meeting.status == MeetingStatus.BOOKED


def test_attended_without_consent_is_recorded_without_an_assessment(referral, counsellor, location):
    meeting = past_meeting(referral, counsellor, location)
    attendance = attendance_record(actor=counsellor, meeting=meeting, details=attended(consent=False))
    assert attendance.consent is False
    assert not NeedsAssessment.objects.exists()


def test_consent_must_be_answered_when_the_person_attended(referral, counsellor, location):
    meeting = past_meeting(referral, counsellor, location)
    with pytest.raises(ValidationError) as excinfo:
        attendance_record(actor=counsellor, meeting=meeting, details=attended(consent=None))
    assert "consent" in excinfo.value.message_dict


def test_under_16_the_guardians_consent(service, counsellor, location):
    today = timezone.localdate()
    referral = ReferralFactory(
        service=service,
        person__date_of_birth=today.replace(year=today.year - 15),
        incident_date=today - datetime.timedelta(days=10),
        decision_date=today - datetime.timedelta(days=5),
        attendance_deadline=today + datetime.timedelta(days=30),
    )
    mother = referral.guardians.create(name="Kari Testesen", relation="mor")
    meeting = past_meeting(referral, counsellor, location)
    with pytest.raises(ValidationError, match="guardians give consent"):
        attendance_record(actor=counsellor, meeting=meeting, details=attended())
    attendance = attendance_record(actor=counsellor, meeting=meeting, details=attended(guardian_ids=[mother.pk]))
    assert attendance.consent_by == "guardians"
    assert list(attendance.guardians_present.all()) == [mother]


def test_a_guardian_of_another_case_cannot_be_recorded_as_present(referral, counsellor, location):
    other = ReferralFactory(service=referral.service)
    stranger_guardian = other.guardians.create(name="Ukjent", relation="far")
    meeting = past_meeting(referral, counsellor, location)
    with pytest.raises(ValidationError) as excinfo:
        attendance_record(actor=counsellor, meeting=meeting, details=attended(guardian_ids=[stranger_guardian.pk]))
    assert "guardian_ids" in excinfo.value.message_dict


def test_a_valid_absence_needs_a_reason_and_leads_to_a_new_booking(referral, counsellor, location):
    meeting = past_meeting(referral, counsellor, location)
    with pytest.raises(ValidationError) as excinfo:
        attendance_record(actor=counsellor, meeting=meeting, details=AttendanceDetails(outcome="valid_absence"))
    assert "absence_reason" in excinfo.value.message_dict
    attendance_record(
        actor=counsellor,
        meeting=meeting,
        details=AttendanceDetails(outcome="valid_absence", absence_reason="Sykdom, legeerklæring mottatt."),
    )
    referral.refresh_from_db()
    assert referral.status == ReferralStatus.VALID_ABSENCE
    assert not PoliceReport.objects.exists()
    start = timezone.now() + datetime.timedelta(days=3)
    assert meeting_book(actor=counsellor, referral=referral, counsellor=counsellor, location=location, starts_at=start)


def test_a_no_show_under_the_order_route_waits_for_the_fee_step(service, counsellor, location):
    referral = ReferralFactory(service=service, route="order", seizure_unknown=False, classification="exempt")
    meeting = past_meeting(referral, counsellor, location)
    attendance_record(actor=counsellor, meeting=meeting, details=AttendanceDetails(outcome="no_show"))
    referral.refresh_from_db()
    assert referral.status == ReferralStatus.MISSED
    assert not PoliceReport.objects.exists()  # under the order route the lead decides


def test_attended_under_the_condition_route_confirms_to_the_police(referral, counsellor, location):
    meeting = past_meeting(referral, counsellor, location)
    attendance_record(actor=counsellor, meeting=meeting, details=attended(onward_referrals=["gp"]))
    assert PoliceReport.objects.get().kind == "attended"


def test_the_police_report_holds_the_attendance_fact_and_nothing_confidential(referral, counsellor, location):
    meeting = past_meeting(referral, counsellor, location)
    details = attended(needs=["mental_health", "housing"], onward_referrals=["gp", "nav"], confidential_note=NOTE)
    attendance_record(actor=counsellor, meeting=meeting, details=details)
    report = PoliceReport.objects.get()
    text = pdf_text(report.pdf)
    day = timezone.localdate(meeting.starts_at)
    assert "Møtte til samtale" in text
    assert f"{day.day}." in text and str(day.year) in text
    assert referral.police_reference in text
    assert referral.person.national_id in text
    assert referral.person.full_name in text
    for confidential in ("angst", "fastlege", "Fastlege", "NAV", "Bolig", "Psykisk", "samtykke", "Samtykke", "psykisk"):
        assert confidential not in text, confidential


def test_attendance_cannot_be_recorded_before_the_meeting_or_twice(referral, counsellor, location):
    start = timezone.now() + datetime.timedelta(days=1)
    meeting = meeting_book(
        actor=counsellor, referral=referral, counsellor=counsellor, location=location, starts_at=start
    )
    with pytest.raises(ValidationError, match="once the meeting has started"):
        attendance_record(actor=counsellor, meeting=meeting, details=attended())
    held(meeting)
    attendance_record(actor=counsellor, meeting=meeting, details=attended())
    with pytest.raises(ValidationError, match="already recorded"):
        attendance_record(actor=counsellor, meeting=meeting, details=attended())
