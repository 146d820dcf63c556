"""The meeting page, attendance and police reports. Thin: parse, call a service, render.

The meeting page lives here, one floor above scheduling, because it shows what happened at the meeting."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from counselling.scheduling.models import MeetingStatus
from counselling.scheduling.selectors import meeting_for
from portal.audit import audit_read
from portal.models import CASEWORK_ROLES, LEAD_ROLES
from portal.permissions import service_view
from portal.reauth import password_recently_checked, reauth_url
from portal.shortcuts import refusal_show, stored_file_download
from referrals.access import referral_for

from .forms import AttendanceForm, PoliceReportForm, RefusalToAttendForm
from .models import ConsentBy
from .selectors import police_report_for, police_reports_of
from .services import AttendanceDetails, attendance_record, police_report_make, police_report_mark_sent
from .services.attendance import attendance_refusal, consent_by_for, guardians_present_recorded
from .services.police_reports import police_report_needs_legal_basis, police_report_offered
from .services.refusals import refusal_to_attend_blocked, refusal_to_attend_record


@service_view(roles=CASEWORK_ROLES)
def meeting_detail(request, meeting_pk):
    meeting = meeting_for(request, meeting_pk)
    referral = meeting.referral
    attendance = getattr(meeting, "attendance", None)
    assessment = getattr(attendance, "assessment", None) if attendance else None
    may_read = referral.may_read_confidential
    # The confidential assessment asks for the password again when it was last checked long ago.
    confirm_first = assessment is not None and may_read and not password_recently_checked(request)
    confidential = may_read and not confirm_first
    if assessment is not None and confidential:
        audit_read(
            actor=request.user,
            action="assessment.viewed",
            obj=assessment,
            service=request.service,
            person_id=referral.person_id,
        )
    reports = list(meeting.police_reports.all())
    context = {
        "meeting": meeting,
        "referral": referral,
        "attendance": attendance,
        "guardians_present": attendance.guardians_present.all() if attendance else [],
        "assessment": assessment if confidential else None,
        "assessment_hidden": assessment is not None and not may_read,
        "assessment_reauth_url": reauth_url(request, request.get_full_path()) if confirm_first else None,
        "letters": meeting.letters.select_related("guardian"),
        # Every reminder sent or scheduled for the meeting, with its channel and how it went.
        "reminders": meeting.reminders.select_related("guardian").order_by("due_at", "pk"),
        "reports": reports,
        "offer_police_report": police_report_offered(meeting=meeting, membership=request.membership, reports=reports),
        "history": _history(meeting),
        "record_refusal": attendance_refusal(meeting),
    }
    if not (assessment is not None and confidential):
        # One entry per read: reading the assessment is logged above and covers the meeting page it is on.
        audit_read(
            actor=request.user,
            action="meeting.viewed",
            obj=meeting,
            service=request.service,
            person_id=referral.person_id,
        )
    return render(request, "attendance/meeting_detail.html", context)


def _history(meeting):
    """The meetings this one replaced, newest first."""
    earlier = []
    current = meeting.replaces
    while current is not None:
        earlier.append(current)
        current = current.replaces
    return earlier


@service_view(roles=CASEWORK_ROLES)
def attendance_record_view(request, meeting_pk):
    meeting = meeting_for(request, meeting_pk)
    referral = meeting.referral
    guardians = list(referral.guardians.all()) if guardians_present_recorded(meeting) else []
    form = AttendanceForm(request.POST or None, guardians=guardians)
    # The form is offered only when attendance_record would take it: before the meeting has started (or once it is
    # recorded) the page says why instead of refusing what was typed.
    refusal = attendance_refusal(meeting)
    if refusal is None and request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        details = AttendanceDetails(
            outcome=data["outcome"],
            absence_reason=data["absence_reason"],
            guardian_ids=data.get("guardians", []),
            risk_information_given=data["risk_information_given"],
            consent=data["consent"],
            needs=data["needs"],
            onward_referrals=data["onward_referrals"],
            confidential_note=data["confidential_note"],
        )
        try:
            attendance_record(actor=request.user, meeting=meeting, details=details)
        except ValidationError as error:
            if hasattr(error, "error_dict") and "guardian_ids" in error.error_dict:
                error.error_dict["guardians"] = error.error_dict.pop("guardian_ids")
            refusal_show(form, error)
        else:
            messages.success(request, _("The attendance is recorded."))
            return redirect("referrals:detail", service_slug=request.service.slug, referral_pk=referral.pk)
    guardians_consent = consent_by_for(referral, meeting) == ConsentBy.GUARDIANS
    context = {
        "meeting": meeting,
        "referral": referral,
        "form": form,
        "under_16": guardians_consent,
        "refusal": refusal,
    }
    return render(request, "attendance/attendance_form.html", context)


@service_view(roles=CASEWORK_ROLES)
def police_report_list(request):
    reports = police_reports_of(request.service)
    districts: dict[str, list] = {}
    for report in reports.filter(sent_at__isnull=True):
        districts.setdefault(report.referral.get_police_district_display(), []).append(report)
    sent = reports.filter(sent_at__isnull=False).order_by("-sent_at")[:50]  # the latest sent
    return render(request, "attendance/police_reports.html", {"districts": districts, "sent": sent})


@service_view(roles=CASEWORK_ROLES)
def police_report_pdf(request, report_pk):
    report = police_report_for(request, report_pk)
    audit_read(
        actor=request.user,
        action="police_report.downloaded",
        obj=report,
        service=request.service,
        person_id=report.referral.person_id,
    )
    return stored_file_download(report.pdf, request=request)


@service_view(roles=CASEWORK_ROLES)
@require_POST
def police_report_sent(request, report_pk):
    report = police_report_for(request, report_pk)
    police_report_mark_sent(actor=request.user, report=report)
    messages.success(request, _("Marked as sent to the police."))
    return redirect("attendance:police_reports", service_slug=request.service.slug)


@service_view(roles=LEAD_ROLES)
def police_report_create(request, meeting_pk):
    """Under the order route the police get nothing by default; the service lead may choose to report, on a legal
    basis they record."""
    meeting = meeting_for(request, meeting_pk)
    needs_basis = police_report_needs_legal_basis(meeting.referral)
    form = PoliceReportForm(request.POST or None) if needs_basis else None
    if request.method == "POST" and (form is None or form.is_valid()):
        legal_basis = form.cleaned_data["legal_basis"] if form is not None else ""
        # A report is made once: asking again returns it, and the message must say which happened.
        made_before = set(meeting.police_reports.values_list("pk", flat=True))
        try:
            report = police_report_make(actor=request.user, meeting=meeting, legal_basis=legal_basis)
        except ValidationError as error:
            if form is not None and hasattr(error, "error_dict"):
                refusal_show(form, error)
            else:
                messages.error(request, " ".join(error.messages))
                return redirect("attendance:meeting", service_slug=request.service.slug, meeting_pk=meeting.pk)
        else:
            kind = {"report": report.get_kind_display()}
            if report.pk in made_before:
                messages.info(request, _("This report was already made: %(report)s. Nothing new was made.") % kind)
            else:
                messages.success(request, _("The report is made and waits to be sent: %(report)s.") % kind)
            return redirect("attendance:police_reports", service_slug=request.service.slug)
    existing = list(meeting.police_reports.all())
    context = {"meeting": meeting, "referral": meeting.referral, "form": form, "existing": existing}
    return render(request, "attendance/police_report_create.html", context)


@service_view(roles=CASEWORK_ROLES)
def refusal_to_attend_view(request, referral_pk):
    """The person refuses to attend (condition route): the police are told they did not attend, and the case ends."""
    referral = referral_for(request, referral_pk)
    blocked = refusal_to_attend_blocked(referral)
    if blocked:
        messages.error(request, blocked)
        return redirect("referrals:detail", service_slug=request.service.slug, referral_pk=referral.pk)
    form = RefusalToAttendForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            refusal_to_attend_record(actor=request.user, referral=referral, reason=form.cleaned_data["reason"])
        except ValidationError as error:
            refusal_show(form, error)
        else:
            messages.success(
                request, _("The refusal is recorded. A report that the person did not attend is ready to send.")
            )
            return redirect("referrals:detail", service_slug=request.service.slug, referral_pk=referral.pk)
    booked = referral.meetings.filter(status=MeetingStatus.BOOKED).first()
    context = {"referral": referral, "form": form, "booked": booked}
    return render(request, "attendance/refusal_to_attend_form.html", context)
