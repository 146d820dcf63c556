"""Reads of fee settings and fee cases, always within one service."""

from dataclasses import dataclass, field

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404
from django.utils import timezone

from portal.models import CounsellingService
from referrals.access import case_object_for
from referrals.models import Referral, ReferralEvent, ReferralStatus

from .models import FEE_CASE_STEPS, CollectionExport, FeeCase, FeeCaseStatus, FeeLetter, FeeOutcome, FeePolicy


def fee_policy_for(service: CounsellingService) -> FeePolicy:
    """The service's fee policy; a service that has none gets the defaults (fees off) as an unsaved policy,
    so callers never need to ask whether the row exists. Select `fee_policy` with the service to save a query.
    """
    try:
        return service.fee_policy
    except FeePolicy.DoesNotExist:
        return FeePolicy(service=service)


def fee_case_for(request, pk: int) -> FeeCase:
    """The fee case `pk` of a case of the request's service that the user may open (referrals.access), with what
    its page shows."""
    fee_cases = FeeCase.objects.filter(referral__service=request.service).select_related(
        "referral__person",
        "meeting__location",
        "meeting__counsellor",
        "proposed_by",
        "decided_by",
        "hardship_assessed_by",
        "exported_in",
    )
    return case_object_for(request, fee_cases, pk, referral_of=lambda fee_case: fee_case.referral)


def fee_cases_of_referral(referral: Referral) -> QuerySet[FeeCase]:
    return FeeCase.objects.filter(referral=referral).select_related("meeting").order_by("-proposed_at")


def fee_case_events(fee_case: FeeCase) -> QuerySet[ReferralEvent]:
    """The steps of this fee case on the referral's timeline."""
    return ReferralEvent.objects.filter(
        referral_id=fee_case.referral_id, kind__startswith="fee_case.", extra__fee_case=fee_case.pk
    ).select_related("actor")


def fee_letter_for(request, pk: int) -> FeeLetter:
    """The fee letter `pk` on a case of the request's service that the user may open."""
    letters = FeeLetter.objects.filter(fee_case__referral__service=request.service).select_related("fee_case__referral")
    return case_object_for(request, letters, pk, referral_of=lambda letter: letter.fee_case.referral)


def collection_export_for(service: CounsellingService, pk: int) -> CollectionExport:
    return get_object_or_404(CollectionExport.objects.filter(service=service), pk=pk)


def collection_exports_of(service: CounsellingService) -> QuerySet[CollectionExport]:
    return CollectionExport.objects.filter(service=service).select_related("created_by").order_by("-created_at")


# The work list: each open case in the queue of the step it waits for.
QUEUES = [
    ("awaiting_notice", [FeeCaseStatus.PROPOSED]),
    ("awaiting_answer", [FeeCaseStatus.NOTICE_SENT]),
    ("awaiting_decision", [FeeCaseStatus.ANSWERED, FeeCaseStatus.ANSWER_PERIOD_PASSED, FeeCaseStatus.ASSESSED]),
    ("appeal_period", [FeeCaseStatus.DECIDED]),
    (
        "appealed",
        [
            FeeCaseStatus.LATE_APPEAL,
            FeeCaseStatus.LATE_APPEAL_EXPORTED,
            FeeCaseStatus.APPEALED,
            FeeCaseStatus.FORWARDED,
            FeeCaseStatus.APPEAL_CONCLUDED,
        ],
    ),
    ("ready_for_collection", [FeeCaseStatus.FINAL]),
    ("in_collection", [FeeCaseStatus.EXPORTED]),
]
QUEUE_OF_STATUS = {status: name for name, statuses in QUEUES for status in statuses}


@dataclass
class WorkList:
    queues: dict[str, list[FeeCase]] = field(default_factory=dict)

    @property
    def counts(self) -> dict[str, int]:
        return {name: len(cases) for name, cases in self.queues.items()}


def fee_worklist(service: CounsellingService) -> WorkList:
    """The service's open fee cases by queue, in one query. A final decision without a fee has nothing left to do
    and is not listed."""
    cases = (
        FeeCase.objects.filter(referral__service=service, status__in=list(QUEUE_OF_STATUS))
        .select_related("referral__person", "meeting")
        .order_by("proposed_at", "pk")
    )
    worklist = WorkList(queues={name: [] for name, _statuses in QUEUES})
    for fee_case in cases:
        if fee_case.status == FeeCaseStatus.FINAL and not fee_case.collectable:
            continue
        worklist.queues[QUEUE_OF_STATUS[fee_case.status]].append(fee_case)
    return worklist


# Steps of the table that are no button on the case page: the collection export takes its fees from a page of its own.
BATCH_STEPS = frozenset({"export"})


def fee_case_next_steps(fee_case: FeeCase) -> list[str]:
    """The steps fees.services would accept now, in the order a page offers them (the first is the usual one): those
    FEE_CASE_STEPS takes from the case's status, less those that a date or the decision rules out today. The services
    decide; this only spares staff a button that would be refused."""
    today = timezone.localdate()
    return [
        step
        for step in FEE_CASE_STEPS[fee_case.status]
        if step not in BATCH_STEPS and _step_open_today(step, fee_case, today)
    ]


def _step_open_today(step: str, fee_case: FeeCase, today) -> bool:
    if step == "answer_period_passed":
        return today > fee_case.answer_deadline
    if step == "appeal":
        return fee_case.outcome == FeeOutcome.IMPOSED
    if step == "late_appeal":
        # After the appeal deadline, against a fee imposed and never appealed: a decision is appealed once.
        return (
            fee_case.outcome == FeeOutcome.IMPOSED
            and fee_case.appeal_received_on is None
            and fee_case.appeal_deadline is not None  # unknown until the decision is known to have reached the person
            and (fee_case.status != FeeCaseStatus.DECIDED or today > fee_case.appeal_deadline)
        )
    if step == "final" and fee_case.status == FeeCaseStatus.DECIDED:
        # A fee imposed is final once the appeal period is over; a decision without a fee at once.
        # Not before the day the decision reached the person is known.
        return fee_case.outcome != FeeOutcome.IMPOSED or (
            fee_case.appeal_deadline is not None and today > fee_case.appeal_deadline
        )
    return True


def case_page_of(request, referral) -> dict:
    """Fees' part of the case page (referrals.case_page): a no-show under the order route waits for its fee case,
    and once there is one the case page's next step names where the fee case has got to, not the step before it."""
    if referral.status != ReferralStatus.MISSED:
        return {}
    fee_case = FeeCase.objects.filter(referral=referral).order_by("-proposed_at", "-pk").first()
    return {"fee_case_now": fee_case} if fee_case is not None else {}
