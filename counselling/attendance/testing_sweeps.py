"""The drug-testing sweeps: tests whose day is over without an outcome are flagged, and programmes whose period
is over are ended (with their report to the police). Safe to run twice, or in two processes at once: each flag is
unique by its kind and test, and each programme is ended under its lock, once."""

from __future__ import annotations

import logging

from django.core.exceptions import ValidationError
from django.db.models import CharField, Exists, OuterRef, Value
from django.db.models.functions import Cast, Concat
from django.utils import timezone

from counselling.scheduling.models import Flag, FlagKind
from counselling.scheduling.services.flags import flag_raise

from .models import DrugTest, DrugTestStatus, ProgrammeStatus, TestingProgramme
from .services.testing import programme_end

logger = logging.getLogger(__name__)

BATCH = 200


def _about(test_id: int) -> str:
    return f"drugtest:{test_id}"


def drug_test_flags_raise(*, today=None) -> int:
    """Flag every planned test of a past day with no outcome recorded, once. Returns how many were flagged."""
    today = today or timezone.localdate()
    flagged = Flag.objects.filter(kind=FlagKind.TEST_OUTCOME_NOT_RECORDED, about=OuterRef("about"))
    unrecorded = (
        DrugTest.objects.filter(status=DrugTestStatus.PLANNED, day__lt=today)
        .annotate(about=Concat(Value("drugtest:"), Cast("pk", CharField())))
        .exclude(Exists(flagged))
        .values_list("pk", "programme__referral_id")
    )
    return sum(
        flag_raise(kind=FlagKind.TEST_OUTCOME_NOT_RECORDED, referral_id=referral_id, about=_about(pk)) is not None
        for pk, referral_id in unrecorded.iterator()
    )


def programmes_end_due(*, today=None) -> int:
    """End the running programmes whose last day has passed. One that still has a test waiting for its outcome is
    left (that test is flagged) and ended by the first sweep after the outcome is recorded."""
    today = today or timezone.localdate()
    ended = 0
    # Those still waiting for an outcome are left out of the batch, not only skipped in it: they stay first in the
    # order for as long as they wait, and BATCH of them would keep every other due programme from ending.
    waiting = DrugTest.objects.filter(programme=OuterRef("pk"), status=DrugTestStatus.PLANNED, day__lte=today)
    due = (
        TestingProgramme.objects.filter(status=ProgrammeStatus.RUNNING, ends_on__lt=today)
        .exclude(Exists(waiting))
        .order_by("ends_on", "pk")
    )
    for programme in due.only("pk")[:BATCH]:
        try:
            programme_end(actor=None, programme=programme, today=today)
        except ValidationError as refusal:
            logger.info("testing programme %s not ended yet: %s", programme.pk, " ".join(refusal.messages))
            continue
        ended += 1
    return ended
