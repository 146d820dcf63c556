"""Meetings, letters, attendance, police reports and calendars. Thin: parse, call a service, render."""

import datetime
import secrets
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from portal.audit import audit_read
from portal.models import CASEWORK_ROLES, Role
from portal.permissions import service_view
from portal.selectors import counsellors_of
from portal.shortcuts import refusal_message, refusal_show, stored_file_download
from referrals.access import referral_for
from referrals.recipients import guardians_informed_until

from .calendar import counsellor_feed, feed_services
from .forms import (
    ANY_COUNSELLOR,
    CALENDAR_VIEWS,
    AbsenceForm,
    BookingWeekForm,
    CalendarForm,
    CancelForm,
    LetterDispatchForm,
    LetterReceiptForm,
    MeetingTimeForm,
    RescheduleForm,
    shown_by_default,
    week_monday,
)
from .models import CalendarFeed
from .selectors import (
    ALL_COUNSELLORS,
    absence_counsellors_for,
    absence_for,
    absences_of,
    booking_week,
    calendar_counsellors_for,
    calendar_day_of,
    calendar_month_of,
    calendar_period,
    calendar_week_rows_of,
    dashboard_of,
    flag_for,
    letter_for,
    locations_of,
    manages_absences_of,
    meeting_for,
    sees_all_counsellors,
    summons_policy_for,
    unreachable_recipients,
    week_of,
)
from .services import (
    DEFAULT_LENGTH,
    absence_add,
    absence_remove,
    flag_resolve,
    letter_email_retry,
    meeting_book,
    meeting_cancel,
    meeting_reschedule,
    summons_letter_dispatch,
    summons_letter_receipt,
)


def _time_form(request, form_class, *, referral, counsellor_id, length, initial=None):
    """The booking form over a week of free times. Counsellor (or any), length and week come from the query string,
    so moving between weeks is a link; the POST that books carries the counsellor and length it was shown with."""
    counsellors = list(counsellors_of(request.service))
    default = str(counsellor_id) if any(m.user_id == counsellor_id for m in counsellors) else ANY_COUNSELLOR
    asked = request.GET.copy()
    if request.method == "POST":
        for name in ("counsellor", "length_minutes"):
            if name in request.POST:
                asked[name] = request.POST[name]
    week_form = BookingWeekForm(asked, counsellors=counsellors)
    chosen, length, day, first = week_form.asked(counsellor=default, length=length)
    if chosen == ANY_COUNSELLOR:
        # The default counsellor's times first: another counsellor is offered only where they are busy.
        users = sorted((m.user for m in counsellors), key=lambda user: user.pk != counsellor_id)
    else:
        users = [m.user for m in counsellors if str(m.user_id) == chosen]
    # The summons must reach the person first: the free times start after the service's minimum notice; a sooner
    # time agreed by phone is "another time", with a reason.
    earliest = _earliest_offered(request.service)
    problems = [f"{week_form[name].label}: {error}" for name, errors in week_form.errors.items() for error in errors]
    shown = booking_week(
        service=request.service,
        counsellors=users,
        length=datetime.timedelta(minutes=length),
        deadline=referral.attendance_deadline,
        after=earliest,
        day=day,
        first=first,
    )
    if shown["none_found"]:
        problems.append(_("No free time in the opening hours up to two months after the deadline."))
    monday, days, preselected = shown["monday"], shown["days"], shown["preselected"]
    day = timezone.localdate(preselected.starts_at) if preselected else day
    slots = [slot for free_day in days for slot in free_day.slots]
    data = request.POST if request.method == "POST" else None
    form = form_class(
        data,
        counsellors=counsellors,
        slots=slots,
        locations=locations_of(request.service),
        initial={
            "counsellor": chosen,
            "length_minutes": length,
            "other_counsellor": counsellor_id,
            "slot": preselected.value if preselected else None,
            **(initial or {}),
        },
    )
    # Each day with its free times beside their radio buttons (the form's choices come in the same order).
    choices = iter(zip(slots, form["slot"], strict=True))
    week = {
        "days": [{"day": free_day, "choices": [next(choices) for _slot in free_day.slots]} for free_day in days],
        "monday": monday,
        "asked_day": day,
        "today": timezone.localdate(),
        "problems": problems,
        "form": BookingWeekForm(
            initial={"counsellor": chosen, "length_minutes": length, "week": day or monday}, counsellors=counsellors
        ),
        "links": _week_links(chosen, length, monday),
        "after_deadline": any(slot.after_deadline for slot in slots),
    }
    return form, {m.user_id: m.user for m in counsellors}, slots, week


def _week_links(chosen: str, length: int, monday: datetime.date) -> dict[str, str]:
    """The query strings of the week's navigation, keeping the counsellor and the length."""
    keep = {"counsellor": chosen, "length_minutes": length}

    def query(**more) -> str:
        return "?" + urlencode({**keep, **more})

    return {
        "previous": query(week=f"{monday - datetime.timedelta(days=7):%Y-%m-%d}"),
        "next": query(week=f"{monday + datetime.timedelta(days=7):%Y-%m-%d}"),
        "today": query(week=f"{timezone.localdate():%Y-%m-%d}"),
        "first": query(first=1),
    }


def _earliest_offered(service) -> datetime.datetime:
    soonest = timezone.now() + datetime.timedelta(hours=settings.BOOKING_NOTICE_HOURS)
    notice_day = timezone.localdate() + datetime.timedelta(days=summons_policy_for(service).minimum_notice_days)
    return max(soonest, datetime.datetime.combine(notice_day, datetime.time(), timezone.get_current_timezone()))


def _int(value, default):
    try:
        return int(value)
    except (TypeError, ValueError):
        return default


def _booking_wanted(request) -> bool:
    return request.method == "POST" and request.POST.get("action") != "refresh"


@service_view(roles=CASEWORK_ROLES)
def meeting_book_view(request, referral_pk):
    referral = referral_for(request, referral_pk)
    form, counsellors, slots, week = _time_form(
        request,
        MeetingTimeForm,
        referral=referral,
        counsellor_id=referral.assigned_counsellor_id or request.user.pk,
        length=DEFAULT_LENGTH,
    )
    if _booking_wanted(request) and form.is_valid():
        data = form.cleaned_data
        try:
            meeting = meeting_book(
                actor=request.user,
                referral=referral,
                counsellor=counsellors.get(data["counsellor_id"]),
                location=data["location"],
                starts_at=data["starts_at"],
                length_minutes=data["length_minutes"],
                late_reason=data["late_reason"],
                short_notice_reason=data["short_notice_reason"],
            )
        except ValidationError as error:
            refusal_show(form, error)
        else:
            messages.success(request, _("The meeting is booked and the summons letters are made."))
            return redirect("attendance:meeting", service_slug=request.service.slug, meeting_pk=meeting.pk)
    context = {
        "referral": referral,
        "form": form,
        "slots": slots,
        "week": week,
        # Guardians are summoned to a meeting while the person is under 18 on its day (referrals.recipients).
        "guardians_until": guardians_informed_until(referral),
        "today": timezone.localdate(),
        "unreachable": unreachable_recipients(referral, on=timezone.localdate()),
        "minimum_notice_days": summons_policy_for(request.service).minimum_notice_days,
    }
    return render(request, "scheduling/meeting_book.html", context)


@service_view(roles=CASEWORK_ROLES)
def meeting_reschedule_view(request, meeting_pk):
    meeting = meeting_for(request, meeting_pk)
    referral = meeting.referral
    form, counsellors, slots, week = _time_form(
        request, RescheduleForm, referral=referral, counsellor_id=meeting.counsellor_id, length=meeting.length_minutes
    )
    if _booking_wanted(request) and form.is_valid():
        data = form.cleaned_data
        try:
            new = meeting_reschedule(
                actor=request.user,
                meeting=meeting,
                counsellor=counsellors.get(data["counsellor_id"]),
                starts_at=data["starts_at"],
                location=data["location"],
                length_minutes=data["length_minutes"],
                requested_by=data["requested_by"],
                reason=data["reason"],
                late_reason=data["late_reason"],
                short_notice_reason=data["short_notice_reason"],
            )
        except ValidationError as error:
            refusal_show(form, error)
        else:
            messages.success(request, _("The meeting is moved and new summons letters are made."))
            return redirect("attendance:meeting", service_slug=request.service.slug, meeting_pk=new.pk)
    context = {
        "referral": referral,
        "meeting": meeting,
        "form": form,
        "slots": slots,
        "week": week,
        "unreachable": unreachable_recipients(referral, on=timezone.localdate()),
        "minimum_notice_days": summons_policy_for(request.service).minimum_notice_days,
    }
    return render(request, "scheduling/meeting_reschedule.html", context)


@service_view(roles=CASEWORK_ROLES)
def meeting_cancel_view(request, meeting_pk):
    meeting = meeting_for(request, meeting_pk)
    form = CancelForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            meeting_cancel(actor=request.user, meeting=meeting, **form.cleaned_data)
        except ValidationError as error:
            refusal_show(form, error)
        else:
            messages.success(request, _("The meeting is cancelled."))
            return redirect("referrals:detail", service_slug=request.service.slug, referral_pk=meeting.referral_id)
    return render(request, "scheduling/meeting_cancel.html", {"meeting": meeting, "form": form})


@service_view(roles=CASEWORK_ROLES)
def letter_pdf(request, letter_pk):
    letter = letter_for(request, letter_pk)
    referral = letter.meeting.referral
    audit_read(
        actor=request.user,
        action="letter.downloaded",
        obj=letter,
        service=request.service,
        person_id=referral.person_id,
    )
    return stored_file_download(letter.pdf, request=request)


def _letter_refusal(request, letter, form, error: ValidationError | None = None) -> None:
    """The refusal as a message naming the letter, on the meeting page."""
    messages.error(request, f"{letter.recipient_name} – {refusal_message(form, error)}")


def _letter_record(request, letter_pk, *, form_class, prefix: str, record, done: str):
    """Parse the form, call the service that records the letter's dispatch or receipt, and go back to the meeting
    page, which shows either what was recorded or why it was refused."""
    letter = letter_for(request, letter_pk)
    form = form_class(request.POST, prefix=prefix)
    if not form.is_valid():
        _letter_refusal(request, letter, form)
    else:
        try:
            record(actor=request.user, letter=letter, **form.cleaned_data)
        except ValidationError as error:
            _letter_refusal(request, letter, form, error)
        else:
            messages.success(request, done)
    return redirect("attendance:meeting", service_slug=request.service.slug, meeting_pk=letter.meeting_id)


@service_view(roles=CASEWORK_ROLES)
@require_POST
def letter_dispatch_view(request, letter_pk):
    """Record how and when a summons left."""
    return _letter_record(
        request,
        letter_pk,
        form_class=LetterDispatchForm,
        prefix="dispatch",
        record=summons_letter_dispatch,
        done=_("How and when the letter was sent is recorded."),
    )


@service_view(roles=CASEWORK_ROLES)
@require_POST
def letter_receipt_view(request, letter_pk):
    """Record the digital post's receipt for a summons."""
    return _letter_record(
        request,
        letter_pk,
        form_class=LetterReceiptForm,
        prefix="receipt",
        record=summons_letter_receipt,
        done=_("The receipt is recorded."),
    )


@service_view(roles=CASEWORK_ROLES)
def calendar_view(request):
    """The calendar: a day, a week or a month of one counsellor, or for a lead all counsellors side by side."""
    counsellors = list(counsellors_of(request.service))
    form = CalendarForm(request.GET)
    view, today = form.shown_view(), timezone.localdate()
    day = form.shown_day(today)
    shown, side_by_side, refused = calendar_counsellors_for(request.membership, counsellors, form.asked_counsellor())
    users = [m.user for m in shown]
    context = {
        "counsellors": counsellors,
        "week_errors": [*form.problems(), *([refused] if refused else [])],
        "view": view,
        "day": day,
        "today": today,
        "shown": shown[0] if shown else None,
        "side_by_side": side_by_side,
        "all_counsellors": ALL_COUNSELLORS if sees_all_counsellors(request.membership) else None,
    }
    first, last, previous, following = calendar_period(view, day)
    if view == "day":
        context["calendar"] = calendar_day_of(request.service, users, day)
    elif view == "month":
        context["calendar"] = calendar_month_of(request.service, users, day)
    elif side_by_side:
        context["calendar"] = calendar_week_rows_of(request.service, users, first)
    else:
        context["week"] = week_of(request.service, users[0], first) if users else {"days": [], "monday": first}
    who = ALL_COUNSELLORS if side_by_side else (shown[0].user_id if shown else "")
    switch_to = today if first <= today <= last else day
    # At the weekend the week view opens on the coming week; "Today" goes back to the week that ends today.
    coming_week = opens_on if (opens_on := shown_by_default(today)) != week_monday(today) else None
    context["links"] = {
        "previous": _calendar_link(view, previous, who),
        "next": _calendar_link(view, following, who),
        "today": _calendar_link(view, today, who),
        "coming_week": _calendar_link("week", coming_week, who) if coming_week and view == "week" else None,
        # Another view of the period shown opens on today when the period holds it, else on the day shown.
        "views": [(name, label, _calendar_link(name, switch_to, who)) for name, label in CALENDAR_VIEWS],
    }
    return render(request, "scheduling/calendar.html", context)


def _calendar_link(view: str, day: datetime.date, who) -> str:
    return "?" + urlencode({"view": view, "date": day.isoformat(), "counsellor": who})


@service_view(roles=CASEWORK_ROLES)
def calendar_feed_settings(request):
    """The counsellor's private calendar address; making a new one ends the old."""
    feed = CalendarFeed.objects.filter(user=request.user).first()
    if request.method == "POST":
        token = secrets.token_urlsafe(32)
        CalendarFeed.objects.update_or_create(user=request.user, defaults={"token": token})
        messages.success(request, _("A new calendar address is made; the old one no longer works."))
        return redirect("scheduling:calendar_feed_settings", service_slug=request.service.slug)
    url = request.build_absolute_uri(reverse("calendar_feed", args=[feed.token])) if feed else None
    return render(request, "scheduling/calendar_feed.html", {"feed_url": url})


def calendar_feed(request, token):
    """The private iCal feed, for calendar apps that cannot log in: the token is the key. Times, places and
    case numbers only."""
    feed = get_object_or_404(CalendarFeed.objects.select_related("user"), token=token, user__is_active=True)
    if not feed_services(feed.user).exists():
        raise Http404  # works nowhere any more: the address is as dead as a wrong one
    response = HttpResponse(counsellor_feed(feed.user), content_type="text/calendar; charset=utf-8")
    response["Cache-Control"] = "private, max-age=300"
    return response


@service_view(roles=CASEWORK_ROLES)
@require_POST
def flag_resolve_view(request, flag_pk):
    flag = flag_for(request, flag_pk)
    try:
        flag_resolve(actor=request.user, flag=flag)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("The flag is resolved."))
    return redirect("referrals:detail", service_slug=request.service.slug, referral_pk=flag.referral_id)


@service_view(roles=CASEWORK_ROLES)
@require_POST
def letter_resend_view(request, letter_pk):
    letter = letter_for(request, letter_pk)
    letter_email_retry(actor=request.user, letter=letter)
    messages.success(request, _("The letter is queued to be emailed again."))
    return redirect("attendance:meeting", service_slug=request.service.slug, meeting_pk=letter.meeting_id)


@service_view(roles=CASEWORK_ROLES)
def absences(request):
    """Holidays and sick days. A counsellor registers their own; a lead anyone's in the service."""
    lead = request.membership.role == Role.SERVICE_LEAD
    counsellors = absence_counsellors_for(request.membership)
    form = AbsenceForm(request.POST or None, counsellors=counsellors, initial={"counsellor": request.user.pk})
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        chosen_id = data.pop("counsellor")
        chosen = next(m.user for m in counsellors if m.user_id == chosen_id)
        try:
            _absence, clashes = absence_add(actor=request.user, service=request.service, counsellor=chosen, **data)
        except ValidationError as error:
            refusal_show(form, error)
        else:
            messages.success(request, _("The absence is registered; free times leave it out."))
            for meeting in clashes:
                messages.warning(
                    request,
                    _("%(when)s: the meeting with %(name)s falls in the absence and needs moving.")
                    % {
                        "when": date_format(timezone.localtime(meeting.starts_at), "SHORT_DATETIME_FORMAT"),
                        "name": meeting.referral.person.full_name,
                    },
                )
            return redirect("scheduling:absences", service_slug=request.service.slug)
    listed = absences_of(request.service, None if lead else request.user)
    return render(request, "scheduling/absences.html", {"form": form, "absences": listed})


@service_view(roles=CASEWORK_ROLES)
@require_POST
def absence_delete(request, absence_pk):
    absence = absence_for(request.service, absence_pk)
    if not manages_absences_of(request.membership, absence.counsellor_id):
        raise PermissionDenied
    absence_remove(actor=request.user, absence=absence)
    messages.success(request, _("The absence is removed."))
    return redirect("scheduling:absences", service_slug=request.service.slug)


@service_view()
def dashboard(request):
    return render(request, "scheduling/dashboard.html", dashboard_of(request.service, request.user, request.membership))
