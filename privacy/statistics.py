"""Counts across services, for the deployment's administrators: aggregates only.

Each service is the controller of its own records (README, "Each service is its own controller"). Nothing here
names a person or a case: a service sees its own people on its own pages, and an administrator of the deployment
sees how many there are, per service and in all. Everything is counted in the database, so the page costs the same
few queries with a hundred thousand cases.
"""

from __future__ import annotations

from django.db.models import Count, IntegerField, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce

from portal.models import CounsellingService
from referrals.models import Person, Referral, ReferralStatus
from referrals.personal_data import ANONYMISED_ID_PREFIX


def _count(queryset) -> Subquery:
    counted = queryset.order_by().values("service").annotate(n=Count("pk")).values("n")
    return Coalesce(Subquery(counted, output_field=IntegerField()), 0)


def per_service_counts():
    """Each service's number of person records and of cases, open and closed."""
    referrals = Referral.objects.filter(service=OuterRef("pk"))
    return (
        CounsellingService.objects.annotate(
            person_records=_count(Person.objects.filter(service=OuterRef("pk"))),
            cases=_count(referrals),
            open_cases=_count(referrals.exclude(status=ReferralStatus.CLOSED)),
            closed_cases=_count(referrals.filter(status=ReferralStatus.CLOSED)),
        )
        .order_by("name")
        .values("name", "person_records", "cases", "open_cases", "closed_cases")
    )


def deployment_counts() -> dict:
    """In all: person records, the people they are (one national ID in several services is one person), and how
    many people more than one service knows. Anonymised records count as records, not as people: their number
    says nothing of who they were."""
    identified = Person.objects.exclude(national_id__startswith=ANONYMISED_ID_PREFIX)
    totals = Person.objects.aggregate(
        person_records=Count("pk"),
        anonymised_records=Count("pk", filter=Q(national_id__startswith=ANONYMISED_ID_PREFIX)),
    )
    totals["people"] = identified.values("national_id").distinct().count()
    totals["people_in_several_services"] = (
        identified.order_by()
        .values("national_id")
        .annotate(services=Count("service", distinct=True))
        .filter(services__gt=1)
        .count()
    )
    totals["cases"] = Referral.objects.count()
    return totals
