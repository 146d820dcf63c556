"""Drug testing as a condition: registering the prosecution's programme, planning its tests, recording each
outcome, and ending the programme with its report to the police.

Every change is one transaction that checks it is allowed, and writes the case timeline and the audit log. The
timeline is read by everyone on the case: it names kinds, days and outcomes, never a result or a note.
"""

from __future__ import annotations

import datetime
import random
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from counselling.scheduling.models import HOLDS_TIME, AvailabilityException, Location, Meeting, OpeningHours
from counselling.scheduling.services.flags import flag_raise, flags_resolve
from portal.audit import audit_change
from portal.models import LEAD_ROLES, StaffMembership
from portal.selectors import counsellors_of, staff_name
from portal.workdays import norwegian_public_holidays
from referrals.models import PoliceDistrict, Referral, ReferralStatus, Route
from referrals.services import referral_move, timeline_add, translatable

from ..models import (
    BREACHES,
    HOLDS_DAY,
    CallInChannel,
    CallInMessage,
    CallInPurpose,
    CallInState,
    DrugTest,
    DrugTestKind,
    DrugTestOutcome,
    DrugTestStatus,
    LabResultShared,
    ProgrammeStatus,
    ReportingRule,
    SampleType,
    TestingProgramme,
)

ANNOUNCED_TEST_MINUTES = 15
# An announced test is reminded of the day before, at this time, as meetings are.
ANNOUNCED_REMINDER_AT = datetime.time(10, 0)
# The most tests a programme plans: one a working day for a year.
MOST_TESTS = 250


def _day(value: datetime.date) -> str:
    return value.strftime("%d.%m.%Y")


def call_in_send_time() -> datetime.time:
    hours, minutes = settings.CALL_IN_SEND_TIME.split(":")
    return datetime.time(int(hours), int(minutes))


def _at(day: datetime.date, time: datetime.time) -> datetime.datetime:
    return datetime.datetime.combine(day, time, timezone.get_current_timezone())


def _audit(actor, action: str, obj, referral: Referral, extra: dict | None = None) -> None:
    audit_change(
        actor=actor, action=action, obj=obj, service=referral.service, person_id=referral.person_id, extra=extra
    )


def _lock_programme(programme: TestingProgramme) -> TestingProgramme:
    """The programme under its lock, with its case: every change to a programme or its tests takes it first."""
    return (
        TestingProgramme.objects.select_for_update(of=("self",))
        .select_related("referral__person", "referral__service", "sample_type")
        .get(pk=programme.pk)
    )


# The programme.


@dataclass
class ProgrammeDetails:
    starts_on: datetime.date
    ends_on: datetime.date
    planned_tests: int
    sample_type_id: int
    requester: str
    police_district: str
    prosecution_reference: str
    announced: bool = True
    unannounced: bool = True
    conversation_required: bool = True
    reporting_rule: str = ReportingRule.AT_END
    call_in_by: datetime.time = datetime.time(15, 0)


def programme_blocked(referral: Referral) -> str | None:
    """Why no testing programme can be registered on the case, or None when one can."""
    if referral.status == ReferralStatus.CLOSED:
        return _("The case is closed.")
    if referral.route != Route.CONDITION:
        return _("Drug testing is a condition the prosecution sets: it belongs to a case under the condition route.")
    if TestingProgramme.objects.filter(referral=referral).exists():
        return _("The case already has a testing programme.")
    return None


def _programme_errors(details: ProgrammeDetails) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    if details.ends_on < details.starts_on:
        errors["ends_on"] = [_("The last day cannot be before the first day.")]
    if not 1 <= details.planned_tests <= MOST_TESTS:
        errors["planned_tests"] = [_("Plan between 1 and %(most)d tests.") % {"most": MOST_TESTS}]
    if not (details.announced or details.unannounced):
        errors["announced"] = [_("Choose announced tests, unannounced tests or both.")]
    if not SampleType.objects.filter(pk=details.sample_type_id, is_active=True).exists():
        errors["sample_type_id"] = [_("Choose a sample type in use.")]
    if details.reporting_rule not in ReportingRule.values:
        errors["reporting_rule"] = [_("Choose when the police are told.")]
    if details.police_district not in PoliceDistrict.values:
        # The requisitions and reports name the district by its label: an unknown one would break them later.
        errors["police_district"] = [_("Choose the police district.")]
    for name in ("requester", "prosecution_reference"):
        if not getattr(details, name).strip():
            errors[name] = [_("The requisitions need this: copy it from the prosecution's decision.")]
    if details.call_in_by <= call_in_send_time():
        errors["call_in_by"] = [
            _("Call-ins are sent at %(time)s: choose a later time to meet by.")
            % {"time": call_in_send_time().strftime("%H:%M")}
        ]
    return errors


@transaction.atomic
def programme_register(*, actor, referral: Referral, details: ProgrammeDetails) -> TestingProgramme:
    """Register the prosecution's drug-testing condition on the case, as its decision sets it."""
    referral = Referral.objects.select_for_update(of=("self",)).select_related("service").get(pk=referral.pk)
    blocked = programme_blocked(referral)
    if blocked:
        raise ValidationError(blocked)
    errors = _programme_errors(details)
    if errors:
        raise ValidationError(errors)
    programme = TestingProgramme.objects.create(
        referral=referral,
        starts_on=details.starts_on,
        ends_on=details.ends_on,
        planned_tests=details.planned_tests,
        announced=details.announced,
        unannounced=details.unannounced,
        sample_type_id=details.sample_type_id,
        conversation_required=details.conversation_required,
        requester=details.requester.strip(),
        police_district=details.police_district,
        prosecution_reference=details.prosecution_reference.strip(),
        reporting_rule=details.reporting_rule,
        call_in_by=details.call_in_by,
        registered_by=actor,
    )
    timeline_add(
        referral=referral,
        actor=actor,
        kind="testing.registered",
        message=gettext_noop("Drug testing registered: %(tests)s tests from %(first)s to %(last)s."),
        params={"tests": details.planned_tests, "first": _day(details.starts_on), "last": _day(details.ends_on)},
        extra={"programme": programme.pk},
    )
    _audit(actor, "testing.registered", programme, referral)
    return programme


def tests_counting(programme: TestingProgramme):
    """The tests that count against the planned number: suggested, planned or recorded, not cancelled."""
    return programme.tests.exclude(status=DrugTestStatus.CANCELLED)


def tests_left_to_plan(programme: TestingProgramme) -> int:
    return max(programme.planned_tests - tests_counting(programme).count(), 0)


# Call-in days.


def open_weekdays(service) -> set[int]:
    """The weekdays on which someone at the service has opening hours: the unit is closed on the others."""
    return set(OpeningHours.objects.filter(service=service, location__is_active=True).values_list("weekday", flat=True))


def call_in_days_open(programme: TestingProgramme, *, today: datetime.date | None = None) -> list[datetime.date]:
    """The days a call-in can fall on: in the period, from tomorrow (the plan is made ahead, never for a day already
    begun), on the unit's open weekdays, not a public holiday, not a day the whole unit is away, not a day that
    already has a test."""
    today = today or timezone.localdate()
    weekdays = open_weekdays(programme.referral.service)
    taken = set(tests_counting(programme).values_list("day", flat=True))
    first = max(programme.starts_on, today + datetime.timedelta(days=1))
    days = []
    day = first
    while day <= programme.ends_on:
        if day.weekday() in weekdays and day not in norwegian_public_holidays(day.year) and day not in taken:
            days.append(day)
        day += datetime.timedelta(days=1)
    return _unit_open(programme.referral.service, days)


def _unit_open(service, days: list[datetime.date]) -> list[datetime.date]:
    """Of `days`, those on which at least one counsellor with hours that weekday is not away for all of them."""
    if not days:
        return days
    hours = list(
        OpeningHours.objects.filter(service=service, location__is_active=True).values(
            "counsellor_id", "weekday", "starts", "ends"
        )
    )
    start, end = _at(days[0], datetime.time()), _at(days[-1] + datetime.timedelta(days=1), datetime.time())
    # An absence is the counsellor's wherever it was registered, as booking reads it (collector_busy, _check_slot).
    absences = list(
        AvailabilityException.objects.filter(
            counsellor__in={h["counsellor_id"] for h in hours}, starts_at__lt=end, ends_at__gt=start
        ).values_list("counsellor_id", "starts_at", "ends_at")
    )
    open_days = []
    for day in days:
        # Each counsellor's working day, from their first opening to their last that weekday. Absences are entered
        # as times (a sick day "08:00–16:00"): one that covers those hours keeps them away all day, as one from
        # midnight to midnight does. (Only midnight to midnight used to count, so a unit whose every counsellor
        # was entered as away for the working day still got call-ins.)
        there: dict[int, tuple[datetime.time, datetime.time]] = {}
        for h in hours:
            if h["weekday"] == day.weekday():
                first, last = there.get(h["counsellor_id"], (h["starts"], h["ends"]))
                there[h["counsellor_id"]] = (min(first, h["starts"]), max(last, h["ends"]))
        away = {
            c
            for c, starts, ends in absences
            if c in there and starts <= _at(day, there[c][0]) and ends >= _at(day, there[c][1])
        }
        if set(there) - away:
            open_days.append(day)
    return open_days


def call_in_days_pick(days: list[datetime.date], count: int, rng: random.Random) -> list[datetime.date]:
    """`count` days drawn from `days`, spread over them: the days are cut into `count` stretches of (nearly) equal
    length and one day is drawn at random from each, so the tests neither bunch up nor fall on a pattern."""
    count = min(count, len(days))
    picked = []
    for stretch in range(count):
        first = stretch * len(days) // count
        last = (stretch + 1) * len(days) // count
        picked.append(days[rng.randrange(first, last)])
    return picked


@transaction.atomic
def call_ins_suggest(*, actor, programme: TestingProgramme, count: int | None = None, rng=None) -> list[DrugTest]:
    """Draw call-in days for the tests not yet planned (or `count` of them) and keep them as suggestions for staff
    to confirm. The person is told nothing until the morning of the day."""
    programme = _lock_programme(programme)
    if not programme.is_running:
        raise ValidationError(_("The testing programme has ended."))
    if not programme.unannounced:
        raise ValidationError(_("The prosecution's decision sets no unannounced tests."))
    left = tests_left_to_plan(programme)
    count = left if count is None else count
    if not 1 <= count <= left:
        raise ValidationError(
            {"count": [_("Suggest between 1 and %(left)d call-ins: the others are planned.") % {"left": left}]}
            if left
            else _("Every planned test already has a day.")
        )
    days = call_in_days_open(programme)
    if not days:
        raise ValidationError(_("No open day is left in the period for a call-in."))
    rng = rng or random.SystemRandom()
    tests = DrugTest.objects.bulk_create(
        DrugTest(
            programme=programme,
            kind=DrugTestKind.CALL_IN,
            status=DrugTestStatus.SUGGESTED,
            day=day,
            planned_by=actor,
        )
        for day in sorted(call_in_days_pick(days, count, rng))
    )
    _audit(actor, "testing.call_ins_suggested", programme, programme.referral, extra={"count": len(tests)})
    return tests


def call_in_sent_at(test: DrugTest) -> datetime.datetime:
    return _at(test.day, call_in_send_time())


def _person_messages(test: DrugTest, purpose: str, due_at: datetime.datetime) -> list[CallInMessage]:
    """The messages to the person about `test`, one per channel they can be reached on."""
    person = test.programme.referral.person
    messages = []
    for channel, address in ((CallInChannel.SMS, person.phone), (CallInChannel.EMAIL, person.email)):
        if address:
            messages.append(
                CallInMessage(
                    test=test,
                    purpose=purpose,
                    channel=channel,
                    address=address,
                    language=person.preferred_language or "nb",
                    due_at=due_at,
                )
            )
    return CallInMessage.objects.bulk_create(messages)


def _unreachable(programme: TestingProgramme) -> bool:
    person = programme.referral.person
    return not (person.phone or person.email)


def call_in_location(service) -> Location | None:
    """Where a call-in is met: the service's first active meeting place."""
    return Location.objects.filter(service=service, is_active=True).order_by("pk").first()


@transaction.atomic
def call_in_confirm(*, actor, test: DrugTest) -> DrugTest:
    """Staff confirm a suggested call-in: it is planned, and its SMS and e-mail wait for the morning of the day."""
    programme = _lock_programme(test.programme)
    test = DrugTest.objects.select_for_update().get(pk=test.pk, programme=programme)
    if test.status != DrugTestStatus.SUGGESTED:
        raise ValidationError(_("This call-in is no longer a suggestion."))
    if not programme.is_running:
        raise ValidationError(_("The testing programme has ended."))
    if call_in_sent_at(test) <= timezone.now():
        raise ValidationError(_("The call-in would be sent today or earlier: draw a new day."))
    if _unreachable(programme):
        raise ValidationError(
            _("The person has neither a mobile number nor an e-mail address: add one before a call-in can be sent.")
        )
    test.status = DrugTestStatus.PLANNED
    test.planned_by = actor
    test.location = call_in_location(programme.referral.service)
    test.starts_at = call_in_sent_at(test)
    test.ends_at = _at(test.day, programme.call_in_by)
    test.save(update_fields=["status", "planned_by", "location", "starts_at", "ends_at"])
    test.programme = programme
    _person_messages(test, CallInPurpose.CALL_IN, test.starts_at)
    # The day is kept off the timeline until it has come: anyone on the case could tell the person.
    timeline_add(
        referral=programme.referral,
        actor=actor,
        kind="testing.call_in_planned",
        message=gettext_noop("An unannounced test was planned."),
        extra={"test": test.pk},
    )
    _audit(actor, "testing.call_in_planned", test, programme.referral)
    return test


@transaction.atomic
def call_in_discard(*, actor, test: DrugTest) -> None:
    """Drop a suggested call-in day staff do not want: it is deleted, as it was never more than a suggestion."""
    programme = _lock_programme(test.programme)
    deleted, _rows = DrugTest.objects.filter(pk=test.pk, programme=programme, status=DrugTestStatus.SUGGESTED).delete()
    if not deleted:
        raise ValidationError(_("This call-in is no longer a suggestion."))
    _audit(actor, "testing.call_in_discarded", programme, programme.referral)


# Announced tests.


def _is_assigned_counsellor(programme: TestingProgramme, user) -> bool:
    return user is not None and programme.referral.assigned_counsellor_id == user.pk


def may_allow_own_counsellor(membership: StaffMembership | None) -> bool:
    """Only a lead may let the person's own counsellor take the sample, and must say why."""
    return membership is not None and membership.role in LEAD_ROLES


def _lead_here(membership: StaffMembership | None, programme: TestingProgramme) -> bool:
    """A lead of the programme's own service, still active. The services are handed the actor's membership: a lead
    of another service (or a membership since ended) has no say over this programme, though its role says lead."""
    return (
        may_allow_own_counsellor(membership)
        and membership.is_active
        and membership.service_id == programme.referral.service_id
    )


def _collector_check(programme, collector, *, actor_membership, override_reason: str) -> dict[str, list[str]]:
    """The sample collector is a caseworker of the service, and not the person's own counsellor unless a lead
    allows it with a reason (Helsedirektoratet: the collector must not be treating the person)."""
    service = programme.referral.service
    if collector is None or not counsellors_of(service).filter(user=collector).exists():
        return {"collector": [_("Choose who takes the sample among the service's staff.")]}
    if _is_assigned_counsellor(programme, collector):
        if not _lead_here(actor_membership, programme):
            return {
                "collector": [
                    _(
                        "The person's own counsellor may not take the sample. Choose someone else, or ask a lead "
                        "to allow it with a reason."
                    )
                ]
            }
        if not override_reason.strip():
            return {"collector_override_reason": [_("Say why the person's own counsellor takes the sample.")]}
    return {}


def collector_busy(collector, starts_at: datetime.datetime, ends_at: datetime.datetime, *, ignore=None) -> str | None:
    """What holds the collector's time then: a meeting, an absence or another announced test; None when free."""
    if Meeting.objects.filter(
        counsellor=collector, status__in=HOLDS_TIME, starts_at__lt=ends_at, ends_at__gt=starts_at
    ).exists():
        return _("%(name)s has a meeting at that time.") % {"name": staff_name(collector)}
    if AvailabilityException.objects.filter(
        counsellor=collector, starts_at__lt=ends_at, ends_at__gt=starts_at
    ).exists():
        return _("%(name)s is away at that time.") % {"name": staff_name(collector)}
    tests = DrugTest.objects.filter(
        collector=collector,
        kind=DrugTestKind.ANNOUNCED,
        status__in=HOLDS_DAY,
        starts_at__lt=ends_at,
        ends_at__gt=starts_at,
    )
    if ignore is not None:
        tests = tests.exclude(pk=ignore.pk)
    if tests.exists():
        return _("%(name)s has a drug test at that time.") % {"name": staff_name(collector)}
    return None


@transaction.atomic
def announced_test_book(
    *,
    actor,
    actor_membership,
    programme: TestingProgramme,
    collector,
    location: Location,
    starts_at: datetime.datetime,
    override_reason: str = "",
) -> DrugTest:
    """Book an announced test like a meeting: a free time of the collector at one of the service's places, in the
    period, on an open day; the person gets a notice now and a reminder the day before."""
    programme = _lock_programme(programme)
    referral = programme.referral
    errors: dict[str, list[str]] = {}
    if not programme.is_running:
        raise ValidationError(_("The testing programme has ended."))
    if not programme.announced:
        raise ValidationError(_("The prosecution's decision sets no announced tests."))
    if tests_left_to_plan(programme) < 1:
        raise ValidationError(_("Every planned test already has a day. Cancel one to book another."))
    day = timezone.localdate(starts_at)
    if starts_at <= timezone.now():
        errors["starts_at"] = [_("Choose a time in the future.")]
    elif not programme.starts_on <= day <= programme.ends_on:
        errors["starts_at"] = [
            _("Choose a day in the testing period, %(first)s to %(last)s.")
            % {"first": _day(programme.starts_on), "last": _day(programme.ends_on)}
        ]
    elif day in norwegian_public_holidays(day.year) or day.weekday() not in open_weekdays(referral.service):
        errors["starts_at"] = [_("The unit is closed that day.")]
    elif tests_counting(programme).filter(day=day).exists():
        errors["starts_at"] = [_("The person already has a test that day.")]
    if location is None or location.service_id != referral.service_id or not location.is_active:
        errors["location"] = [_("Choose one of this service's meeting places.")]
    errors.update(
        _collector_check(programme, collector, actor_membership=actor_membership, override_reason=override_reason)
    )
    ends_at = starts_at + datetime.timedelta(minutes=ANNOUNCED_TEST_MINUTES)
    if not errors:
        busy = collector_busy(collector, starts_at, ends_at)
        if busy:
            errors["starts_at"] = [busy]
    if not errors and _unreachable(programme):
        errors["starts_at"] = [
            _("The person has neither a mobile number nor an e-mail address: add one so they can be told of the test.")
        ]
    if errors:
        raise ValidationError(errors)
    override = override_reason.strip() if _is_assigned_counsellor(programme, collector) else ""
    try:
        with transaction.atomic():
            test = DrugTest.objects.create(
                programme=programme,
                kind=DrugTestKind.ANNOUNCED,
                status=DrugTestStatus.PLANNED,
                day=day,
                starts_at=starts_at,
                ends_at=ends_at,
                location=location,
                collector=collector,
                planned_by=actor,
                collector_override_reason=override,
                collector_override_by=actor if override else None,
            )
    except IntegrityError as clash:  # a booking that raced this one won
        raise ValidationError({"starts_at": [_("That time was just taken.")]}) from clash
    now = timezone.now()
    _person_messages(test, CallInPurpose.NOTICE, now)
    reminder_at = _at(day - datetime.timedelta(days=1), ANNOUNCED_REMINDER_AT)
    if reminder_at > now:
        _person_messages(test, CallInPurpose.REMINDER, reminder_at)
    timeline_add(
        referral=referral,
        actor=actor,
        kind="testing.announced_booked",
        message=gettext_noop("Announced drug test booked for %(time)s."),
        params={"time": timezone.localtime(starts_at).strftime("%d.%m.%Y %H:%M")},
        extra={"test": test.pk},
    )
    _audit(actor, "testing.announced_booked", test, referral, extra={"override": bool(override)})
    return test


@transaction.atomic
def drug_test_cancel(*, actor, test: DrugTest, reason: str) -> DrugTest:
    """Cancel a planned test (the person was ill and it was moved, the prosecution changed the plan): what has not
    been sent about it is not sent."""
    programme = _lock_programme(test.programme)
    test = DrugTest.objects.select_for_update().get(pk=test.pk, programme=programme)
    if test.status != DrugTestStatus.PLANNED:
        raise ValidationError(_("Only a planned test can be cancelled."))
    if not reason.strip():
        raise ValidationError({"reason": [_("Say why the test is cancelled.")]})
    test.status = DrugTestStatus.CANCELLED
    test.cancel_reason = reason.strip()
    test.save(update_fields=["status", "cancel_reason"])
    CallInMessage.objects.filter(test=test, state=CallInState.PENDING).update(state=CallInState.CANCELLED)
    flags_resolve(
        actor=actor, referral=programme.referral, kinds=["test_outcome_not_recorded"], about=f"drugtest:{test.pk}"
    )
    timeline_add(
        referral=programme.referral,
        actor=actor,
        kind="testing.cancelled",
        message=gettext_noop("%(kind)s drug test cancelled."),
        params={"kind": translatable(DrugTestKind(test.kind).label)},
        extra={"test": test.pk},
    )
    _audit(actor, "testing.cancelled", test, programme.referral)
    return test


# Outcomes.


@dataclass
class OutcomeDetails:
    outcome: str
    collector_id: int | None = None
    outcome_at: datetime.datetime | None = None
    identity_checked: bool = False
    sampling_observed: bool = False
    sample_sealed: bool = False
    sample_number: str = ""
    note: str = ""
    override_reason: str = ""


def outcome_refusal(test: DrugTest, *, now: datetime.datetime | None = None) -> str | None:
    """Why the outcome of `test` cannot be recorded now, or None when it can."""
    now = now or timezone.now()
    if test.status == DrugTestStatus.RECORDED:
        return _("The outcome of this test is already recorded.")
    if test.status != DrugTestStatus.PLANNED:
        return _("Only a planned test gets an outcome.")
    if test.day > timezone.localdate(now) or (test.starts_at and test.starts_at > now):
        return _("The outcome can be recorded once the test's time has come.")
    return None


def _outcome_errors(test: DrugTest, details: OutcomeDetails, *, actor_membership, now) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    if details.outcome not in DrugTestOutcome.values:
        return {"outcome": [_("Choose what happened.")]}
    if details.outcome_at is not None and (
        details.outcome_at > now + datetime.timedelta(minutes=5) or timezone.localdate(details.outcome_at) != test.day
    ):
        errors["outcome_at"] = [_("Give a time on the day of the test, not in the future.")]
    if details.outcome == DrugTestOutcome.TAKEN:
        missing = [
            label
            for done, label in (
                (details.identity_checked, _("identity checked")),
                (details.sampling_observed, _("sampling observed")),
                (details.sample_sealed, _("sample sealed and labelled")),
            )
            if not done
        ]
        if missing:
            errors["identity_checked"] = [
                _("The procedure for a sanctionary sample needs: %(steps)s.") % {"steps": ", ".join(missing)}
            ]
        if not details.sample_number.strip():
            errors["sample_number"] = [_("Write the sample or requisition number on the label.")]
        collector = get_user_model().objects.filter(pk=details.collector_id).first() if details.collector_id else None
        errors.update(
            _collector_check(
                test.programme, collector, actor_membership=actor_membership, override_reason=details.override_reason
            )
        )
    elif (
        details.sample_number.strip() or details.identity_checked or details.sampling_observed or details.sample_sealed
    ):
        errors["outcome"] = [_("The sampling steps and the sample number are recorded only when a sample was taken.")]
    if details.outcome in (DrugTestOutcome.VALID_ABSENCE, DrugTestOutcome.NOT_POSSIBLE) and not details.note.strip():
        errors["note"] = [_("Give the reason.")]
    if (
        details.outcome == DrugTestOutcome.NO_SHOW
        and test.kind == DrugTestKind.CALL_IN
        and test.ends_at is not None
        and now < test.ends_at
    ):
        # The call-in told the person to come before its time to meet by: until then they have not failed to come
        # (and under "report each breach" the police would hear of a no-show that had not happened).
        errors["outcome"] = [
            _("The person has until %(time)s to come: record a no-show after that.")
            % {"time": timezone.localtime(test.ends_at).strftime("%H:%M")}
        ]
    return errors


@transaction.atomic
def drug_test_outcome_record(*, actor, actor_membership, test: DrugTest, details: OutcomeDetails) -> DrugTest:
    """Record what happened at the test, once. A no-show or refusal under a "report each breach" rule makes its
    report to the police at once (to be sent) and flags it."""
    programme = _lock_programme(test.programme)
    test = DrugTest.objects.select_for_update().get(pk=test.pk, programme=programme)
    test.programme = programme
    now = timezone.now()
    refusal = outcome_refusal(test, now=now)
    if refusal:
        raise ValidationError(refusal)
    errors = _outcome_errors(test, details, actor_membership=actor_membership, now=now)
    if errors:
        raise ValidationError(errors)
    taken = details.outcome == DrugTestOutcome.TAKEN
    test.status = DrugTestStatus.RECORDED
    test.outcome = details.outcome
    test.outcome_at = details.outcome_at or now
    test.identity_checked = details.identity_checked
    test.sampling_observed = details.sampling_observed
    test.sample_sealed = details.sample_sealed
    test.sample_number = details.sample_number.strip()
    test.outcome_note = details.note.strip()
    if taken:
        test.collector_id = details.collector_id
        if _is_assigned_counsellor(programme, test.collector):
            test.collector_override_reason = details.override_reason.strip()
            test.collector_override_by = actor
        else:
            # Someone else took the sample after all: the booking's leave for the own counsellor no longer applies,
            # and the record must not say the own counsellor took it.
            test.collector_override_reason = ""
            test.collector_override_by = None
    test.recorded_by = actor
    test.recorded_at = now
    test.save()
    referral = programme.referral
    flags_resolve(actor=actor, referral=referral, kinds=["test_outcome_not_recorded"], about=f"drugtest:{test.pk}")
    timeline_add(
        referral=referral,
        actor=actor,
        kind="testing.outcome",
        message=gettext_noop("Drug test on %(date)s: %(outcome)s."),
        params={"date": _day(test.day), "outcome": translatable(DrugTestOutcome(test.outcome).label)},
        extra={"test": test.pk},
    )
    _audit(actor, "testing.outcome_recorded", test, referral, extra={"override": bool(test.collector_override_reason)})
    if test.outcome in BREACHES and programme.reporting_rule == ReportingRule.EACH_BREACH:
        from .testing_reports import breach_report_make

        breach_report_make(actor=actor, test=test)
        flag_raise(kind="test_breach", referral_id=referral.pk, about=f"drugtest:{test.pk}")
    return test


@transaction.atomic
def lab_result_record(
    *, actor, actor_membership, test: DrugTest, result: str, shared_on: datetime.date
) -> LabResultShared:
    """A result the police chose to share with the service, recorded by a lead: confidential, never reported."""
    programme = _lock_programme(test.programme)
    if not _lead_here(actor_membership, programme):
        raise ValidationError(_("Only a lead records a result the police shared."))
    test = DrugTest.objects.select_for_update().get(pk=test.pk, programme=programme)
    if test.outcome != DrugTestOutcome.TAKEN:
        raise ValidationError(_("Only a test whose sample was taken has a result."))
    if LabResultShared.objects.filter(test=test).exists():
        raise ValidationError(_("The result of this test is already recorded."))
    errors = {}
    if not result.strip():
        errors["result"] = [_("Write the result as the police shared it.")]
    if shared_on > timezone.localdate() or shared_on < test.day:
        errors["shared_on"] = [_("Give the day the police shared it: after the test and not in the future.")]
    if errors:
        raise ValidationError(errors)
    lab_result = LabResultShared.objects.create(
        test=test, result=result.strip(), shared_on=shared_on, recorded_by=actor
    )
    # The timeline says a result was recorded, never what it is.
    timeline_add(
        referral=programme.referral,
        actor=actor,
        kind="testing.lab_result",
        message=gettext_noop("A result the police shared was recorded for the drug test on %(date)s."),
        params={"date": _day(test.day)},
        extra={"test": test.pk},
    )
    _audit(actor, "testing.lab_result_recorded", lab_result, programme.referral)
    return lab_result


# The end of the programme.


def programme_end_refusal(programme: TestingProgramme, *, today: datetime.date | None = None) -> str | None:
    """Why the programme cannot end now, or None when it can: it is running, its period is over (or a lead ends it
    early) and no test of a past day waits for its outcome."""
    today = today or timezone.localdate()
    if not programme.is_running:
        return _("The testing programme has ended.")
    if programme.tests.filter(status=DrugTestStatus.PLANNED, day__lte=today).exists():
        return _("Record the outcome of every test that has taken place first.")
    return None


def _close_case_after_testing(*, actor, programme: TestingProgramme) -> None:
    """With the programme over, the case closes when nothing else keeps it open: the conversation is not a condition,
    or it was held (the case waits at "attended" while testing goes on)."""
    referral = programme.referral
    if referral.status == ReferralStatus.CLOSED:
        return
    if referral.status == ReferralStatus.ATTENDED or (
        not programme.conversation_required and referral.status in (ReferralStatus.RECEIVED, ReferralStatus.ASSIGNED)
    ):
        referral_move(
            actor=actor,
            referral=referral,
            to=ReferralStatus.CLOSED,
            kind="referral.closed",
            message=gettext_noop("Case closed: the drug testing has ended."),
        )


@transaction.atomic
def programme_end(*, actor, programme: TestingProgramme, today: datetime.date | None = None):
    """End the programme: tests still ahead are cancelled, the end report to the police is made (to be sent), a
    programme with fewer tests taken or called than planned is flagged, and the case closes if nothing else keeps
    it open. Ending it twice changes nothing."""
    from .testing_reports import end_report_make

    today = today or timezone.localdate()
    programme = _lock_programme(programme)
    # The case too, read again under its lock (after the programme's, as nothing locks them the other way round).
    # Attendance is recorded under the case's lock and asks then whether testing runs: without this lock, attendance
    # recorded at the same moment could leave the case at "attended" for a programme that had just ended and so
    # would never close it.
    programme.referral = (
        Referral.objects.select_for_update(of=("self",))
        .select_related("person", "service")
        .get(pk=programme.referral_id)
    )
    if programme.status == ProgrammeStatus.ENDED:
        return programme
    refusal = programme_end_refusal(programme, today=today)
    if refusal:
        raise ValidationError(refusal)
    ahead = programme.tests.filter(Q(status=DrugTestStatus.SUGGESTED) | Q(status=DrugTestStatus.PLANNED, day__gt=today))
    CallInMessage.objects.filter(test__in=ahead, state=CallInState.PENDING).update(state=CallInState.CANCELLED)
    ahead.filter(status=DrugTestStatus.SUGGESTED).delete()
    ahead.update(status=DrugTestStatus.CANCELLED, cancel_reason=_("The testing programme ended."))
    programme.status = ProgrammeStatus.ENDED
    programme.ended_at = timezone.now()
    programme.save(update_fields=["status", "ended_at"])
    referral = programme.referral
    timeline_add(
        referral=referral,
        actor=actor,
        kind="testing.ended",
        message=gettext_noop("Drug testing ended."),
        extra={"programme": programme.pk},
    )
    _audit(actor, "testing.ended", programme, referral)
    end_report_make(actor=actor, programme=programme)
    held = programme.tests.filter(status=DrugTestStatus.RECORDED).exclude(outcome=DrugTestOutcome.VALID_ABSENCE).count()
    if held < programme.planned_tests:
        flag_raise(kind="programme_short_of_tests", referral_id=referral.pk, about=f"programme:{programme.pk}")
    _close_case_after_testing(actor=actor, programme=programme)
    return programme


def testing_running(referral: Referral) -> bool:
    """The case has a drug-testing programme still running: attendance does not close it."""
    return TestingProgramme.objects.filter(referral=referral, status=ProgrammeStatus.RUNNING).exists()
