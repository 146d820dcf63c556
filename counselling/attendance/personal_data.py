"""The attendance app's personal data (portal.personal_data): what happened at the meeting, the needs assessment
and the reports to the police. Registered from AttendanceConfig.ready()."""

from portal.personal_data import ANONYMISED, Anonymise, PersonalData, file_kept, placeholder_unless_empty, staff
from referrals.personal_data import anonymised_police_reference

from .models import Attendance, NeedsAssessment, PoliceReport, RefusalToAttend


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
    }


def _refusal(refusal: RefusalToAttend) -> dict:
    return {"reason": refusal.reason, "recorded_by": staff(refusal.recorded_by), "recorded_at": refusal.recorded_at}


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
)
