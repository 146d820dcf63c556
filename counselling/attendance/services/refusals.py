"""A refusal to attend under the condition route: recorded with its reason, it tells the police at once that the
person did not attend (never why), and closes the case."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from counselling.scheduling.models import MeetingStatus, RequestedBy
from counselling.scheduling.services import meeting_cancel
from portal.audit import audit_change
from referrals.models import Referral, ReferralStatus, Route
from referrals.services import referral_move, timeline_add

from ..models import RefusalToAttend
from .police_reports import police_report_for_refusal


def refusal_to_attend_blocked(referral: Referral, *, refused: bool | None = None) -> str | None:
    """Why a refusal to attend cannot be recorded on the case, or None when it can: the case page offers the form
    exactly when `refusal_to_attend_record` would take it. `refused`: whether one is recorded, when the caller
    knows."""
    if referral.route != Route.CONDITION:
        return _("A refusal to attend is recorded only under the condition route.")
    if referral.status == ReferralStatus.CLOSED:
        return _("The case is closed.")
    if refused if refused is not None else RefusalToAttend.objects.filter(referral=referral).exists():
        return _("A refusal to attend is already recorded on this case.")
    return None


@transaction.atomic
def refusal_to_attend_record(*, actor, referral: Referral, reason: str) -> RefusalToAttend:
    """Record that the person refuses to attend, with the reason (kept by the service, never sent to the police).
    A booked meeting is cancelled, a non-attendance report to the police is made, to be sent, and the case closed."""
    referral = Referral.objects.select_for_update(of=("self",)).select_related("person", "service").get(pk=referral.pk)
    blocked = refusal_to_attend_blocked(referral)
    if blocked:
        raise ValidationError(blocked)
    reason = reason.strip()
    if not reason:
        raise ValidationError(
            {"reason": _("Write what the person said, e.g. “Does not want to come, said so by phone.”")}
        )
    # The cancellation names no reason of its own: what the person said is kept with the refusal.
    for meeting in referral.meetings.filter(status=MeetingStatus.BOOKED):
        meeting_cancel(
            actor=actor, meeting=meeting, requested_by=RequestedBy.PERSON, reason=_("The person refuses to attend.")
        )
    referral.refresh_from_db(fields=["status"])
    refusal = RefusalToAttend.objects.create(referral=referral, reason=reason, recorded_by=actor)
    # The timeline is read by everyone on the case; the reason is on the case page, beside it.
    timeline_add(
        referral=referral,
        actor=actor,
        kind="attendance.refused",
        message=gettext_noop("The person refuses to attend."),
        extra={"refusal": refusal.pk},
    )
    audit_change(
        actor=actor, action="attendance.refused", obj=refusal, service=referral.service, person_id=referral.person_id
    )
    police_report_for_refusal(actor=actor, referral=referral)
    referral_move(
        actor=actor,
        referral=referral,
        to=ReferralStatus.CLOSED,
        kind="referral.closed",
        message=gettext_noop("Case closed."),
    )
    return refusal
