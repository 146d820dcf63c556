"""The attendance app's personal data (portal.personal_data): what happened at the meeting, the needs assessment,
the reports to the police, and drug testing (the programme, its tests, the messages about them and a result the
police shared). Registered from AttendanceConfig.ready()."""

from django.db.models import Q
from django.utils import timezone

from portal.personal_data import ANONYMISED, Anonymise, PersonalData, file_kept, placeholder_unless_empty, staff
from referrals.personal_data import anonymised_police_reference

from .models import (
    Attendance,
    CallInMessage,
    DrugTest,
    DrugTestKind,
    DrugTestStatus,
    LabResultShared,
    NeedsAssessment,
    PoliceReport,
    RefusalToAttend,
    SampleType,
    TestingProgramme,
)


def _attendance(attendance: Attendance) -> dict:
    return {
        "outcome": attendance.get_outcome_display(),
        "absence_reason": attendance.absence_reason,
        "person_present": attendance.person_present,
        "guardians_present": [guardian.name for guardian in attendance.guardians_present.all()],
        "risk_information_given": attendance.risk_information_given,
        "consent": attendance.consent,
        "consent_by": attendance.get_consent_by_display(),
        "recorded_by": staff(attendance.recorded_by),
        "recorded_at": attendance.recorded_at,
    }


def _assessment(assessment: NeedsAssessment) -> dict:
    return {
        "needs": assessment.get_needs_display(),
        "onward_referrals": assessment.get_onward_referrals_display(),
        "confidential_note": assessment.confidential_note,
    }


def _police_report(report: PoliceReport) -> dict:
    return {
        "kind": report.get_kind_display(),
        "meeting_date": report.meeting_date,
        "legal_basis": report.legal_basis,
        "created_at": report.created_at,
        "sent_at": report.sent_at,
        "file_kept": file_kept(report.pdf),
        # What a drug-testing report told the police: dates and counts (empty for a meeting's report).
        "testing_summary": report.testing_summary,
    }


def _refusal(refusal: RefusalToAttend) -> dict:
    return {"reason": refusal.reason, "recorded_by": staff(refusal.recorded_by), "recorded_at": refusal.recorded_at}


def _programme(programme: TestingProgramme) -> dict:
    return {
        "starts_on": programme.starts_on,
        "ends_on": programme.ends_on,
        "planned_tests": programme.planned_tests,
        "announced": programme.announced,
        "unannounced": programme.unannounced,
        "sample_type": programme.sample_type.name,
        "conversation_required": programme.conversation_required,
        "requester": programme.requester,
        "police_district": programme.get_police_district_display(),
        "prosecution_reference": programme.prosecution_reference,
        "reporting_rule": programme.get_reporting_rule_display(),
        "call_in_by": programme.call_in_by,
        "status": programme.get_status_display(),
        "registered_by": staff(programme.registered_by),
        "registered_at": programme.registered_at,
        "ended_at": programme.ended_at,
    }


def _drug_test(test: DrugTest) -> dict:
    return {
        "kind": test.get_kind_display(),
        "status": test.get_status_display(),
        "day": test.day,
        "starts_at": test.starts_at,
        "ends_at": test.ends_at,
        "location": test.location.name if test.location_id else "",
        "collector": staff(test.collector),
        "outcome": test.get_outcome_display(),
        "outcome_at": test.outcome_at,
        "identity_checked": test.identity_checked,
        "sampling_observed": test.sampling_observed,
        "sample_sealed": test.sample_sealed,
        "sample_number": test.sample_number,
        "outcome_note": test.outcome_note,
        "collector_override_reason": test.collector_override_reason,
        "cancel_reason": test.cancel_reason,
        "recorded_by": staff(test.recorded_by),
        "recorded_at": test.recorded_at,
    }


def _tests_the_person_may_be_told_of() -> Q:
    """An unannounced test stays out of the person's export until its call-in has gone (or its day is over):
    the export would otherwise announce it. Announced tests, and every recorded one, go in."""
    return (
        ~Q(kind=DrugTestKind.CALL_IN)
        | Q(status=DrugTestStatus.RECORDED)
        | Q(day__lt=timezone.localdate())
        | Q(status=DrugTestStatus.PLANNED, starts_at__lte=timezone.now())
    )


def _test_message(message: CallInMessage) -> dict:
    return {
        "purpose": message.get_purpose_display(),
        "channel": message.get_channel_display(),
        "to": message.address,
        "due_at": message.due_at,
        "state": message.get_state_display(),
        "sent_at": message.sent_at,
    }


def _lab_result(lab_result: LabResultShared) -> dict:
    return {"result": lab_result.result, "shared_on": lab_result.shared_on, "recorded_at": lab_result.recorded_at}


DECLARATIONS = (
    PersonalData(
        model=Attendance,
        belongs_to="meeting",
        export_key="attendance",
        export=_attendance,
        select_related=("recorded_by",),
        prefetch_related=("guardians_present",),
        # A valid absence must keep a reason (a constraint): it becomes the placeholder.
        anonymise=(Anonymise("attendance_reasons", {"absence_reason": placeholder_unless_empty("absence_reason")}),),
        kept={"guardians_present": "Which guardians came: their rows are anonymised with the case."},
    ),
    PersonalData(
        model=NeedsAssessment,
        belongs_to="attendance",
        export_key="assessment",
        export=_assessment,
        anonymise=(Anonymise("assessments", {"confidential_note": "", "needs": [], "onward_referrals": []}),),
    ),
    PersonalData(
        model=PoliceReport,
        belongs_to="referral",
        export_key="police_reports",
        export=_police_report,
        anonymise=(
            Anonymise(
                "police_reports",
                {
                    "person_name": ANONYMISED,
                    "national_id": "",
                    "police_reference": anonymised_police_reference("referral_id"),
                },
            ),
        ),
        files=("pdf",),
        kept={
            "service_name": "The service's name when the report was made, not a person's.",
            "legal_basis": "The rule the disclosure relied on, written by the service lead; not about the person.",
            "testing_summary": "The testing period, counts and the days of no-shows and refusals as reported: no name, "
            "note or result, and the report's name, ID and reference are anonymised.",
        },
    ),
    PersonalData(
        model=RefusalToAttend,
        belongs_to="referral",
        export_key="refusal_to_attend",
        export=_refusal,
        select_related=("recorded_by",),
        # A refusal must keep a reason (a constraint): it becomes the placeholder.
        anonymise=(Anonymise("refusals_to_attend", {"reason": placeholder_unless_empty("reason")}),),
    ),
    # Drug testing: the sample types are the administrators' list; the rest belongs to the case.
    PersonalData(model=SampleType, kept={"name": "The name of a kind of sample, the same for every case."}),
    PersonalData(
        model=TestingProgramme,
        belongs_to="referral",
        export_key="testing_programme",
        export=_programme,
        select_related=("sample_type", "registered_by"),
        anonymise=(
            Anonymise("testing_programmes", {"prosecution_reference": anonymised_police_reference("referral_id")}),
        ),
        kept={"requester": "The prosecution authority named on the requisitions: an office, not a person."},
    ),
    PersonalData(
        model=DrugTest,
        belongs_to="programme",
        export_key="tests",
        export=_drug_test,
        export_only=_tests_the_person_may_be_told_of,
        select_related=("location", "collector", "recorded_by"),
        # A taken sample keeps a number, and an absence, an override and a cancellation a reason (constraints and
        # the services): each written one becomes the placeholder. The sample number goes too: with it the
        # laboratory's result is found again.
        anonymise=(
            Anonymise("drug_test_samples", {"sample_number": placeholder_unless_empty("sample_number")}),
            Anonymise(
                "drug_test_reasons",
                {
                    "outcome_note": placeholder_unless_empty("outcome_note"),
                    "collector_override_reason": placeholder_unless_empty("collector_override_reason"),
                    "cancel_reason": placeholder_unless_empty("cancel_reason"),
                },
            ),
        ),
    ),
    PersonalData(
        model=CallInMessage,
        belongs_to="test",
        export_key="messages",
        export=_test_message,
        # The gateway's error can quote the number it could not reach.
        anonymise=(Anonymise("test_messages", {"address": "", "last_error": ""}),),
    ),
    PersonalData(
        model=LabResultShared,
        belongs_to="test",
        export_key="lab_result",
        export=_lab_result,
        # Health information: the text goes; a result must keep one (a constraint), so it becomes the placeholder.
        anonymise=(Anonymise("lab_results", {"result": ANONYMISED}),),
    ),
)
