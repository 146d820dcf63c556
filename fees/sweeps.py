"""The fee deadlines sweep: a case whose answer period or appeal period is over is flagged for the service, so
that nobody has to look for it. The sweep decides nothing; a lead or fee officer takes the step, which resolves the
flag (fees.services)."""

from __future__ import annotations

from django.db.models import Q
from django.utils import timezone

from counselling.scheduling.models import FlagKind
from counselling.scheduling.services.flags import flag_raise

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
