"""Reads of attendance and police reports, scoped to the service."""

from django.db.models import QuerySet

from portal.models import CounsellingService
from referrals.access import case_object_for

from .models import PoliceReport


def police_report_for(request, pk: int) -> PoliceReport:
    """The police report `pk` on a case of the request's service that the user may open (referrals.access)."""
    reports = PoliceReport.objects.filter(referral__service=request.service).select_related("referral")
    return case_object_for(request, reports, pk, referral_of=lambda report: report.referral)


def police_reports_of(service: CounsellingService) -> QuerySet[PoliceReport]:
    return (
        PoliceReport.objects.filter(referral__service=service)
        .select_related("referral", "sent_by", "created_by")
        .order_by("sent_at", "police_district", "-created_at")
    )
