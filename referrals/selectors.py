"""Reads of referrals, always within one service."""

import datetime

from django.core.exceptions import ValidationError
from django.db.models import BooleanField, ExpressionWrapper, Q, QuerySet, Value

from portal.models import CASEWORK_ROLES, CounsellingService, Municipality
from portal.selectors import services_for

from .access import opens_without_reason
from .identity import normalise_national_id
from .models import Person, Referral


def caseload(service: CounsellingService) -> QuerySet[Referral]:
    """All referrals of the service, with what the caseload table shows."""
    return Referral.objects.filter(service=service).select_related("person", "assigned_counsellor")


def persons_of(service: CounsellingService) -> QuerySet[Person]:
    """The service's own person records: another service's record of the same person is never among them."""
    return Person.objects.filter(service=service)


def person_known_to(service: CounsellingService, national_id: str) -> Person | None:
    """The service's record of the person with this (normalised) national ID. A person known only to another
    service is not revealed: that they ever had a drug case is itself confidential."""
    return persons_of(service).filter(national_id=national_id).select_related("municipality").first()


def earlier_referrals(service: CounsellingService, person: Person) -> QuerySet[Referral]:
    return person.referrals.filter(service=service).order_by("-incident_date", "-pk")


def persons_by_audit_id(service: CounsellingService, person_ids) -> dict[int, Person]:
    """The service's records of the persons the audit log's events name by these ids (Person.audit_person_ids):
    an event from before records were per service carries the shared record's id, which in this service means the
    service's own copy."""
    ids = {pk for pk in person_ids if pk is not None}
    if not ids:
        return {}
    found = {}
    for person in persons_of(service).filter(Q(pk__in=ids) | Q(shared_record_id__in=ids)):
        for pk in person.audit_person_ids:
            if pk in ids:
                found[pk] = person
    return found


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


class SearchKind:
    """What a search was taken to be, as the access log records it (never the national ID itself)."""

    NATIONAL_ID = "national_id"
    REFERENCE = "reference"
    NAME = "name"


def national_id_in(text: str) -> str | None:
    """The national ID (or D-number) `text` is, normalised; None when it is not a valid one."""
    digits = text.replace(" ", "")
    if len(digits) != 11 or not digits.isdigit():
        return None
    try:
        return normalise_national_id(digits)
    except ValidationError:
        return None


def case_search(service: CounsellingService, user, membership, text: str) -> tuple[str, QuerySet[Referral]]:
    """The service's cases that match `text`, newest incident first, each with `needs_reason` (a counsellor opens
    it only after stating one): a valid national ID matches the person exactly; other digits the police reference;
    words each match a first or last name, or the whole text the police reference."""
    cases = caseload(service)
    national_id = national_id_in(text)
    if national_id:
        kind, found = SearchKind.NATIONAL_ID, cases.filter(person__national_id=national_id)
    elif text.replace(" ", "").isdigit():
        kind, found = SearchKind.REFERENCE, cases.filter(police_reference__icontains=text.replace(" ", ""))
    else:
        words = Q()
        for word in text.split():
            words &= Q(person__first_name__icontains=word) | Q(person__last_name__icontains=word)
        kind, found = SearchKind.NAME, cases.filter(words | Q(police_reference__icontains=text))
    granted = opens_without_reason(user, membership)
    needs_reason = Value(False) if granted is None else ExpressionWrapper(~granted, output_field=BooleanField())
    return kind, found.annotate(needs_reason=needs_reason).order_by("-incident_date", "-pk")
