"""Reads of referrals, always within one service."""

import datetime

from django.db.models import Q, QuerySet

from portal.models import CASEWORK_ROLES, CounsellingService, Municipality
from portal.selectors import services_for

from .models import Person, Referral


def caseload(service: CounsellingService) -> QuerySet[Referral]:
    """All referrals of the service, with what the caseload table shows."""
    return Referral.objects.filter(service=service).select_related("person", "assigned_counsellor")


def person_known_to(service: CounsellingService, national_id: str) -> Person | None:
    """The person with this (normalised) national ID if the service has a referral for them. A person known
    only to another service is not revealed: that they ever had a drug case is itself confidential."""
    return Person.objects.filter(national_id=national_id, referrals__service=service).distinct().first()


def earlier_referrals(service: CounsellingService, person: Person) -> QuerySet[Referral]:
    return person.referrals.filter(service=service).order_by("-incident_date", "-pk")


def intake_services(user) -> QuerySet[CounsellingService]:
    """The services the user may register referrals in, with the municipalities each serves."""
    return (
        services_for(user)
        .filter(
            memberships__user=user,
            memberships__is_active=True,
            memberships__role__in=CASEWORK_ROLES,
        )
        .distinct()
        .prefetch_related("municipalities")
    )


def municipalities_in_force(on: datetime.date) -> QuerySet[Municipality]:
    return Municipality.objects.filter(valid_from__lte=on).filter(Q(valid_to__isnull=True) | Q(valid_to__gte=on))
