"""Reads of referrals, always within one service."""

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404

from counselling.models import CounsellingService

from .models import Referral


def referral_for(service: CounsellingService, pk: int) -> Referral:
    """The referral `pk` of `service`, with what the case page shows; 404 for any other service's."""
    return get_object_or_404(
        Referral.objects.select_related("person", "assigned_counsellor", "regulation", "created_by").filter(
            service=service
        ),
        pk=pk,
    )


def caseload(service: CounsellingService) -> QuerySet[Referral]:
    """All referrals of the service, with what the caseload table shows."""
    return Referral.objects.filter(service=service).select_related("person", "assigned_counsellor")
