"""Reads of the organisation, always scoped to what the user may see."""

import datetime
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from django.db import models
from django.db.models import Prefetch, QuerySet
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _

from portal.models import CASEWORK_ROLES, CounsellingService, Role, StaffMembership
from portal.selectors import counsellors_of
from portal.workdays import norwegian_public_holidays
from referrals.access import case_object_for
from referrals.models import Referral, ReferralStatus, Route, waits_for_a_meeting
from referrals.recipients import recipients_of

from .models import (
    HOLDS_TIME,
    AvailabilityException,
    Flag,
    Letter,
    Location,
    Meeting,
    MeetingStatus,
    OpeningHours,
    Reminder,
    ReminderState,
    SummonsPolicy,
)

# Meetings and availability.

SLOT_STEP = datetime.timedelta(minutes=15)
SEARCH_DAYS_AFTER_DEADLINE = 60


@dataclass(frozen=True)
class Slot:
    starts_at: datetime.datetime
    ends_at: datetime.datetime
    location: Location
    after_deadline: bool = False
    counsellor: object = None  # the free times of a week carry whom they are with

    @property
    def value(self) -> str:
        """How a slot travels in a form: start time and location, and the counsellor when the slot names one."""
        value = f"{timezone.localtime(self.starts_at):%Y-%m-%dT%H:%M}|{self.location.pk}"
        return f"{value}|{self.counsellor.pk}" if self.counsellor is not None else value


# Floors above add what else holds a counsellor's time (attendance's announced drug tests), so scheduling never
# imports them: each provider takes (counsellor ids, start, end) and returns (counsellor id, starts, ends) rows, in
# one query whatever the number of counsellors.
BUSY_TIME_PROVIDERS: dict[str, Callable[[list[int], datetime.datetime, datetime.datetime], Iterable[tuple]]] = {}


def busy_time_provider(name: str, provider) -> None:
    """Register what else holds a counsellor's time; registering the same name again replaces it."""
    BUSY_TIME_PROVIDERS[name] = provider


def busy_elsewhere(counsellor_ids: list[int], start: datetime.datetime, end: datetime.datetime) -> list[tuple]:
    """(counsellor id, starts, ends) of everything the floors above say holds these counsellors' time."""
    return [row for provider in BUSY_TIME_PROVIDERS.values() for row in provider(counsellor_ids, start, end)]


def _busy_times(counsellor, start: datetime.datetime, end: datetime.datetime) -> list[tuple]:
    meetings = Meeting.objects.filter(
        counsellor=counsellor, status__in=HOLDS_TIME, starts_at__lt=end, ends_at__gt=start
    ).values_list("starts_at", "ends_at")
    absences = AvailabilityException.objects.filter(
        counsellor=counsellor, starts_at__lt=end, ends_at__gt=start
    ).values_list("starts_at", "ends_at")
    elsewhere = [(starts_at, ends_at) for _id, starts_at, ends_at in busy_elsewhere([counsellor.pk], start, end)]
    return [*meetings, *absences, *elsewhere]


def free_slots(
    *,
    service: CounsellingService,
    counsellor,
    length: datetime.timedelta,
    deadline: datetime.date,
    after: datetime.datetime | None = None,
    limit: int = 12,
) -> list[Slot]:
    """The counsellor's next free times at this service: within their opening hours, not on a Norwegian public
    holiday, clear of their meetings and absences. Times up to the deadline first; when there are none, times
    after it (marked), so a late booking can still be made with a reason."""
    after = after or timezone.now()
    hours = list(
        OpeningHours.objects.filter(service=service, counsellor=counsellor, location__is_active=True)
        .select_related("location")
        .order_by("weekday", "starts")
    )
    if not hours:
        return []
    first_day = timezone.localdate(after)
    last_day = max(deadline, first_day) + datetime.timedelta(days=SEARCH_DAYS_AFTER_DEADLINE)
    zone = timezone.get_current_timezone()
    busy = _busy_times(
        counsellor, after, datetime.datetime.combine(last_day + datetime.timedelta(days=1), datetime.time(), zone)
    )
    slots: list[Slot] = []
    day = first_day
    while day <= last_day and len(slots) < limit:
        if day not in norwegian_public_holidays(day.year):
            for opening in (h for h in hours if h.weekday == day.weekday()):
                start = datetime.datetime.combine(day, opening.starts, zone)
                close = datetime.datetime.combine(day, opening.ends, zone)
                while start + length <= close and len(slots) < limit:
                    end = start + length
                    if start >= after and not any(b_start < end and b_end > start for b_start, b_end in busy):
                        slots.append(Slot(start, end, opening.location, after_deadline=day > deadline))
                    start += SLOT_STEP
        # Once a time before the deadline is found, later days after the deadline are not offered.
        if slots and day >= deadline and not slots[0].after_deadline:
            break
        day += datetime.timedelta(days=1)
    before = [slot for slot in slots if not slot.after_deadline]
    return before or slots


@dataclass(frozen=True)
class FreeDay:
    """One day of the booking page's week: closed (a public holiday or no opening hours), or its free times."""

    date: datetime.date
    holiday: bool = False
    closed: bool = False
    too_soon: bool = False  # open, but every opening ends before the earliest bookable moment
    slots: list[Slot] = field(default_factory=list)


def _opening_hours_of(service: CounsellingService, counsellors: list) -> list[OpeningHours]:
    return list(
        OpeningHours.objects.filter(
            service=service, counsellor__in=[c.pk for c in counsellors], location__is_active=True
        )
        .select_related("location")
        .order_by("weekday", "starts")
    )


def _busy_times_of(counsellors: list, start: datetime.datetime, end: datetime.datetime) -> dict[int, list[tuple]]:
    """Each counsellor's meetings and absences between start and end: two queries whatever their number."""
    ids = [c.pk for c in counsellors]
    busy: dict[int, list[tuple]] = defaultdict(list)
    meetings = Meeting.objects.filter(
        counsellor__in=ids, status__in=HOLDS_TIME, starts_at__lt=end, ends_at__gt=start
    ).values_list("counsellor_id", "starts_at", "ends_at")
    absences = AvailabilityException.objects.filter(
        counsellor__in=ids, starts_at__lt=end, ends_at__gt=start
    ).values_list("counsellor_id", "starts_at", "ends_at")
    for counsellor_id, starts_at, ends_at in [*meetings, *absences, *busy_elsewhere(ids, start, end)]:
        busy[counsellor_id].append((starts_at, ends_at))
    return busy


def _free_on(day, *, hours, busy, counsellors, length, after, deadline) -> list[Slot]:
    """The free start times of one day, one slot per time: with the first counsellor in `counsellors` who is free
    then (the list comes in order of preference)."""
    zone = timezone.get_current_timezone()
    rank = {c.pk: index for index, c in enumerate(counsellors)}
    by_id = {c.pk: c for c in counsellors}
    found: dict[datetime.datetime, Slot] = {}
    openings = sorted((h for h in hours if h.weekday == day.weekday()), key=lambda h: (rank[h.counsellor_id], h.starts))
    for opening in openings:
        start = datetime.datetime.combine(day, opening.starts, zone)
        close = datetime.datetime.combine(day, opening.ends, zone)
        taken = busy.get(opening.counsellor_id, ())
        while start + length <= close:
            end = start + length
            if start >= after and start not in found and not any(b < end and e > start for b, e in taken):
                found[start] = Slot(
                    start, end, opening.location, after_deadline=day > deadline, counsellor=by_id[opening.counsellor_id]
                )
            start += SLOT_STEP
    return sorted(found.values(), key=lambda slot: slot.starts_at)


def free_week(
    *,
    service: CounsellingService,
    counsellors: list,
    length: datetime.timedelta,
    deadline: datetime.date,
    monday: datetime.date,
    after: datetime.datetime,
) -> list[FreeDay]:
    """The week from `monday` as the booking page shows it: per day, the free start times of any of `counsellors`
    (in order of preference) at this service from `after` on, within their opening hours, not on a public holiday,
    clear of their meetings and absences; times after the deadline are marked. Three queries, whatever the number of
    counsellors: opening hours, meetings and absences."""
    zone = timezone.get_current_timezone()
    hours = _opening_hours_of(service, counsellors)
    start = datetime.datetime.combine(monday, datetime.time(), zone)
    busy = _busy_times_of(counsellors, start, start + datetime.timedelta(days=7))
    days = []
    for offset in range(7):
        day = monday + datetime.timedelta(days=offset)
        todays = [h for h in hours if h.weekday == day.weekday()]
        if day in norwegian_public_holidays(day.year):
            days.append(FreeDay(day, holiday=True))
        elif not todays:
            days.append(FreeDay(day, closed=True))
        else:
            too_soon = all(datetime.datetime.combine(day, h.ends, zone) <= after for h in todays)
            slots = _free_on(
                day, hours=todays, busy=busy, counsellors=counsellors, length=length, after=after, deadline=deadline
            )
            days.append(FreeDay(day, too_soon=too_soon, slots=slots))
    return days


def first_free_slot(
    *,
    service: CounsellingService,
    counsellors: list,
    length: datetime.timedelta,
    deadline: datetime.date,
    after: datetime.datetime,
) -> Slot | None:
    """The first free time of any of `counsellors` from `after` on, up to SEARCH_DAYS_AFTER_DEADLINE days after the
    deadline (the booking page's "Next free time"). Three queries, as free_week."""
    zone = timezone.get_current_timezone()
    hours = _opening_hours_of(service, counsellors)
    if not hours:
        return None
    day = timezone.localdate(after)
    last_day = max(deadline, day) + datetime.timedelta(days=SEARCH_DAYS_AFTER_DEADLINE)
    busy = _busy_times_of(
        counsellors, after, datetime.datetime.combine(last_day + datetime.timedelta(days=1), datetime.time(), zone)
    )
    while day <= last_day:
        if day not in norwegian_public_holidays(day.year):
            slots = _free_on(
                day, hours=hours, busy=busy, counsellors=counsellors, length=length, after=after, deadline=deadline
            )
            if slots:
                return slots[0]
        day += datetime.timedelta(days=1)
    return None


def booking_week(
    *,
    service: CounsellingService,
    counsellors: list,
    length: datetime.timedelta,
    deadline: datetime.date,
    after: datetime.datetime,
    day: datetime.date | None = None,
    first: bool = False,
) -> dict:
    """The week the booking page shows: the week of `day`; with `first`, the week of the first free time, which
    comes back as `preselected` (None, and `none_found`, when there is none); otherwise the week of the earliest
    bookable moment `after`, or when nothing is left in that one (late on a Sunday, say) the week of the first free
    time."""
    search = {"service": service, "counsellors": counsellors, "length": length, "deadline": deadline, "after": after}
    preselected = first_free_slot(**search) if first and counsellors else None
    if preselected is not None:
        day = timezone.localdate(preselected.starts_at)
    monday = _monday_of(day or timezone.localdate(after))
    days = free_week(**search, monday=monday) if counsellors else []
    if counsellors and day is None and not any(free_day.slots for free_day in days):
        found = first_free_slot(**search)
        if found is not None and _monday_of(timezone.localdate(found.starts_at)) != monday:
            monday = _monday_of(timezone.localdate(found.starts_at))
            days = free_week(**search, monday=monday)
    return {
        "monday": monday,
        "days": days,
        "preselected": preselected,
        "none_found": first and preselected is None,
    }


def _monday_of(day: datetime.date) -> datetime.date:
    return day - datetime.timedelta(days=day.weekday())


def summons_policy_for(service: CounsellingService) -> SummonsPolicy:
    """The service's summons policy; the defaults (unsaved) when it has none."""
    return SummonsPolicy.objects.filter(service=service).first() or SummonsPolicy(service=service)


def unreachable_recipients(referral: Referral, *, on: datetime.date) -> list[str]:
    """The names of those a summons for a meeting on `on` would go to who have neither a postal address nor an
    e-mail address: their letter could be neither posted nor e-mailed. The booking page warns before booking."""
    names = []
    for guardian in recipients_of(referral, on=on):
        recipient = guardian or referral.person
        if not recipient.postal_address and not recipient.email:
            names.append(guardian.name if guardian else referral.person.full_name)
    return names


def meetings_of_referral(referral) -> QuerySet[Meeting]:
    return (
        Meeting.objects.filter(referral=referral)
        .select_related("counsellor", "location", "attendance")
        .prefetch_related(Prefetch("letters", queryset=Letter.objects.select_related("guardian")))
        .order_by("-starts_at")
    )


def meeting_for(request, pk: int) -> Meeting:
    """The meeting `pk` of a case of the request's service that the user may open (referrals.access)."""
    meetings = Meeting.objects.filter(referral__service=request.service).select_related(
        "referral__person", "referral__assigned_counsellor", "counsellor", "location"
    )
    return case_object_for(request, meetings, pk, referral_of=lambda meeting: meeting.referral)


def letter_for(request, pk: int) -> Letter:
    """The summons letter `pk` of a case of the request's service that the user may open."""
    letters = Letter.objects.filter(meeting__referral__service=request.service).select_related("meeting__referral")
    return case_object_for(request, letters, pk, referral_of=lambda letter: letter.meeting.referral)


def locations_of(service: CounsellingService) -> QuerySet[Location]:
    return Location.objects.filter(service=service, is_active=True)


def week_of(service: CounsellingService, counsellor, monday: datetime.date) -> dict:
    """A counsellor's week at the service: opening hours per day and the meetings that hold time."""
    days = days_of(service, [counsellor], monday, monday + datetime.timedelta(days=6))[counsellor.pk]
    return {"days": days, "monday": monday}


# Floors above draw their own blocks in the calendar: attendance its announced drug tests, under the day's
# "drug_tests". Each layer takes (service, counsellor ids, start, end) and returns objects with `collector_id`,
# `starts_at` and `ends_at`, in one query.
_calendar_layers: dict[str, Callable[..., list]] = {}


def calendar_layer(name: str, layer: Callable[..., list]) -> None:
    _calendar_layers[name] = layer


def days_of(service: CounsellingService, counsellors: list, first: datetime.date, last: datetime.date) -> dict:
    """Each counsellor's days from `first` to `last` (both included), by counsellor id: the day's opening hours at
    the service (none on a public holiday), absences and the meetings that hold time. Three queries (meetings,
    opening hours, absences) however many counsellors, days or meetings."""
    zone = timezone.get_current_timezone()
    start = datetime.datetime.combine(first, datetime.time(), zone)
    end = datetime.datetime.combine(last + datetime.timedelta(days=1), datetime.time(), zone)
    ids = [c.pk for c in counsellors]
    meetings = list(
        Meeting.objects.filter(counsellor__in=ids, status__in=HOLDS_TIME, starts_at__gte=start, starts_at__lt=end)
        .filter(referral__service=service)
        .select_related("referral__person", "location", "counsellor")
        .order_by("starts_at")
    )
    hours = list(
        OpeningHours.objects.filter(service=service, counsellor__in=ids).select_related("location").order_by("starts")
    )
    absences = list(
        AvailabilityException.objects.filter(counsellor__in=ids, starts_at__lt=end, ends_at__gt=start).order_by(
            "starts_at"
        )
    )
    meetings_on: dict = {}
    for meeting in meetings:
        meetings_on.setdefault((meeting.counsellor_id, timezone.localdate(meeting.starts_at)), []).append(meeting)
    tests_on: dict = {}
    for layer in _calendar_layers.values():
        for item in layer(service, ids, start, end):
            tests_on.setdefault((item.collector_id, timezone.localdate(item.starts_at)), []).append(item)
    result = {}
    for pk in ids:
        theirs_hours = [h for h in hours if h.counsellor_id == pk]
        theirs_absences = [a for a in absences if a.counsellor_id == pk]
        days = []
        day = first
        while day <= last:
            holiday = day in norwegian_public_holidays(day.year)
            days.append(
                {
                    "date": day,
                    "holiday": holiday,
                    "hours": [h for h in theirs_hours if h.weekday == day.weekday()],
                    "absences": [
                        a
                        for a in theirs_absences
                        if timezone.localdate(a.starts_at) <= day <= timezone.localdate(a.ends_at)
                        and a.ends_at > datetime.datetime.combine(day, datetime.time(), zone)
                    ],
                    "meetings": meetings_on.get((pk, day), []),
                    "drug_tests": tests_on.get((pk, day), []),
                }
            )
            day += datetime.timedelta(days=1)
        result[pk] = days
    return result


@dataclass(frozen=True)
class CalendarEntry:
    """One line of a day in the calendar: opening hours, an absence or a meeting, with its times on that day (an
    absence over several days is cut to the day it is shown on)."""

    kind: str  # "hours", "absence", "meeting" or "drug_test"
    starts: datetime.datetime
    ends: datetime.datetime
    item: object
    all_day: bool = False


def day_entries(day: dict) -> list[CalendarEntry]:
    """A day of `days_of` in time order: opening hours (not on a public holiday), absences and meetings; at the same
    time, hours before absences before meetings."""
    zone = timezone.get_current_timezone()
    midnight = datetime.datetime.combine(day["date"], datetime.time(), zone)
    next_midnight = datetime.datetime.combine(day["date"] + datetime.timedelta(days=1), datetime.time(), zone)
    entries = []
    if not day["holiday"]:
        for h in day["hours"]:
            starts = datetime.datetime.combine(day["date"], h.starts, zone)
            entries.append(CalendarEntry("hours", starts, datetime.datetime.combine(day["date"], h.ends, zone), h))
    for a in day["absences"]:
        starts, ends = max(timezone.localtime(a.starts_at), midnight), min(timezone.localtime(a.ends_at), next_midnight)
        entries.append(CalendarEntry("absence", starts, ends, a, all_day=starts == midnight and ends == next_midnight))
    for m in day["meetings"]:
        entries.append(CalendarEntry("meeting", timezone.localtime(m.starts_at), timezone.localtime(m.ends_at), m))
    for t in day.get("drug_tests", []):
        entries.append(CalendarEntry("drug_test", timezone.localtime(t.starts_at), timezone.localtime(t.ends_at), t))
    order = {"hours": 0, "absence": 1, "meeting": 2, "drug_test": 2}
    return sorted(entries, key=lambda e: (e.starts, order[e.kind]))


# The first and last hour rows of the side-by-side day, unless a meeting lies outside them.
SIDE_BY_SIDE_HOURS = (8, 15)


def calendar_day_of(service: CounsellingService, counsellors: list, day: datetime.date) -> dict:
    """The day of one or more counsellors: one column per counsellor, its entries in time order."""
    days = days_of(service, counsellors, day, day)
    columns = [{"counsellor": c, "day": days[c.pk][0], "entries": day_entries(days[c.pk][0])} for c in counsellors]
    meetings = [m for column in columns for m in column["day"]["meetings"]]
    # Side by side, the day has a row per hour from the working day's start to its end, widened to every meeting.
    starts = [timezone.localtime(m.starts_at).hour for m in meetings]
    first_hour, last_hour = min([SIDE_BY_SIDE_HOURS[0], *starts]), max([SIDE_BY_SIDE_HOURS[1], *starts])
    hour_rows = [
        {
            "hour": datetime.time(hour),
            "cells": [
                [m for m in column["day"]["meetings"] if timezone.localtime(m.starts_at).hour == hour]
                for column in columns
            ],
        }
        for hour in range(first_hour, last_hour + 1)
    ]
    return {
        "date": day,
        "holiday": day in norwegian_public_holidays(day.year),
        "columns": columns,
        "hour_rows": hour_rows,
    }


def calendar_week_rows_of(service: CounsellingService, counsellors: list, monday: datetime.date) -> dict:
    """The week of several counsellors side by side: one row per counsellor, seven days each."""
    days = days_of(service, counsellors, monday, monday + datetime.timedelta(days=6))
    dates = [monday + datetime.timedelta(days=offset) for offset in range(7)]
    return {
        "monday": monday,
        "dates": [{"date": d, "holiday": d in norwegian_public_holidays(d.year)} for d in dates],
        "rows": [{"counsellor": c, "days": days[c.pk]} for c in counsellors],
    }


# A day of the month grid lists this many meetings, then "+N more" linking to the day.
MONTH_DAY_LISTED = 4


def month_grid(day: datetime.date) -> tuple[datetime.date, datetime.date]:
    """The first and last day the month grid of `day`'s month shows: from the Monday of the week the month starts in
    to the Sunday of the week it ends in."""
    first = day.replace(day=1)
    last = (first + datetime.timedelta(days=32)).replace(day=1) - datetime.timedelta(days=1)
    return first - datetime.timedelta(days=first.weekday()), last + datetime.timedelta(days=6 - last.weekday())


def calendar_period(view: str, day: datetime.date) -> tuple[datetime.date, datetime.date, datetime.date, datetime.date]:
    """The first and last day of the day, week or month `view` shows around `day`, and the days its previous and next
    links go to (the day before or after, the Mondays a week away, the first of the months beside it)."""
    if view == "day":
        return day, day, day - datetime.timedelta(days=1), day + datetime.timedelta(days=1)
    if view == "month":
        first = day.replace(day=1)
        following = (first + datetime.timedelta(days=32)).replace(day=1)
        return (
            first,
            following - datetime.timedelta(days=1),
            (first - datetime.timedelta(days=1)).replace(day=1),
            following,
        )
    monday = day - datetime.timedelta(days=day.weekday())
    week = datetime.timedelta(days=7)
    return monday, monday + datetime.timedelta(days=6), monday - week, monday + week


def calendar_month_of(service: CounsellingService, counsellors: list, day: datetime.date) -> dict:
    """The month of `day` as weeks of seven days (Monday first): each day's meetings of all the counsellors given, in
    time order, whether it is a public holiday and whether someone is away."""
    grid_first, grid_last = month_grid(day)
    days = days_of(service, counsellors, grid_first, grid_last)
    merged = []
    for index in range((grid_last - grid_first).days + 1):
        of_day = [days[c.pk][index] for c in counsellors]
        date = grid_first + datetime.timedelta(days=index)
        meetings = sorted((m for d in of_day for m in d["meetings"]), key=lambda m: m.starts_at)
        merged.append(
            {
                "date": date,
                "in_month": date.month == day.month,
                "holiday": date in norwegian_public_holidays(date.year),
                "meetings": meetings,
                "listed": meetings[:MONTH_DAY_LISTED],
                "more": max(0, len(meetings) - MONTH_DAY_LISTED),
                # Who is away that day (with the kind of the first absence), by counsellor.
                "away": [(c, d["absences"][0]) for c, d in zip(counsellors, of_day, strict=True) if d["absences"]],
            }
        )
    return {
        "first": day.replace(day=1),
        "weeks": [merged[i : i + 7] for i in range(0, len(merged), 7)],
    }


# The calendar's counsellor parameter for the whole service side by side (leads only).
ALL_COUNSELLORS = "all"


def calendar_counsellors_for(membership: StaffMembership, counsellors: list, asked: str) -> tuple[list, bool, str]:
    """Whose calendar is shown: (the memberships, side by side or not, a message when the one asked for is not
    shown). A lead may ask for all counsellors side by side; a counsellor asking for that, or anyone asking for
    someone not in the service, gets their own calendar (or the first counsellor's, when they hold none)."""
    own = next((m for m in counsellors if m.user_id == membership.user_id), None) or (
        counsellors[0] if counsellors else None
    )
    own_list = [own] if own else []
    if asked == ALL_COUNSELLORS:
        if sees_all_counsellors(membership):
            return counsellors, True, ""
        return own_list, False, _("Only a service lead sees all counsellors side by side; your own calendar is shown.")
    if not asked:
        return own_list, False, ""
    chosen = next((m for m in counsellors if str(m.user_id) == asked), None)
    if chosen is None:
        return own_list, False, _("There is no such counsellor in the service; your own calendar is shown.")
    return [chosen], False, ""


def sees_all_counsellors(membership: StaffMembership | None) -> bool:
    """A service lead may see the whole service's calendars side by side."""
    return membership is not None and membership.role == Role.SERVICE_LEAD


def open_flags_of(referral) -> QuerySet[Flag]:
    return Flag.objects.filter(referral=referral, resolved_at__isnull=True).select_related("meeting", "letter")


def failed_reminders_of(referral) -> QuerySet[Reminder]:
    """Failed reminders nobody has dealt with yet (their flag is open), as the dashboard lists them."""
    return (
        Reminder.objects.filter(meeting__referral=referral, state=ReminderState.FAILED)
        .filter(flags__resolved_at__isnull=True)
        .select_related("meeting")
        .distinct()
    )


def flag_for(request, pk: int) -> Flag:
    """The flag `pk` on a case of the request's service that the user may open."""
    flags = Flag.objects.filter(referral__service=request.service).select_related("referral", "letter")
    return case_object_for(request, flags, pk, referral_of=lambda flag: flag.referral)


# Cases that need no meeting although their status would ask for one: attendance's drug testing set without the
# conversation as a condition. Each: () -> a condition on Referral.
_no_meeting_needed: dict[str, Callable[[], models.Q]] = {}


def meeting_not_needed(name: str, condition: Callable[[], models.Q]) -> None:
    _no_meeting_needed[name] = condition


def needs_no_meeting() -> models.Q:
    """The cases that need no meeting, as one condition on Referral (matching none when no floor says so)."""
    condition = models.Q(pk__in=[])
    for each in _no_meeting_needed.values():
        condition |= each()
    return condition


# Floors above add to the dashboard (attendance: today's drug tests), registered from their AppConfig.ready().
_dashboard_sections: dict[str, Callable[..., dict]] = {}


def dashboard_section(name: str, context: Callable[..., dict]) -> None:
    """Register what a floor adds to the dashboard: (service, user, membership) -> context."""
    _dashboard_sections[name] = context


def dashboard_of(service: CounsellingService, user, membership) -> dict:
    """What needs the user today. A lead sees the whole service; a counsellor their own cases and meetings."""
    today = timezone.localdate()
    zone = timezone.get_current_timezone()
    start = datetime.datetime.combine(today, datetime.time(), zone)
    mine = membership.role != Role.SERVICE_LEAD
    meetings = (
        Meeting.objects.filter(
            referral__service=service,
            counsellor=user,
            status__in=HOLDS_TIME,
            starts_at__gte=start,
            starts_at__lt=start + datetime.timedelta(days=2),
        )
        .select_related("referral__person", "location")
        .order_by("starts_at")
    )
    flags = (
        Flag.objects.filter(referral__service=service, resolved_at__isnull=True)
        .select_related("referral__person", "meeting")
        .order_by("-raised_at")
    )
    held = Meeting.objects.filter(referral=models.OuterRef("pk"), status=MeetingStatus.HELD)
    deadlines = (
        Referral.objects.filter(
            service=service, attendance_deadline__gte=today, attendance_deadline__lte=today + datetime.timedelta(days=7)
        )
        .exclude(status=ReferralStatus.CLOSED)
        .exclude(needs_no_meeting())
        # A meeting held answers the deadline, except a no-show on a case that waits for a new meeting before it.
        .exclude(models.Exists(held), ~models.Q(status=ReferralStatus.MISSED, route=Route.CONDITION))
        .select_related("person")
        .order_by("attendance_deadline")
    )
    failed = (
        Reminder.objects.filter(meeting__referral__service=service, state=ReminderState.FAILED)
        .filter(flags__resolved_at__isnull=True)
        .select_related("meeting__referral__person")
        .order_by("-due_at")
    )
    if mine:
        flags = flags.filter(models.Q(referral__assigned_counsellor=user) | models.Q(meeting__counsellor=user))
        deadlines = deadlines.filter(assigned_counsellor=user)
        failed = failed.filter(
            models.Q(meeting__referral__assigned_counsellor=user) | models.Q(meeting__counsellor=user)
        )
    meetings = list(meetings)
    # A lead assigns the cases; those waiting for a counsellor are the lead's to act on.
    unassigned = []
    if not mine:
        unassigned = list(
            Referral.objects.filter(service=service, assigned_counsellor__isnull=True)
            .exclude(status=ReferralStatus.CLOSED)
            .select_related("person")
            .order_by("attendance_deadline")[:50]
        )
    # The user's own cases that wait for a meeting with none booked, and the cases registered this past week (a
    # counsellor's: assigned to them or registered by them; a lead's: the whole service's).
    nothing_booked = list(
        Referral.objects.filter(waits_for_a_meeting(), service=service, assigned_counsellor=user)
        .exclude(needs_no_meeting())
        .select_related("person")
        .order_by("attendance_deadline")[:50]
    )
    recent = Referral.objects.filter(service=service, created_at__gte=start - datetime.timedelta(days=6))
    if mine:
        recent = recent.filter(models.Q(assigned_counsellor=user) | models.Q(created_by=user))
    return {
        "unassigned": unassigned,
        "nothing_booked": nothing_booked,
        "registered_this_week": list(recent.select_related("person").order_by("-created_at")[:50]),
        "meeting_days": [
            (_("Today"), [m for m in meetings if timezone.localdate(m.starts_at) == today]),
            (_("Tomorrow"), [m for m in meetings if timezone.localdate(m.starts_at) != today]),
        ],
        "flags": list(flags[:50]),
        "deadlines": list(deadlines[:50]),
        "failed_reminders": list(failed.distinct()[:50]),
        **{
            key: value
            for section in _dashboard_sections.values()
            for key, value in section(service, user, membership).items()
        },
    }


def manages_absences_of(membership: StaffMembership | None, counsellor_id: int) -> bool:
    """The lead-or-own rule: a service lead registers and removes anyone's absences in the service, a counsellor
    only their own."""
    return membership is not None and (membership.role == Role.SERVICE_LEAD or membership.user_id == counsellor_id)


def absence_counsellors_for(membership: StaffMembership) -> list[StaffMembership]:
    """Whose absences the member may register: those who can hold a case in the service and whose absences the
    member manages."""
    return [m for m in counsellors_of(membership.service) if manages_absences_of(membership, m.user_id)]


def absences_of(service: CounsellingService, counsellor=None) -> QuerySet[AvailabilityException]:
    """Absences from a week ago on, the user's own or (counsellor=None) the whole service's."""
    absences = AvailabilityException.objects.filter(
        service=service, ends_at__gte=timezone.now() - datetime.timedelta(days=7)
    ).select_related("counsellor")
    if counsellor is not None:
        absences = absences.filter(counsellor=counsellor)
    return absences.order_by("starts_at")


def absence_for(service: CounsellingService, pk: int) -> AvailabilityException:
    return get_object_or_404(AvailabilityException.objects.filter(service=service), pk=pk)


def holds_a_meeting_on(user, now) -> models.Q:
    """The cases `user` holds a meeting on (a standing-access grant, see referrals.access). A meeting that is only
    history, moved or cancelled, gives no access."""
    return models.Q(
        models.Exists(Meeting.objects.filter(referral=models.OuterRef("pk"), counsellor=user, status__in=HOLDS_TIME))
    )


def has_a_meeting_booked_with(user) -> models.Q:
    """The cases with a meeting booked with `user`: in their caseload beside those assigned to them."""
    booked = Meeting.objects.filter(referral=models.OuterRef("pk"), counsellor=user, status=MeetingStatus.BOOKED)
    return models.Q(models.Exists(booked))


def next_action_of(referral, booked) -> str:
    """What the case waits for, as the case page names it: "nothing" (closed), "attendance" (record it after the
    booked meeting), "new_meeting" (after a valid absence), "new_meeting_after_no_show" (the condition route, before
    the attendance deadline), "meeting" (book the first), "fee_step" (a no-show under the order route), or "" when
    none of these."""
    if referral.status == ReferralStatus.CLOSED:
        return "nothing"
    if booked is not None:
        return "attendance"
    if referral.waits_for_a_new_meeting_after_a_no_show:
        return "new_meeting_after_no_show"
    if referral.waits_for_a_meeting:
        return "new_meeting" if referral.status == ReferralStatus.VALID_ABSENCE else "meeting"
    if referral.status == ReferralStatus.MISSED:
        return "fee_step"
    return ""


def case_page_of(request, referral) -> dict:
    """Scheduling's section of the case page (referrals.case_page): the meetings, open flags and failed reminders,
    the booked meeting and whether the user may book one."""
    meetings = list(meetings_of_referral(referral))
    booked = next((m for m in meetings if m.status == MeetingStatus.BOOKED), None)
    return {
        "meetings": meetings,
        "flags": list(open_flags_of(referral)),
        "failed_reminders": list(failed_reminders_of(referral)),
        "booked": booked,
        "next_action": next_action_of(referral, booked),
        "can_book": request.membership.role in CASEWORK_ROLES and referral.waits_for_a_meeting,
    }


def booked_counsellor_id(referral) -> int | None:
    """The counsellor of the case's booked meeting, whom a lead assigning the case is offered first."""
    return referral.meetings.filter(status=MeetingStatus.BOOKED).values_list("counsellor_id", flat=True).first()
