"""Reads of attendance, drug testing and police reports, scoped to the service."""

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from portal.models import CASEWORK_ROLES, CounsellingService
from referrals.access import case_object_for
from referrals.models import ReferralStatus, Route

from .models import (
    BREACHES,
    HOLDS_DAY,
    DrugTest,
    DrugTestKind,
    DrugTestOutcome,
    DrugTestStatus,
    PoliceReport,
    RefusalToAttend,
    TestingProgramme,
)
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


def announced_tests_busy(counsellor_ids: list[int], start, end) -> list[tuple]:
    """Announced drug tests hold their collector's time, as meetings do (scheduling.selectors.busy_time_provider)."""
    return list(
        DrugTest.objects.filter(
            collector__in=counsellor_ids,
            kind=DrugTestKind.ANNOUNCED,
            status__in=HOLDS_DAY,
            starts_at__lt=end,
            ends_at__gt=start,
        ).values_list("collector_id", "starts_at", "ends_at")
    )


# Drug testing.


def programme_for(request, pk: int) -> TestingProgramme:
    """The testing programme `pk` on a case of the request's service that the user may open (referrals.access)."""
    programmes = TestingProgramme.objects.filter(referral__service=request.service).select_related(
        "referral__person", "referral__service", "referral__assigned_counsellor", "sample_type"
    )
    return case_object_for(request, programmes, pk, referral_of=lambda programme: programme.referral)


def drug_test_for(request, pk: int) -> DrugTest:
    """The drug test `pk` on a case of the request's service that the user may open."""
    tests = DrugTest.objects.filter(programme__referral__service=request.service).select_related(
        "programme__referral__person",
        "programme__referral__service",
        "programme__referral__assigned_counsellor",
        "programme__sample_type",
        "collector",
        "location",
        "recorded_by",
    )
    return case_object_for(request, tests, pk, referral_of=lambda test: test.programme.referral)


def tests_of(programme: TestingProgramme) -> QuerySet[DrugTest]:
    return programme.tests.exclude(status=DrugTestStatus.CANCELLED).select_related("collector", "location")


def testing_case_page_of(request, referral) -> dict:
    """Drug testing's section of the case page: the programme and its tests (two queries), or whether a
    caseworker may register one (one query)."""
    programme = TestingProgramme.objects.filter(referral=referral).select_related("sample_type").first()
    if programme is None:
        return {
            "testing_programme": None,
            "may_register_testing": request.membership.role in CASEWORK_ROLES
            and referral.route == Route.CONDITION
            and referral.status != "closed",
        }
    tests = list(tests_of(programme))
    counted = [t for t in tests if t.status != DrugTestStatus.SUGGESTED]
    # While the testing runs, it is what a case that needs no meeting (or has had it) waits for.
    waits_for_testing = programme.is_running and (
        not programme.conversation_required or referral.status == ReferralStatus.ATTENDED
    )
    return {
        **({"next_action": "testing", "can_book": False} if waits_for_testing else {}),
        "testing_programme": programme,
        "testing_tests": tests,
        "testing_suggested": [t for t in tests if t.status == DrugTestStatus.SUGGESTED],
        "testing_taken": sum(t.outcome == DrugTestOutcome.TAKEN for t in counted),
        "testing_breaches": sum(t.outcome in BREACHES for t in counted),
        "testing_left_to_plan": max(programme.planned_tests - len(tests), 0),
        "may_register_testing": False,
    }


def tests_of_day(service: CounsellingService, day) -> QuerySet[DrugTest]:
    """The service's planned and recorded tests of `day`, for the dashboard: call-ins and announced tests."""
    return (
        DrugTest.objects.filter(programme__referral__service=service, day=day, status__in=HOLDS_DAY)
        .select_related("programme__referral__person", "collector", "location")
        .order_by("starts_at", "pk")
    )


def announced_tests_between(service: CounsellingService, counsellor_ids: list[int], start, end) -> list[DrugTest]:
    """The announced tests these collectors hold between start and end, for the calendar's test layer."""
    return list(
        DrugTest.objects.filter(
            programme__referral__service=service,
            collector__in=counsellor_ids,
            kind=DrugTestKind.ANNOUNCED,
            status__in=HOLDS_DAY,
            starts_at__lt=end,
            ends_at__gt=start,
        )
        .select_related("programme__referral__person", "location")
        .order_by("starts_at")
    )


def collects_a_test_on(user, now) -> Q:
    """The cases `user` takes a sample on (a standing-access grant, see referrals.access): as the collector of an
    announced test or one they recorded, and, on its day, any test planned for today, because whoever is on duty
    when the person walks in takes the call-in's sample and records it."""
    today = timezone.localdate(now)
    tests = DrugTest.objects.filter(programme__referral=OuterRef("pk"))
    return Q(
        Exists(tests.filter(Q(collector=user) | Q(recorded_by=user), status__in=HOLDS_DAY))
        | Exists(tests.filter(status=DrugTestStatus.PLANNED, day=today))
    )


def testing_dashboard_of(service: CounsellingService, user, membership) -> dict:
    """Today's call-ins and announced tests of the service, for everyone who does casework (one query): whoever is
    on duty takes the sample when the person comes."""
    if membership.role not in CASEWORK_ROLES:
        return {"tests_today": None}
    return {"tests_today": list(tests_of_day(service, timezone.localdate()))}


def testing_only() -> Q:
    """The cases whose drug testing was set without the conversation as a condition: they need no meeting
    (scheduling.selectors.meeting_not_needed)."""
    return Q(Exists(TestingProgramme.objects.filter(referral=OuterRef("pk"), conversation_required=False)))
