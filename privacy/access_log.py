"""Reading the access log: what service leads review, the unusual patterns it flags, and a person's own log.

The pattern rules live here and only here:

- **outside caseload**: a counsellor (their role in the service at the time of the read) opens a person or a
  case of a person whose referrals in the service are not assigned to them and with whom they have no meeting.
  Leads and fee officers work across the whole service, so their reads are not flagged by this rule.
  Assignment is as it stands now: a case reassigned since shows its reads by the former counsellor as
  outside their caseload, which is what a lead reviewing it wants to see.
- **out of hours**: before 07:00 or from 18:00 Norwegian time, on a Saturday or Sunday, or on a Norwegian
  public holiday (`portal.workdays`).

A lead reviewing the access log itself (`access_log.viewed`) is never flagged by either rule: the review
is the oversight, it shows who read what rather than the person's case, and flagging it would fill the
list a lead checks at night with their own checking. It stays in the log and in the person's own log.
Exports (the person's access log, the full data export) are flagged like any other read.

Both are computed in the database (annotations), so the list, its summary and its filters agree and a page
costs a fixed number of queries.
"""

from __future__ import annotations

import datetime

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db.models import (
    BooleanField,
    Case,
    Count,
    Exists,
    OuterRef,
    Q,
    QuerySet,
    Value,
    When,
)
from django.db.models.functions import ExtractHour, ExtractIsoWeekDay, TruncDate
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from counselling.attendance.models import Attendance, NeedsAssessment, PoliceReport, RefusalToAttend
from counselling.scheduling.models import Letter, Meeting
from fees.models import FeeCase, FeeLetter
from portal.models import AuditEvent, CounsellingService, Role, StaffMembership
from portal.workdays import is_working_day, norwegian_public_holidays
from referrals.identity import normalise_national_id
from referrals.models import Person, Referral
from referrals.selectors import persons_of

WORKDAY_START = datetime.time(7)
WORKDAY_END = datetime.time(18)
ACCESS_KINDS = [AuditEvent.Kind.READ, AuditEvent.Kind.EXPORT]
# Reads that are the review itself, never flagged as unusual (see the module docstring).
REVIEW_ACTIONS = ["access_log.viewed"]

# What a read was, in plain words, for the lead's list and the person's own log.
ACTION_LABELS = {
    "referral.viewed": _("Opened the case"),
    "referral.break_the_glass": _("Opened a case not assigned to them, giving a reason"),
    "person.looked_up": _("Looked the person up when registering a referral"),
    "person.viewed_in_admin": _("Opened the person's record in the administration"),
    "referral.viewed_in_admin": _("Opened the case in the administration"),
    "meeting.viewed": _("Opened a meeting"),
    "assessment.viewed": _("Read the needs assessment and confidential note"),
    "letter.downloaded": _("Opened a summons letter"),
    "police_report.downloaded": _("Opened a report to the police"),
    "fee_case.viewed": _("Opened the fee case"),
    "fee_letter.downloaded": _("Opened a fee letter"),
    "access_log.viewed": _("Reviewed the access log"),
    "access_log.person_exported": _("Exported the access log about the person"),
    "data_export.exported": _("Exported all data held about the person"),
}


def action_label(action: str) -> str:
    return str(ACTION_LABELS.get(action, action))


def is_out_of_hours(moment: datetime.datetime) -> bool:
    """The rule in Python, for one moment (the database annotation below says the same)."""
    local = timezone.localtime(moment)
    return not is_working_day(local.date()) or not (WORKDAY_START <= local.time() < WORKDAY_END)


def _holidays_around(today: datetime.date) -> list[datetime.date]:
    # The log is reviewed for recent years; older reads on a holiday still count as weekend/evening reads.
    return sorted(day for year in range(today.year - 10, today.year + 2) for day in norwegian_public_holidays(year))


def _out_of_hours_condition() -> Q:
    return ~Q(action__in=REVIEW_ACTIONS) & (
        Q(local_hour__lt=WORKDAY_START.hour)
        | Q(local_hour__gte=WORKDAY_END.hour)
        | Q(local_weekday__gte=6)
        | Q(local_date__in=_holidays_around(timezone.localdate()))
    )


def _outside_caseload_condition() -> Q:
    counsellor_then = StaffMembership.objects.filter(
        user=OuterRef("actor"),
        service=OuterRef("service"),
        role=Role.COUNSELLOR,
        started_at__lte=OuterRef("occurred_at"),
    ).filter(Q(ended_at__isnull=True) | Q(ended_at__gte=OuterRef("occurred_at")))
    # The event names the person by the id of the service's record, or by the shared record's id for events from
    # before records were per service (Person.audit_person_ids).
    the_person = Q(person_id=OuterRef("person_id")) | Q(person__shared_record_id=OuterRef("person_id"))
    assigned = Referral.objects.filter(the_person, service=OuterRef("service"), assigned_counsellor=OuterRef("actor"))
    met = Meeting.objects.filter(
        Q(referral__person_id=OuterRef("person_id")) | Q(referral__person__shared_record_id=OuterRef("person_id")),
        referral__service=OuterRef("service"),
        counsellor=OuterRef("actor"),
    )
    return (
        Q(person_id__isnull=False, actor__isnull=False)
        & ~Q(action__in=REVIEW_ACTIONS)
        & Q(Exists(counsellor_then))
        & ~Q(Exists(assigned) | Exists(met))
    )


def access_log_of(service: CounsellingService) -> QuerySet[AuditEvent]:
    """Every read and export in the service, newest first, with `out_of_hours` and `outside_caseload`."""
    zone = timezone.get_current_timezone()
    return (
        AuditEvent.objects.filter(service=service, kind__in=ACCESS_KINDS)
        .select_related("actor")
        .annotate(
            local_hour=ExtractHour("occurred_at", tzinfo=zone),
            local_weekday=ExtractIsoWeekDay("occurred_at", tzinfo=zone),
            local_date=TruncDate("occurred_at", tzinfo=zone),
        )
        .annotate(
            out_of_hours=Case(When(_out_of_hours_condition(), then=Value(True)), default=Value(False)),
            outside_caseload=Case(
                When(_outside_caseload_condition(), then=Value(True)),
                default=Value(False),
                output_field=BooleanField(),
            ),
        )
        .order_by("-occurred_at", "-id")
    )


def access_log_summary(events: QuerySet[AuditEvent]) -> dict:
    """The flags in numbers: in total, and per staff member with any, most first."""
    totals = events.aggregate(
        reads=Count("id"),
        outside_caseload_count=Count("id", filter=Q(outside_caseload=True)),
        out_of_hours_count=Count("id", filter=Q(out_of_hours=True)),
    )
    # Grouped by the flags too (a Count filtered on an annotation cannot follow values() here), summed below.
    groups = (
        events.filter(Q(outside_caseload=True) | Q(out_of_hours=True))
        .order_by()
        .values("actor_label", "outside_caseload", "out_of_hours")
        .annotate(n=Count("id"))
    )
    per_staff: dict[str, dict] = {}
    for group in groups:
        row = per_staff.setdefault(
            group["actor_label"], {"actor_label": group["actor_label"], "outside_caseload": 0, "out_of_hours": 0}
        )
        for flag in ("outside_caseload", "out_of_hours"):
            row[flag] += group["n"] if group[flag] else 0
    ranked = sorted(per_staff.values(), key=lambda r: (-r["outside_caseload"], -r["out_of_hours"], r["actor_label"]))
    return {
        "reads": totals["reads"],
        "outside_caseload": totals["outside_caseload_count"],
        "out_of_hours": totals["out_of_hours_count"],
        "per_staff": ranked[:10],
    }


def persons_in_service(service: CounsellingService, query: str) -> QuerySet[Person]:
    """The service's own person records, found by national ID (whole number) or by name."""
    persons = persons_of(service)
    query = query.strip()
    digits = query.replace(" ", "")
    if digits.isdigit():
        try:
            return persons.filter(national_id=normalise_national_id(digits))
        except ValidationError:
            return persons.none()
    words = Q()
    for word in query.split():
        words &= Q(first_name__icontains=word) | Q(last_name__icontains=word)
    return persons.filter(words) if query else persons.none()


def person_in_service(service: CounsellingService, pk: int) -> Person:
    """The service's record `pk`; 404 for another service's (which is not revealed)."""
    return get_object_or_404(persons_of(service), pk=pk)


def case_objects(referral: Referral) -> Q:
    """The audit events about one case: the referral and what hangs on it (meetings, letters, fee cases...)."""
    related = {
        Referral: [referral.pk],
        Meeting: Meeting.objects.filter(referral=referral).values_list("pk", flat=True),
        Letter: Letter.objects.filter(meeting__referral=referral).values_list("pk", flat=True),
        Attendance: Attendance.objects.filter(meeting__referral=referral).values_list("pk", flat=True),
        RefusalToAttend: RefusalToAttend.objects.filter(referral=referral).values_list("pk", flat=True),
        NeedsAssessment: NeedsAssessment.objects.filter(attendance__meeting__referral=referral).values_list(
            "pk", flat=True
        ),
        PoliceReport: PoliceReport.objects.filter(referral=referral).values_list("pk", flat=True),
        FeeCase: FeeCase.objects.filter(referral=referral).values_list("pk", flat=True),
        FeeLetter: FeeLetter.objects.filter(fee_case__referral=referral).values_list("pk", flat=True),
    }
    types = ContentType.objects.get_for_models(*related)
    condition = Q(pk__in=[])
    for model, ids in related.items():
        condition |= Q(object_type=types[model], object_id__in=[str(pk) for pk in ids])
    return condition


def access_log_about(service: CounsellingService, person: Person) -> list[dict]:
    """A person's own access log in this service (Normen): who read or exported what, when, and why.

    Only this service's log: each service answers for itself, and another service's reads would reveal that
    the person had a case there.
    """
    events = list(
        AuditEvent.objects.filter(service=service, person_id__in=person.audit_person_ids, kind__in=ACCESS_KINDS)
        .select_related("actor", "service")
        .order_by("occurred_at", "id")
    )
    roles = _roles_at(service, events)
    return [
        {
            "time": timezone.localtime(event.occurred_at),
            "staff": (event.actor.get_full_name() or event.actor_label) if event.actor else event.actor_label,
            "role": roles.get(event.pk, ""),
            "service": event.service.name,
            "what": action_label(event.action),
            "reason": event.reason,
        }
        for event in events
    ]


def _roles_at(service: CounsellingService, events: list[AuditEvent]) -> dict[int, str]:
    """Each event's actor's role in the service when it happened, in words."""
    actor_ids = {event.actor_id for event in events if event.actor_id}
    memberships = list(StaffMembership.objects.filter(service=service, user_id__in=actor_ids).order_by("started_at"))
    roles = {}
    for event in events:
        for membership in memberships:
            if membership.user_id != event.actor_id or membership.started_at > event.occurred_at:
                continue
            if membership.ended_at is None or membership.ended_at >= event.occurred_at:
                roles[event.pk] = str(membership.get_role_display())
    return roles
