"""Reads of referrals, always within one service."""

from django.db.models import Prefetch, QuerySet
from django.shortcuts import get_object_or_404

from counselling.models import CounsellingService

from .models import Referral, SeizedSubstance


def referral_for(service: CounsellingService, pk: int) -> Referral:
    """The referral `pk` of `service`, with what the case page shows; 404 for any other service's."""
    return get_object_or_404(
        Referral.objects.filter(service=service)
        .select_related("person", "assigned_counsellor", "regulation", "created_by")
        .prefetch_related(Prefetch("seized", queryset=SeizedSubstance.objects.select_related("substance"))),
        pk=pk,
    )


def caseload(service: CounsellingService) -> QuerySet[Referral]:
    """All referrals of the service, with what the caseload table shows."""
    return Referral.objects.filter(service=service).select_related("person", "assigned_counsellor")
