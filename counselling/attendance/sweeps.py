"""The attendance deadline sweep of the condition route: a case whose person did not attend, and whose attendance
deadline has passed without a new meeting held, gets its non-attendance report to the police, to be sent by the
service, and is closed. Safe to run twice, or in two processes at once: each case is claimed with skip_locked,
checked again under its lock, and a closed case is never found again."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_noop

from counselling.scheduling.models import Meeting, MeetingStatus
from referrals.models import Referral, ReferralStatus, Route
from referrals.services import referral_move

from .models import AttendanceOutcome
from .services.police_reports import police_report_make

BATCH = 200


def _due(today):
    return Referral.objects.filter(
        route=Route.CONDITION, status=ReferralStatus.MISSED, attendance_deadline__lt=today
    ).order_by("attendance_deadline", "pk")


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
        no_show = (
            Meeting.objects.filter(
                referral=referral, status=MeetingStatus.HELD, attendance__outcome=AttendanceOutcome.NO_SHOW
            )
            .order_by("-starts_at")
            .first()
        )
        if no_show is None:
            return False
        police_report_make(actor=None, meeting=no_show)
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
