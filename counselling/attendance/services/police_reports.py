"""Reports to the police: the attendance fact and who it is about, and nothing said at the meeting."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from counselling.scheduling.models import Meeting, MeetingStatus
from counselling.scheduling.services.flags import flags_resolve
from counselling.scheduling.services.letters import LETTER_LANGUAGE
from portal.audit import audit_change
from portal.pdf import html_to_pdf
from referrals.models import PoliceDistrict, Referral, Route
from referrals.services import timeline_add, translatable

from ..models import AttendanceOutcome, PoliceReport, PoliceReportKind

KIND_FOR_OUTCOME = {
    AttendanceOutcome.ATTENDED: PoliceReportKind.ATTENDED,
    AttendanceOutcome.NO_SHOW: PoliceReportKind.NOT_ATTENDED,
}


def police_report_html(report: PoliceReport) -> str:
    with translation.override(LETTER_LANGUAGE):
        return render_to_string(
            "letters/police_report.html",
            {
                "report": report,
                "police_district": PoliceDistrict(report.police_district).label,
                "demonstration": report.referral.service.is_demonstration,
            },
        )


def police_report_refusal(meeting: Meeting) -> str | None:
    """Why no report on `meeting`'s attendance can be made, or None when one can."""
    attendance = getattr(meeting, "attendance", None)
    if meeting.status != MeetingStatus.HELD or attendance is None:
        return _("Record the attendance before reporting it to the police.")
    if attendance.outcome not in KIND_FOR_OUTCOME:
        return _("A valid absence is not reported to the police; book a new meeting.")
    if attendance.outcome == AttendanceOutcome.NO_SHOW and not meeting.summons_dispatched:
        return _(
            "There is no proof that the summons was sent: record on the meeting page how and when it left. "
            "Without it a missed meeting is not reported to the police."
        )
    return None


def police_report_offered(*, meeting: Meeting, membership, reports) -> bool:
    """The meeting page offers the lead a report to the police under the order route, where the police get nothing
    by default, while none is made and one can be. (Under the condition route the report is made with the
    attendance, when the attendance deadline passes after a no-show, or with a refusal to attend.)"""
    return (
        "lead" in membership.may
        and meeting.referral.route == Route.ORDER
        and not reports
        and police_report_refusal(meeting) is None
    )


def police_report_needs_legal_basis(referral: Referral) -> bool:
    """Under the order route the police get nothing by default: a report discloses to them only on a legal basis the
    lead records. Under the condition route the prosecution's condition asks for the report."""
    return referral.route == Route.ORDER


def _report_make(
    *,
    actor,
    referral: Referral,
    meeting: Meeting | None,
    kind: str,
    meeting_date,
    legal_basis: str = "",
    programme=None,
    drug_test=None,
    testing_summary: dict | None = None,
) -> PoliceReport:
    """Make the report's PDF and row, and write the timeline and the audit log (the caller holds the locks)."""
    report = PoliceReport(
        referral=referral,
        meeting=meeting,
        programme=programme,
        drug_test=drug_test,
        testing_summary=testing_summary or {},
        kind=kind,
        police_district=referral.police_district,
        police_reference=referral.police_reference,
        person_name=referral.person.full_name,
        national_id=referral.person.national_id,
        service_name=referral.service.name,
        meeting_date=meeting_date,
        legal_basis=legal_basis,
        created_by=actor,
        created_at=timezone.now(),
    )
    if meeting:
        name = f"politimelding-{meeting.pk}-{kind}.pdf"
    elif drug_test:
        name = f"politimelding-ruskontroll-{drug_test.pk}-{kind}.pdf"
    else:
        name = f"politimelding-sak-{referral.pk}-{kind}.pdf"
    report.pdf.save(name, ContentFile(html_to_pdf(police_report_html(report))), save=False)
    report.save()
    timeline_add(
        referral=referral,
        actor=actor,
        kind="police_report.made",
        message=gettext_noop("%(kind)s to the police made, to be sent."),
        params={"kind": translatable(PoliceReportKind(kind).label)},
        extra={"report": report.pk},
    )
    audit_change(
        actor=actor,
        action="police_report.made",
        obj=report,
        service=referral.service,
        person_id=referral.person_id,
        extra={"legal_basis": legal_basis} if legal_basis else None,
    )
    return report


def police_report_make(*, actor, meeting: Meeting, legal_basis: str = "") -> PoliceReport:
    """The report on the meeting's attendance. Made once: asking again gives the same report. Under the order route
    it needs the legal basis for disclosing to the police, which is kept with it and in the audit log."""
    with transaction.atomic():
        meeting = (
            Meeting.objects.select_for_update(of=("self",))
            .select_related("referral__person", "referral__service")
            .get(pk=meeting.pk)
        )
        refusal = police_report_refusal(meeting)
        if refusal:
            raise ValidationError(refusal)
        kind = KIND_FOR_OUTCOME[meeting.attendance.outcome]
        existing = PoliceReport.objects.filter(meeting=meeting, kind=kind).first()
        if existing is not None:
            return existing
        referral: Referral = meeting.referral
        legal_basis = legal_basis.strip()
        if police_report_needs_legal_basis(referral) and not legal_basis:
            raise ValidationError(
                {
                    "legal_basis": _(
                        "Under the order route the police get nothing unless the law allows it: write the legal "
                        "basis for giving them this report."
                    )
                }
            )
        return _report_make(
            actor=actor,
            referral=referral,
            meeting=meeting,
            kind=kind,
            meeting_date=timezone.localdate(meeting.starts_at),
            legal_basis=legal_basis,
        )


def police_report_for_refusal(*, actor, referral: Referral) -> PoliceReport:
    """The non-attendance report for a person who refused to attend: that they did not attend, no date, no reason.
    The caller holds the case's lock and has recorded the refusal."""
    return _report_make(
        actor=actor, referral=referral, meeting=None, kind=PoliceReportKind.NOT_ATTENDED, meeting_date=None
    )


@transaction.atomic
def police_report_mark_sent(*, actor, report: PoliceReport) -> PoliceReport:
    """Record that the report went to the police, by whom and when. Marking it twice keeps the first."""
    report = PoliceReport.objects.select_for_update(of=("self",)).select_related("referral").get(pk=report.pk)
    if report.sent_at is not None:
        return report
    report.sent_at = timezone.now()
    report.sent_by = actor
    report.save(update_fields=["sent_at", "sent_by"])
    if report.kind == PoliceReportKind.TESTING_BREACH:
        # The breach's flag asked for exactly this report to be sent.
        flags_resolve(
            actor=actor, referral=report.referral, kinds=["test_breach"], about=f"drugtest:{report.drug_test_id}"
        )
    timeline_add(
        referral=report.referral,
        actor=actor,
        kind="police_report.sent",
        message=gettext_noop("%(kind)s sent to the police."),
        params={"kind": translatable(PoliceReportKind(report.kind).label)},
        extra={"report": report.pk},
    )
    audit_change(
        actor=actor,
        action="police_report.sent",
        obj=report,
        service=report.referral.service,
        person_id=report.referral.person_id,
    )
    return report
