"""The attendance deadline sweep of the condition route: a case whose person did not attend, and whose attendance
deadline has passed with no new meeting booked, gets its non-attendance report to the police, to be sent by the
service, and is closed. Safe to run twice, or in two processes at once: each case is claimed with skip_locked,
checked again under its lock, and a closed case is never found again."""

from __future__ import annotations

import logging

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone
from django.utils.translation import gettext_noop

from counselling.scheduling.models import FlagKind, Meeting, MeetingStatus
from counselling.scheduling.services.flags import flag_raise
from referrals.models import Referral, ReferralStatus, Route
from referrals.services import referral_move

from .models import AttendanceOutcome
from .services.police_reports import police_report_make

logger = logging.getLogger(__name__)

BATCH = 200


# A case waits for a new meeting after a no-show as "did not attend", or, once a new meeting was booked and then
# cancelled, as received or assigned again.
WAITING = [ReferralStatus.MISSED, ReferralStatus.RECEIVED, ReferralStatus.ASSIGNED]


def _no_shows():
    return Meeting.objects.filter(status=MeetingStatus.HELD, attendance__outcome=AttendanceOutcome.NO_SHOW)


def _due(today):
    """Condition-route cases past their attendance deadline with a recorded no-show, nothing booked, not closed."""
    return (
        Referral.objects.filter(route=Route.CONDITION, status__in=WAITING, attendance_deadline__lt=today)
        .filter(Exists(_no_shows().filter(referral=OuterRef("pk"))))
        .exclude(Exists(Meeting.objects.filter(referral=OuterRef("pk"), status=MeetingStatus.BOOKED)))
        .order_by("attendance_deadline", "pk")
    )


def _report_and_close(referral_id: int, today) -> bool:
    """One case in its own transaction; False when another sweep holds it or it no longer qualifies."""
    with transaction.atomic():
        referral = (
            _due(today)
            .select_for_update(of=("self",), skip_locked=True)
            .select_related("person", "service")
            .filter(pk=referral_id)
            .first()
        )
        if referral is None:
            return False
        no_show = _no_shows().filter(referral=referral).order_by("-starts_at").first()
        try:
            police_report_make(actor=None, meeting=no_show)
        except ValidationError as refusal:
            # Refused, e.g. no proof that its summons left: the case stays open, flagged for a person to see to
            # (raised once), and the sweep goes on with the others.
            logger.warning("No non-attendance report for referral %s: %s", referral.pk, " ".join(refusal.messages))
            flag_raise(kind=FlagKind.DEADLINE_PASSED, referral_id=referral.pk)
            return False
        referral_move(
            actor=None,
            referral=referral,
            to=ReferralStatus.CLOSED,
            kind="referral.closed",
            message=gettext_noop("Case closed: the attendance deadline %(deadline)s passed without attendance."),
            params={"deadline": referral.attendance_deadline.strftime("%d.%m.%Y")},
        )
        return True


def police_reports_for_passed_deadlines(*, today=None) -> int:
    """Report non-attendance to the police for the condition-route cases whose deadline passed after a no-show.
    Returns how many cases were reported and closed."""
    today = today or timezone.localdate()
    done = 0
    seen: set[int] = set()
    while True:
        ids = list(_due(today).exclude(pk__in=seen).values_list("pk", flat=True)[:BATCH])
        if not ids:
            return done
        seen.update(ids)
        done += sum(_report_and_close(pk, today) for pk in ids)
