"""Flags: what a counsellor must look at. Raised by sweeps, each thing at most once (unique constraints),
and resolved by the action each asks for."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone
from django.utils.translation import gettext_noop

from referrals.models import Referral, ReferralStatus
from referrals.services import timeline_add, translatable

from ..models import HOLDS_TIME, Flag, FlagKind, Letter, Meeting, MeetingStatus
from ..selectors import needs_no_meeting

ATTENDANCE_GRACE = datetime.timedelta(hours=settings.ATTENDANCE_FLAG_GRACE_HOURS)


def flag_raise(*, kind: str, referral_id: int, **about) -> Flag | None:
    """Raise the flag unless it was raised before (by this sweep, another one, or earlier)."""
    try:
        with transaction.atomic():
            flag = Flag.objects.create(kind=kind, referral_id=referral_id, **about)
    except IntegrityError:
        return None
    timeline_add(
        referral=flag.referral,
        actor=None,
        kind="flag.raised",
        message=gettext_noop("Flag raised: %(kind)s."),
        params={"kind": translatable(FlagKind(kind).label)},
        extra={"flag": flag.pk},
    )
    return flag


def flags_resolve(*, actor, referral: Referral, kinds: list[str], **about) -> int:
    """Resolve the open flags of these kinds on the case (narrowed by meeting=, letter=...), because the action
    they ask for was taken."""
    flags = list(Flag.objects.filter(referral=referral, kind__in=kinds, resolved_at__isnull=True, **about))
    for flag in flags:
        flag.resolved_at = timezone.now()
        flag.resolved_by = actor
        flag.save(update_fields=["resolved_at", "resolved_by"])
        timeline_add(
            referral=referral,
            actor=actor,
            kind="flag.resolved",
            message=gettext_noop("Flag resolved: %(kind)s."),
            params={"kind": translatable(FlagKind(flag.kind).label)},
            extra={"flag": flag.pk},
        )
    return len(flags)


def flags_raise(*, now: datetime.datetime | None = None) -> int:
    """One sweep: meetings over (plus a grace period) without attendance, cases past their attendance deadline
    with no meeting held, letters whose email failed for good. The job only flags: a counsellor decides."""
    now = now or timezone.now()
    raised = 0
    unrecorded = Meeting.objects.filter(status=MeetingStatus.BOOKED, ends_at__lte=now - ATTENDANCE_GRACE).exclude(
        flags__kind=FlagKind.ATTENDANCE_NOT_RECORDED
    )
    for meeting in unrecorded.only("pk", "referral_id"):
        raised += (
            flag_raise(kind=FlagKind.ATTENDANCE_NOT_RECORDED, referral_id=meeting.referral_id, meeting=meeting)
            is not None
        )

    # Nothing held and nothing booked: a late meeting booked with a reason answers the flag until it is
    # cancelled, when the case is flagged again.
    held_or_booked = Meeting.objects.filter(referral=OuterRef("pk"), status__in=HOLDS_TIME)
    open_flag = Flag.objects.filter(referral=OuterRef("pk"), kind=FlagKind.DEADLINE_PASSED, resolved_at__isnull=True)
    overdue = (
        Referral.objects.filter(attendance_deadline__lt=timezone.localdate(now))
        .exclude(status__in=[ReferralStatus.CLOSED, ReferralStatus.MISSED])
        .exclude(Exists(held_or_booked))
        .exclude(Exists(open_flag))
        .exclude(needs_no_meeting())
    )
    for referral in overdue.only("pk"):
        raised += flag_raise(kind=FlagKind.DEADLINE_PASSED, referral_id=referral.pk) is not None

    failed_letters = (
        Letter.objects.filter(emailed_at__isnull=True)
        .exclude(email_error="")
        .exclude(flags__kind=FlagKind.LETTER_FAILED)
        .select_related("meeting")
    )
    for letter in failed_letters:
        raised += (
            flag_raise(kind=FlagKind.LETTER_FAILED, referral_id=letter.meeting.referral_id, letter=letter) is not None
        )
    return raised


# Flags a person resolves by saying what they did; the others are resolved by the action itself (recording
# attendance, booking a meeting).
RESOLVED_BY_HAND = {
    FlagKind.LETTER_FAILED,
    FlagKind.REMINDER_FAILED,
    # A drug-test call-in that did not go out (the person was reached another way, or the test was cancelled), and
    # a programme that ended short of its tests (the lead has seen it; the end report says how many were taken).
    FlagKind.TEST_MESSAGE_FAILED,
    FlagKind.PROGRAMME_SHORT_OF_TESTS,
}


@transaction.atomic
def flag_resolve(*, actor, flag: Flag) -> Flag:
    """A failed letter sent by post instead, or a person reached another way after a failed reminder."""
    from django.core.exceptions import ValidationError
    from django.utils.translation import gettext as _

    flag = Flag.objects.select_for_update().get(pk=flag.pk)
    if flag.kind not in RESOLVED_BY_HAND:
        raise ValidationError(
            _("This flag goes away when you do what it asks: record the attendance or book a meeting.")
        )
    if flag.resolved_at is None:
        flags_resolve(actor=actor, referral=flag.referral, kinds=[flag.kind], pk=flag.pk)
        flag.refresh_from_db()
    return flag
