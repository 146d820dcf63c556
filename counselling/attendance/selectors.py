"""Reads of attendance and police reports, scoped to the service."""

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404

from portal.models import CounsellingService, Role

from .models import PoliceReport


def police_report_for(service: CounsellingService, pk: int) -> PoliceReport:
    return get_object_or_404(PoliceReport.objects.filter(referral__service=service).select_related("referral"), pk=pk)


def police_reports_of(service: CounsellingService) -> QuerySet[PoliceReport]:
    return (
        PoliceReport.objects.filter(referral__service=service)
        .select_related("referral", "sent_by", "created_by")
        .order_by("sent_at", "police_district", "-created_at")
    )


def may_read_confidential(user, membership, referral) -> bool:
    """The assessment and confidential note: the case's assigned counsellor and the service lead only."""
    return membership.role == Role.SERVICE_LEAD or referral.assigned_counsellor_id == user.pk
