"""Booking, moving and cancelling the mandatory meeting."""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, gettext_noop

from portal.audit import audit_change
from portal.models import StaffMembership
from portal.selectors import counsellors_of, staff_name
from referrals.models import Referral, ReferralStatus
from referrals.services import referral_move, timeline_add, translatable

from ..models import (
    HOLDS_TIME,
    AvailabilityException,
    FlagKind,
    Location,
    Meeting,
    MeetingStatus,
    RequestedBy,
)
from ..selectors import busy_elsewhere, manages_absences_of, summons_policy_for
from .flags import flag_raise, flags_resolve
from .letters import summons_letters_make
from .reminders import reminders_cancel, reminders_schedule

DEFAULT_LENGTH = 45
SHORTEST, LONGEST = 15, 240
TAKEN = gettext_lazy("That time was just taken. Choose another time.")


def when(moment: datetime.datetime) -> str:
    """A meeting time as the timeline keeps it (day first, 24-hour clock, Norwegian time)."""
    return timezone.localtime(moment).strftime("%d.%m.%Y %H:%M")


def _check_slot(
    *,
    referral: Referral,
    counsellor,
    location: Location,
    starts_at: datetime.datetime,
    length_minutes: int,
    late_reason: str,
    short_notice_reason: str = "",
    ignore: Meeting | None = None,
) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    if not counsellors_of(referral.service).filter(user=counsellor).exists():
        errors["counsellor"] = [_("Choose a counsellor of this service.")]
    if location.service_id != referral.service_id or not location.is_active:
        errors["location"] = [_("Choose one of this service's meeting places.")]
    if not SHORTEST <= length_minutes <= LONGEST:
        errors["length_minutes"] = [
            _("A meeting lasts between %(shortest)d and %(longest)d minutes.")
            % {"shortest": SHORTEST, "longest": LONGEST}
        ]
    if starts_at <= timezone.now():
        errors["starts_at"] = [_("Choose a time in the future.")]
    if timezone.localdate(starts_at) > referral.attendance_deadline and not late_reason.strip():
        errors["late_reason"] = [_("This time is after the attendance deadline: say why.")]
    notice = short_notice(referral, starts_at)
    if notice is not None and not short_notice_reason.strip() and "starts_at" not in errors:
        errors["short_notice_reason"] = [
            _(
                "The meeting is only %(days)d days away; a summons leaves at least %(minimum)d days before the "
                "meeting. Choose a later time, or say why the notice is shorter."
            )
            % {"days": notice[0], "minimum": notice[1]}
        ]
    if not errors:
        ends_at = starts_at + datetime.timedelta(minutes=length_minutes)
        clashes = Meeting.objects.filter(
            counsellor=counsellor, status__in=HOLDS_TIME, starts_at__lt=ends_at, ends_at__gt=starts_at
        )
        if ignore is not None:
            clashes = clashes.exclude(pk=ignore.pk)
        if clashes.exists():
            errors["starts_at"] = [_("%(name)s already has a meeting at that time.") % {"name": staff_name(counsellor)}]
        elif AvailabilityException.objects.filter(
            counsellor=counsellor, starts_at__lt=ends_at, ends_at__gt=starts_at
        ).exists():
            errors["starts_at"] = [_("%(name)s is away at that time.") % {"name": staff_name(counsellor)}]
        elif busy_elsewhere([counsellor.pk], starts_at, ends_at):
            errors["starts_at"] = [_("%(name)s has a drug test at that time.") % {"name": staff_name(counsellor)}]
    return errors


def short_notice(referral: Referral, starts_at: datetime.datetime) -> tuple[int, int] | None:
    """(days until the meeting, the service's minimum notice) when a meeting at `starts_at` booked today is sooner
    than the minimum notice for its summons; None when the notice is long enough."""
    minimum = summons_policy_for(referral.service).minimum_notice_days
    days = (timezone.localdate(starts_at) - timezone.localdate()).days
    return (days, minimum) if days < minimum else None


def _short_notice_record(*, actor, referral: Referral, meeting: Meeting, reason: str) -> None:
    """A summons with less than the minimum notice keeps its reason, on the meeting and in the timeline."""
    notice = short_notice(referral, meeting.starts_at)
    if notice is None:
        return
    meeting.short_notice_reason = reason.strip()
    meeting.save(update_fields=["short_notice_reason"])
    timeline_add(
        referral=referral,
        actor=actor,
        kind="meeting.short_notice",
        message=gettext_noop(
            "Summons with %(days)s days' notice, less than the minimum of %(minimum)s days. Reason: %(reason)s"
        ),
        params={"days": notice[0], "minimum": notice[1], "reason": meeting.short_notice_reason},
        extra={"meeting": meeting.pk},
    )


def _meeting_create(
    *,
    actor,
    referral: Referral,
    counsellor,
    location: Location,
    starts_at: datetime.datetime,
    length_minutes: int,
    late_reason: str,
    replaces: Meeting | None = None,
) -> Meeting:
    meeting = Meeting(
        referral=referral,
        counsellor=counsellor,
        location=location,
        starts_at=starts_at,
        ends_at=starts_at + datetime.timedelta(minutes=length_minutes),
        late_reason=late_reason.strip(),
        booked_by=actor,
        replaces=replaces,
    )
    try:
        with transaction.atomic():
            meeting.save()
    except IntegrityError as error:
        # Two bookings of one slot at the same moment: the exclusion constraint lets exactly one through.
        if "meeting_no_double_booking" not in str(error):
            raise
        raise ValidationError({"starts_at": [TAKEN]}) from None
    return meeting


def _locked(referral: Referral) -> Referral:
    # Only the case's row: locking the joined service row too would queue every booking in the service.
    return Referral.objects.select_for_update(of=("self",)).select_related("person", "service").get(pk=referral.pk)


@transaction.atomic
def meeting_book(
    *,
    actor,
    referral: Referral,
    counsellor,
    location: Location,
    starts_at: datetime.datetime,
    length_minutes: int = DEFAULT_LENGTH,
    late_reason: str = "",
    short_notice_reason: str = "",
) -> Meeting:
    """Book the meeting and make its summons letters (to the person, and to each guardian of a minor). A meeting
    sooner than the service's minimum notice needs `short_notice_reason`, kept on the meeting and the timeline."""
    referral = _locked(referral)
    if referral.status == ReferralStatus.CLOSED:
        raise ValidationError(_("The case is closed."))
    if referral.meetings.filter(status=MeetingStatus.BOOKED).exists():
        raise ValidationError(_("The case already has a booked meeting: move it instead."))
    if not referral.waits_for_a_meeting:
        raise ValidationError(
            _("The case is %(status)s: it does not wait for a meeting.")
            % {"status": referral.get_status_display().lower()}
        )
    errors = _check_slot(
        referral=referral,
        counsellor=counsellor,
        location=location,
        starts_at=starts_at,
        length_minutes=length_minutes,
        late_reason=late_reason,
        short_notice_reason=short_notice_reason,
    )
    if errors:
        raise ValidationError(errors)
    meeting = _meeting_create(
        actor=actor,
        referral=referral,
        counsellor=counsellor,
        location=location,
        starts_at=starts_at,
        length_minutes=length_minutes,
        late_reason=late_reason,
    )
    referral_move(actor=actor, referral=referral, to=ReferralStatus.BOOKED, message=None)  # "Meeting booked" below
    reminders_schedule(meeting=meeting)
    flags_resolve(actor=actor, referral=referral, kinds=[FlagKind.DEADLINE_PASSED])
    timeline_add(
        referral=referral,
        actor=actor,
        kind="meeting.booked",
        message=gettext_noop("Meeting booked for %(when)s with %(name)s at %(place)s."),
        params={"when": when(meeting.starts_at), "name": staff_name(counsellor), "place": location.name},
        extra={"meeting": meeting.pk},
    )
    _short_notice_record(actor=actor, referral=referral, meeting=meeting, reason=short_notice_reason)
    audit_change(
        actor=actor, action="meeting.booked", obj=meeting, service=referral.service, person_id=referral.person_id
    )
    summons_letters_make(actor=actor, meeting=meeting)
    return meeting


def _booked(meeting: Meeting) -> Meeting:
    meeting = Meeting.objects.select_for_update().get(pk=meeting.pk)
    if meeting.status != MeetingStatus.BOOKED:
        raise ValidationError(
            _("This meeting is %(status)s and cannot be changed.") % {"status": meeting.get_status_display().lower()}
        )
    return meeting


def _set_aside(meeting: Meeting, *, status: str, actor, requested_by: str, reason: str) -> None:
    """Mark a booked meeting moved or cancelled, keeping who asked, why, who did it and when; its reminders
    that have not gone out are cancelled."""
    meeting.status = status
    meeting.change_requested_by = requested_by
    meeting.change_reason = reason.strip()
    meeting.changed_by = actor
    meeting.changed_at = timezone.now()
    meeting.save(update_fields=["status", "change_requested_by", "change_reason", "changed_by", "changed_at"])
    reminders_cancel(meeting=meeting)
    flags_resolve(actor=actor, referral=meeting.referral, kinds=[FlagKind.MEETING_IN_ABSENCE], meeting=meeting)


def _check_change(requested_by: str, reason: str) -> dict[str, list[str]]:
    errors = {}
    if requested_by not in RequestedBy.values:
        errors["requested_by"] = [_("Say who asked for the change.")]
    if not reason.strip():
        errors["reason"] = [_("Give the reason.")]
    return errors


@transaction.atomic
def meeting_reschedule(
    *,
    actor,
    meeting: Meeting,
    starts_at: datetime.datetime,
    location: Location,
    requested_by: str,
    reason: str,
    counsellor=None,
    length_minutes: int | None = None,
    late_reason: str = "",
    short_notice_reason: str = "",
) -> Meeting:
    """Move the meeting: the old one is kept, marked rescheduled with who asked and why; the new one gets
    fresh summons letters, with the minimum notice as when booking."""
    referral = _locked(meeting.referral)
    old = _booked(meeting)
    counsellor = counsellor or old.counsellor
    length_minutes = length_minutes or old.length_minutes
    errors = _check_change(requested_by, reason)
    errors.update(
        _check_slot(
            referral=referral,
            counsellor=counsellor,
            location=location,
            starts_at=starts_at,
            length_minutes=length_minutes,
            late_reason=late_reason,
            short_notice_reason=short_notice_reason,
            ignore=old,
        )
    )
    if errors:
        raise ValidationError(errors)
    _set_aside(old, status=MeetingStatus.RESCHEDULED, actor=actor, requested_by=requested_by, reason=reason)
    new = _meeting_create(
        actor=actor,
        referral=referral,
        counsellor=counsellor,
        location=location,
        starts_at=starts_at,
        length_minutes=length_minutes,
        late_reason=late_reason,
        replaces=old,
    )
    reminders_schedule(meeting=new)
    timeline_add(
        referral=referral,
        actor=actor,
        kind="meeting.rescheduled",
        message=gettext_noop("Meeting moved from %(old)s to %(new)s. Asked for by: %(who)s. Reason: %(reason)s"),
        params={
            "old": when(old.starts_at),
            "new": when(new.starts_at),
            "who": translatable(RequestedBy(requested_by).label),
            "reason": old.change_reason,
        },
        extra={"meeting": new.pk, "replaces": old.pk},
    )
    _short_notice_record(actor=actor, referral=referral, meeting=new, reason=short_notice_reason)
    audit_change(
        actor=actor, action="meeting.rescheduled", obj=new, service=referral.service, person_id=referral.person_id
    )
    summons_letters_make(actor=actor, meeting=new)
    return new


@transaction.atomic
def meeting_cancel(*, actor, meeting: Meeting, requested_by: str, reason: str) -> Meeting:
    """Cancel the meeting with a reason; the case waits for a new booking."""
    referral = _locked(meeting.referral)
    meeting = _booked(meeting)
    errors = _check_change(requested_by, reason)
    if errors:
        raise ValidationError(errors)
    _set_aside(meeting, status=MeetingStatus.CANCELLED, actor=actor, requested_by=requested_by, reason=reason)
    # A closed case stays closed: cancelling a fee case closes its case even while a new meeting is booked, and
    # that meeting can still be cancelled.
    if referral.status != ReferralStatus.CLOSED:
        waiting = ReferralStatus.ASSIGNED if referral.assigned_counsellor_id else ReferralStatus.RECEIVED
        referral_move(actor=actor, referral=referral, to=waiting, message=None)  # "Meeting … cancelled" below
    timeline_add(
        referral=referral,
        actor=actor,
        kind="meeting.cancelled",
        message=gettext_noop("Meeting on %(when)s cancelled. Asked for by: %(who)s. Reason: %(reason)s"),
        params={
            "when": when(meeting.starts_at),
            "who": translatable(RequestedBy(requested_by).label),
            "reason": meeting.change_reason,
        },
        extra={"meeting": meeting.pk},
    )
    audit_change(
        actor=actor, action="meeting.cancelled", obj=meeting, service=referral.service, person_id=referral.person_id
    )
    return meeting


@transaction.atomic
def absence_add(
    *,
    actor,
    service,
    counsellor,
    kind: str,
    starts_at: datetime.datetime,
    ends_at: datetime.datetime,
    note: str = "",
) -> tuple[AvailabilityException, list[Meeting]]:
    """Register a counsellor's absence (holiday, sick day...): the service lead for anyone who holds cases in the
    service, a counsellor for themselves. Their free times skip it at once; the booked meetings inside it are
    returned so they can be moved — they are never moved silently."""
    if not counsellors_of(service).filter(user=counsellor).exists():
        raise ValidationError({"counsellor": _("Choose a counsellor of this service.")})
    actor_membership = StaffMembership.objects.active().filter(user=actor, service=service).first()
    if not manages_absences_of(actor_membership, counsellor.pk):
        raise ValidationError({"counsellor": _("You can register only your own absences.")})
    if ends_at <= starts_at:
        raise ValidationError({"ends_at": _("The absence must end after it starts.")})
    absence = AvailabilityException.objects.create(
        service=service, counsellor=counsellor, kind=kind, starts_at=starts_at, ends_at=ends_at, note=note.strip()
    )
    audit_change(actor=actor, action="absence.added", obj=absence, service=service)
    clashes = list(
        Meeting.objects.filter(
            counsellor=counsellor, status=MeetingStatus.BOOKED, starts_at__lt=ends_at, ends_at__gt=starts_at
        ).select_related("referral__person")
    )
    for meeting in clashes:  # flagged on the case and the dashboard until the meeting is moved
        flag_raise(kind=FlagKind.MEETING_IN_ABSENCE, referral_id=meeting.referral_id, meeting=meeting)
    return absence, clashes


@transaction.atomic
def absence_remove(*, actor, absence: AvailabilityException) -> None:
    """Remove an absence; meetings it was the only clash for are no longer flagged."""
    audit_change(actor=actor, action="absence.removed", obj=absence, service=absence.service)
    flagged = Meeting.objects.filter(
        flags__kind=FlagKind.MEETING_IN_ABSENCE, flags__resolved_at__isnull=True, counsellor_id=absence.counsellor_id
    ).select_related("referral")
    absence.delete()
    for meeting in flagged:
        still_away = AvailabilityException.objects.filter(
            counsellor_id=meeting.counsellor_id, starts_at__lt=meeting.ends_at, ends_at__gt=meeting.starts_at
        ).exists()
        if not still_away:
            flags_resolve(actor=actor, referral=meeting.referral, kinds=[FlagKind.MEETING_IN_ABSENCE], meeting=meeting)
