"""The fee deadlines sweep: a case whose answer period or appeal period is over is flagged for the service, so
that nobody has to look for it. The sweep decides nothing; a lead or fee officer takes the step."""

from __future__ import annotations

from django.db.models import Q
from django.utils import timezone

from counselling.scheduling.models import FlagKind
from counselling.scheduling.services.flags import flag_raise, flags_resolve

from .models import FeeCase, FeeCaseStatus, FeeOutcome


def fee_deadlines_flag(*, today=None) -> int:
    today = today or timezone.localdate()
    raised = 0
    answer_over = FeeCase.objects.filter(status=FeeCaseStatus.NOTICE_SENT, answer_deadline__lt=today).exclude(
        meeting__flags__kind=FlagKind.FEE_ANSWER_PERIOD_OVER
    )
    for fee_case in answer_over.select_related("meeting"):
        flag = flag_raise(
            kind=FlagKind.FEE_ANSWER_PERIOD_OVER, referral_id=fee_case.referral_id, meeting=fee_case.meeting
        )
        raised += flag is not None
    appeal_over = (
        FeeCase.objects.filter(status=FeeCaseStatus.DECIDED, appeal_deadline__lt=today)
        .filter(Q(outcome=FeeOutcome.IMPOSED))
        .exclude(meeting__flags__kind=FlagKind.FEE_APPEAL_PERIOD_OVER)
    )
    for fee_case in appeal_over.select_related("meeting"):
        flag = flag_raise(
            kind=FlagKind.FEE_APPEAL_PERIOD_OVER, referral_id=fee_case.referral_id, meeting=fee_case.meeting
        )
        raised += flag is not None
    return raised


def fee_deadline_flags_resolve(*, actor, fee_case: FeeCase) -> None:
    """Called by the fee steps that answer a flag: an answer or its absence recorded, an appeal or finality."""
    if fee_case.status != FeeCaseStatus.NOTICE_SENT:
        flags_resolve(
            actor=actor,
            referral=fee_case.referral,
            kinds=[FlagKind.FEE_ANSWER_PERIOD_OVER],
            meeting_id=fee_case.meeting_id,
        )
    if fee_case.status not in {FeeCaseStatus.PROPOSED, FeeCaseStatus.NOTICE_SENT, FeeCaseStatus.DECIDED}:
        flags_resolve(
            actor=actor,
            referral=fee_case.referral,
            kinds=[FlagKind.FEE_APPEAL_PERIOD_OVER],
            meeting_id=fee_case.meeting_id,
        )


def referral_follow_fee_case(*, actor, fee_case: FeeCase) -> None:
    """The case moves on when its fee case ends: closed when the fee is paid, waived, lifted or cancelled;
    back to booking when the absence turned out to have a valid reason."""
    from django.utils.translation import gettext_noop

    from referrals.models import Referral, ReferralStatus
    from referrals.services import timeline_add

    if fee_case.status == FeeCaseStatus.FINAL and fee_case.outcome == FeeOutcome.DROPPED_VALID_REASON:
        status, message = (
            ReferralStatus.VALID_ABSENCE,
            gettext_noop("The absence had a valid reason: book a new meeting."),
        )
    elif (fee_case.status == FeeCaseStatus.FINAL and not fee_case.collectable) or fee_case.status in {
        FeeCaseStatus.PAID,
        FeeCaseStatus.CANCELLED,
    }:
        status, message = ReferralStatus.CLOSED, gettext_noop("Case closed.")
    else:
        return
    if Referral.objects.filter(pk=fee_case.referral_id).exclude(status=status).update(status=status):
        fee_case.referral.status = status
        timeline_add(referral=fee_case.referral, actor=actor, kind="referral.status", message=message)
