"""The person export and the retention sweep, built from the apps' declarations: the export keeps the shape it had
when privacy listed every field itself, and a second sweep finds nothing left to change."""

import datetime

import pytest
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils import timezone, translation

from counselling.attendance.models import Attendance, CallInMessage, CallInPurpose, LabResultShared, NeedsAssessment
from counselling.scheduling.models import Reminder
from portal.personal_data import PersonalData
from privacy.data_export import person_data
from privacy.models import RecordType, RetentionRule
from privacy.retention import ANONYMISED, retention_sweep
from referrals.models import Guardian, Referral, ReferralEvent, ReferralStatus
from tests.factories import (
    DrugTestFactory,
    LetterFactory,
    MeetingFactory,
    PoliceReportFactory,
    ReferralFactory,
    TestingProgrammeFactory,
)
from tests.fees.factories import FeeCaseFactory, FeeLetterFactory

PERSON_KEYS = [
    "national_id",
    "first_name",
    "last_name",
    "date_of_birth",
    "phone",
    "email",
    "address",
    "municipality",
    "preferred_language",
    "registered_at",
]
REFERRAL_KEYS = [
    "police_reference",
    "route",
    "incident_date",
    "decision_date",
    "attendance_deadline",
    "classification",
    "status",
    "assigned_counsellor",
    "registered_at",
    "legal_hold",
    "refusal_to_attend",
    "testing_programme",
    "seized",
    "guardians",
    "timeline",
    "meetings",
    "police_reports",
    "fee_cases",
]
MEETING_KEYS = [
    "starts_at",
    "ends_at",
    "status",
    "counsellor",
    "location",
    "late_reason",
    "short_notice_reason",
    "change_requested_by",
    "change_reason",
    "attendance",
    "letters",
    "reminders",
]
ATTENDANCE_KEYS = [
    "outcome",
    "absence_reason",
    "person_present",
    "guardians_present",
    "risk_information_given",
    "consent",
    "consent_by",
    "recorded_by",
    "recorded_at",
    "assessment",
]
FEE_CASE_KEYS = [
    "status",
    "amount",
    "proposed_at",
    "notice_sent_at",
    "answer_deadline",
    "answer_received_on",
    "answer_valid_reason",
    "answer_situation",
    "hardship_financial_situation",
    "hardship_life_situation",
    "hardship_persons_account",
    "hardship_reasoning",
    "hardship_unreasonably_burdensome",
    "decision",
    "decided_amount",
    "reasons",
    "decided_at",
    "appeal_deadline",
    "payment_due",
    "appeal_received_on",
    "appeal_grounds",
    "late_appeal_considered",
    "late_appeal_reasons",
    "appeal_outcome",
    "appeal_amount",
    "appeal_outcome_reasons",
    "paid_on",
    "cancel_reason",
    "letters",
]


def _case_with_everything(service, *, meeting_days_ago: int = 1) -> Referral:
    referral = ReferralFactory(service=service, status=ReferralStatus.CLOSED)
    guardian = Guardian.objects.create(referral=referral, name="Kari Nordmann", relation="mor", phone="+4791234567")
    meeting = MeetingFactory(
        referral=referral, status="held", starts_at=timezone.now() - datetime.timedelta(days=meeting_days_ago)
    )
    attendance = Attendance.objects.create(
        meeting=meeting, outcome="attended", person_present=True, consent=True, recorded_by=meeting.counsellor
    )
    attendance.guardians_present.set([guardian])
    NeedsAssessment.objects.create(attendance=attendance, needs=["housing"], confidential_note="Sover hos venner.")
    missed = MeetingFactory(referral=referral, status="held", starts_at=meeting.starts_at - datetime.timedelta(days=7))
    Attendance.objects.create(
        meeting=missed, outcome="valid_absence", absence_reason="Begravelse", recorded_by=missed.counsellor
    )
    LetterFactory(meeting=meeting)
    Reminder.objects.create(
        meeting=meeting,
        days_before=1,
        channel="sms",
        recipient_kind="person",
        address="+4791234567",
        due_at=meeting.starts_at - datetime.timedelta(days=1),
    )
    PoliceReportFactory(meeting=meeting)
    fee_case = FeeCaseFactory(
        referral=referral, meeting=missed, status="cancelled", cancel_reason="Registrert ved en feil"
    )
    FeeLetterFactory(fee_case=fee_case)
    return referral


def test_the_person_export_has_the_shape_it_always_had(service):
    referral = _case_with_everything(service)
    data = person_data(service, referral.person)

    assert list(data) == ["service", "made_at", "person", "referrals", "access_log"]
    assert list(data["person"]) == PERSON_KEYS
    (case,) = data["referrals"]
    assert list(case) == REFERRAL_KEYS
    assert case["guardians"] == [
        {"name": "Kari Nordmann", "relation": "mor", "phone": "+4791234567", "email": "", "address": ""}
    ]
    held, missed = sorted(case["meetings"], key=lambda meeting: meeting["starts_at"], reverse=True)
    assert list(held) == MEETING_KEYS
    assert list(held["attendance"]) == ATTENDANCE_KEYS
    assert held["attendance"]["guardians_present"] == ["Kari Nordmann"]
    assert held["attendance"]["assessment"]["confidential_note"] == "Sover hos venner."
    assert missed["attendance"]["assessment"] is None
    assert [list(letter) for letter in held["letters"]] == [
        [
            "kind",
            "recipient",
            "email",
            "created_at",
            "emailed_at",
            "sent_by",
            "sent_on",
            "reached_the_recipient_on",
            "file_kept",
        ]
    ]
    assert [list(reminder) for reminder in held["reminders"]] == [["channel", "to", "due_at", "state", "sent_at"]]
    assert [list(report) for report in case["police_reports"]] == [
        ["kind", "meeting_date", "legal_basis", "created_at", "sent_at", "file_kept", "testing_summary"]
    ]
    assert case["testing_programme"] is None
    (fee_case,) = case["fee_cases"]
    assert list(fee_case) == FEE_CASE_KEYS
    assert [list(letter) for letter in fee_case["letters"]] == [["kind", "recipient", "created_at", "file_kept"]]


PROGRAMME_KEYS = [
    "starts_on",
    "ends_on",
    "planned_tests",
    "announced",
    "unannounced",
    "sample_type",
    "conversation_required",
    "requester",
    "police_district",
    "prosecution_reference",
    "reporting_rule",
    "call_in_by",
    "status",
    "registered_by",
    "registered_at",
    "ended_at",
    "tests",
]
DRUG_TEST_KEYS = [
    "kind",
    "status",
    "day",
    "starts_at",
    "ends_at",
    "location",
    "collector",
    "outcome",
    "outcome_at",
    "identity_checked",
    "sampling_observed",
    "sample_sealed",
    "sample_number",
    "outcome_note",
    "collector_override_reason",
    "cancel_reason",
    "recorded_by",
    "recorded_at",
    "lab_result",
    "messages",
]


def test_the_person_export_has_the_testing_programme_but_no_unannounced_test_before_its_call_in(service, lead):
    today = timezone.localdate()
    programme = TestingProgrammeFactory(
        referral__service=service,
        starts_on=today - datetime.timedelta(days=14),
        ends_on=today + datetime.timedelta(days=14),
    )
    taken = DrugTestFactory(
        programme=programme,
        day=today - datetime.timedelta(days=7),
        status="recorded",
        outcome="taken",
        sample_number="LAB-1",
        identity_checked=True,
        sampling_observed=True,
        sample_sealed=True,
    )
    LabResultShared.objects.create(test=taken, result="Negativ", shared_on=today, recorded_by=lead)
    announced = DrugTestFactory(programme=programme, kind="announced", day=today + datetime.timedelta(days=3))
    CallInMessage.objects.create(
        test=announced, purpose="notice", channel="sms", address="+4791234567", due_at=timezone.now()
    )
    # A call-in planned for a day ahead, and a day staff were offered: the export would announce them.
    call_in = DrugTestFactory(programme=programme, day=today + datetime.timedelta(days=5))
    CallInMessage.objects.create(
        test=call_in, purpose="call_in", channel="sms", address="+4791234567", due_at=call_in.starts_at
    )
    DrugTestFactory(
        programme=programme, day=today + datetime.timedelta(days=6), status="suggested", starts_at=None, ends_at=None
    )

    (case,) = person_data(service, programme.referral.person)["referrals"]

    exported = case["testing_programme"]
    assert list(exported) == PROGRAMME_KEYS
    assert (exported["prosecution_reference"], exported["sample_type"]) == (programme.prosecution_reference, "Urin")
    assert [test["day"] for test in exported["tests"]] == [taken.day, announced.day]
    assert [list(test) for test in exported["tests"]] == [DRUG_TEST_KEYS, DRUG_TEST_KEYS]
    assert exported["tests"][0]["lab_result"]["result"] == "Negativ"
    assert exported["tests"][0]["messages"] == []
    assert exported["tests"][1]["lab_result"] is None
    # Labels are exported in the portal's language.
    with translation.override(settings.LANGUAGE_CODE):
        notice = str(CallInPurpose.NOTICE.label)
    assert [message["purpose"] for message in exported["tests"][1]["messages"]] == [notice]


def test_a_meeting_without_attendance_exports_none(service):
    referral = ReferralFactory(service=service)
    MeetingFactory(referral=referral)
    (case,) = person_data(service, referral.person)["referrals"]
    assert case["meetings"][0]["attendance"] is None


@pytest.fixture
def closed_cases_rule(service):
    RetentionRule.objects.create(service=service, record_type=RecordType.CLOSED_CASE, retention_days=365)


def test_a_second_sweep_counts_nothing_even_where_a_reason_became_the_placeholder(service, closed_cases_rule):
    referral = _case_with_everything(service, meeting_days_ago=800)
    when = timezone.now() - datetime.timedelta(days=800)
    Referral.objects.filter(pk=referral.pk).update(created_at=when)
    ReferralEvent.objects.filter(referral=referral).update(occurred_at=when)

    first = retention_sweep()
    assert first.counts["attendance_reasons"] == 1
    assert Attendance.objects.get(outcome="valid_absence").absence_reason == ANONYMISED
    second = retention_sweep()
    assert second.total == 0, second.counts


def test_a_declaration_naming_a_field_its_model_lacks_is_refused_at_start_up():
    with pytest.raises(ImproperlyConfigured):
        PersonalData(model=Guardian, kept={"nickname": "No such field."}).check()
    with pytest.raises(ImproperlyConfigured):
        PersonalData(model=Guardian, kept={"relation": " "}).check()
