"""Reads of attendance and police reports, scoped to the service."""

from django.db.models import QuerySet

from portal.models import CASEWORK_ROLES, CounsellingService
from referrals.access import case_object_for
from referrals.models import Route

from .models import PoliceReport, RefusalToAttend
from .services.refusals import refusal_to_attend_blocked


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


def case_page_of(request, referral) -> dict:
    """Attendance's section of the case page (referrals.case_page): a recorded refusal to attend, and whether a
    caseworker may record one (one query, and none on a closed or order-route case without a refusal to show)."""
    refusal = None
    if referral.route == Route.CONDITION:
        refusal = RefusalToAttend.objects.filter(referral=referral).select_related("recorded_by").first()
    may_record = (
        request.membership.role in CASEWORK_ROLES
        and refusal is None
        and refusal_to_attend_blocked(referral, refused=False) is None
    )
    return {"refusal_to_attend": refusal, "may_record_refusal": may_record}
