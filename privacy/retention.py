"""Retention: personal data leaves when its time is up, the counts for statistics stay.

Administrators set a period per service and record type (`privacy.models.RetentionRule`): each service is the
controller of its own cases, and the sweep runs on each service's cases by that service's rules alone. A type
without a rule is kept. Once a day the sweep (`retention_sweep`, Celery task `portal.retention_sweep`, and
`manage.py retention [--dry-run]`) anonymises the concluded cases whose last event is older than
the period. What goes, field by field, each app declares next to its models (`portal.personal_data`, in the
app's `personal_data.py`); this module decides which cases and persons are due:

- **closed_case**: the declared steps for the case and every row that belongs to it — today the guardians'
  identity and contact details, the police reference, the needs assessment with its confidential note,
  free-text reasons (absence, late booking, rescheduling, the fee case's answers, hardship assessment,
  decision and appeal texts), reminder addresses, letter recipients, and the reasons written on the
  timeline — and the person's identity and contact details, once *every* referral on the service's record of the
  person is past its period. Each service is the controller of its own record (referrals.models.Person), so
  another service's cases of the same person neither hold this one back nor are touched by it;
- **letters**: the declared files (summons letters, police reports and fee letters) are deleted from storage,
  the database's document table by default (the rows stay, so it remains known that a letter was sent and when).

What stays: the referral, person and meeting rows, dates, route, classification, seizure, status,
attendance outcome, fee amounts and outcomes, the person's birth year and municipality.

A case is *concluded* when its status is closed or did-not-attend. It is never touched while it has an
open fee case (anything not paid, cancelled, or final without a fee to collect: this includes a pending
appeal), or a legal hold (`Referral.legal_hold`, set with `legal_hold_set`).

Every step leaves alone the rows that already hold their anonymised values (`Anonymise.pending`), so a second
run changes nothing; each run writes one audit event per service with rules, with that service's counts.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import Exists, F, Model, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from fees.models import COLLECTABLE_APPEAL_OUTCOMES, FeeCase, FeeCaseStatus, FeeOutcome
from portal import personal_data
from portal.audit import audit_change
from portal.models import CounsellingService
from portal.personal_data import ANONYMISED as ANONYMISED  # callers name the placeholder by the sweep that writes it
from referrals.models import Person, Referral, ReferralEvent, ReferralStatus
from referrals.services import timeline_add

from .models import RecordType, RetentionRule

CONCLUDED = [ReferralStatus.CLOSED, ReferralStatus.MISSED]
RETENTION_EVENT = "retention.anonymised"


def _fee_case_closed() -> Q:
    collectable = Q(outcome=FeeOutcome.IMPOSED, appeal_outcome__in=COLLECTABLE_APPEAL_OUTCOMES)
    return Q(status__in=[FeeCaseStatus.PAID, FeeCaseStatus.CANCELLED]) | (Q(status=FeeCaseStatus.FINAL) & ~collectable)


def retention_blocked() -> Q:
    """Referrals the sweep never touches, whatever their age: a legal hold, or an open fee case or appeal."""
    open_fee_case = FeeCase.objects.filter(referral=OuterRef("pk")).exclude(_fee_case_closed())
    return Q(legal_hold=True) | Q(Exists(open_fee_case))


def referrals_with_last_activity() -> QuerySet[Referral]:
    """Referrals with `last_activity`: their last timeline event (the sweep's own left out), or registration."""
    last_event = (
        ReferralEvent.objects.filter(referral=OuterRef("pk"))
        .exclude(kind__startswith="retention.")
        .order_by("-occurred_at")
        .values("occurred_at")[:1]
    )
    return Referral.objects.annotate(last_activity=Coalesce(Subquery(last_event), F("created_at")))


def expired_referrals(service, days: int, *, now: datetime.datetime | None = None) -> QuerySet[Referral]:
    """The service's concluded referrals last active more than `days` ago and not blocked."""
    cutoff = (now or timezone.now()) - datetime.timedelta(days=days)
    return (
        referrals_with_last_activity()
        .filter(service=service, status__in=CONCLUDED, last_activity__lt=cutoff)
        .exclude(retention_blocked())
    )


@dataclass
class RetentionResult:
    dry_run: bool
    # Each service's rules, by the service's name.
    rules: dict[str, dict[str, int]] = field(default_factory=dict)
    # Summed over the services.
    counts: dict[str, int] = field(default_factory=dict)
    referral_ids: list[int] = field(default_factory=list)

    def add(self, service_name: str, rules: dict[str, int], counts: dict[str, int], referral_ids: list[int]):
        self.rules[service_name] = rules
        for name, count in counts.items():
            self.counts[name] = self.counts.get(name, 0) + count
        self.referral_ids += referral_ids

    @property
    def total(self) -> int:
        return sum(self.counts.values())


def _rows_beneath(declaration: personal_data.PersonalData, model: type[Model], ids: list[int]) -> QuerySet | None:
    """The declaration's rows that belong to the `model` rows with these ids (those rows themselves, for `model`'s
    own declaration), or None when its rows belong to no such row."""
    lookup = personal_data.lookup_to(declaration, model)
    return None if lookup is None else declaration.model.objects.filter(**{f"{lookup}__in": ids})


def _anonymise_beneath(result: RetentionResult, model: type[Model], ids: list[int], apply: bool) -> None:
    """Each app's declared steps for the `model` rows with these ids and for every row that belongs to them."""
    for declaration in personal_data.declarations():
        rows = _rows_beneath(declaration, model, ids)
        if rows is None:
            continue
        for step in declaration.anonymise:
            result.counts[step.count_as] = step.run(rows, apply=apply)


def _anonymise_cases(result: RetentionResult, referral_ids: list[int], apply: bool) -> None:
    _anonymise_beneath(result, Referral, referral_ids, apply)
    # Once per case, the timeline says why its texts now read as they do.
    already = ReferralEvent.objects.filter(referral_id__in=referral_ids, kind=RETENTION_EVENT).values_list(
        "referral_id", flat=True
    )
    new = sorted(set(referral_ids) - set(already))
    result.counts["cases"] = len(new)
    if apply:
        ReferralEvent.objects.bulk_create(
            ReferralEvent(
                referral_id=pk,
                kind=RETENTION_EVENT,
                message=gettext_noop("Personal data anonymised: the retention period has passed."),
            )
            for pk in new
        )


def _anonymise_persons(result: RetentionResult, referral_ids: list[int], apply: bool) -> None:
    """Only a person record all of whose referrals have passed their period (a record and its referrals belong to
    one service)."""
    not_expired = Referral.objects.filter(person=OuterRef("pk")).exclude(pk__in=referral_ids)
    persons = Person.objects.filter(referrals__in=referral_ids).exclude(Exists(not_expired)).distinct()
    _anonymise_beneath(result, Person, list(persons.values_list("pk", flat=True)), apply)


def _delete_letter_files(result: RetentionResult, referral_ids: list[int], apply: bool) -> None:
    """The files the apps declare go from storage; the rows keep their file name, so a download answers 404, not
    500."""
    names: list[str] = []
    for declaration in personal_data.declarations():
        rows = _rows_beneath(declaration, Referral, referral_ids)
        if rows is None:
            continue
        for file_field in declaration.files:
            names += rows.values_list(file_field, flat=True)
    names = [name for name in names if name]
    # The database's documents (portal.storage) are looked up and deleted in one query each, and go with the
    # sweep's transaction: a sweep that rolls back keeps them.
    transactional = getattr(default_storage, "transactional", False)
    present = default_storage.existing(names) if transactional else [n for n in names if default_storage.exists(n)]
    result.counts["letter_files"] = len(present)
    if not (apply and present):
        return
    if transactional:
        default_storage.delete_many(present)
    else:
        # An object store is no part of the transaction: after commit, so a sweep that rolls back loses no file.
        transaction.on_commit(lambda: [default_storage.delete(name) for name in present])


def retention_rules(service) -> dict[str, int]:
    return dict(RetentionRule.objects.filter(service=service).values_list("record_type", "retention_days"))


def retention_sweep(*, dry_run: bool = False, now: datetime.datetime | None = None) -> RetentionResult:
    """Anonymise what has passed its retention period (or, with dry_run, count what would go), service by service,
    each by its own rules."""
    now = now or timezone.now()
    result = RetentionResult(dry_run=dry_run)
    services = CounsellingService.objects.filter(pk__in=RetentionRule.objects.values("service_id")).order_by(
        "name", "pk"
    )
    for service in services:
        with transaction.atomic():
            rules = retention_rules(service)
            swept = RetentionResult(dry_run=dry_run)
            if RecordType.CLOSED_CASE in rules:
                ids = list(
                    expired_referrals(service, rules[RecordType.CLOSED_CASE], now=now).values_list("pk", flat=True)
                )
                swept.referral_ids = ids
                _anonymise_persons(swept, ids, apply=not dry_run)
                _anonymise_cases(swept, ids, apply=not dry_run)
            if RecordType.LETTERS in rules:
                ids = list(expired_referrals(service, rules[RecordType.LETTERS], now=now).values_list("pk", flat=True))
                _delete_letter_files(swept, ids, apply=not dry_run)
            if not dry_run:
                audit_change(
                    actor=None,
                    action="retention.swept",
                    service=service,
                    extra={"counts": swept.counts, "rules": rules, "referrals": swept.referral_ids},
                )
        result.add(service.name, rules, swept.counts, swept.referral_ids)
    return result


# Legal hold: a case kept out of the sweep, by a service lead or an administrator, with who and why.


@transaction.atomic
def legal_hold_set(*, actor, referral: Referral, hold: bool, reason: str = "") -> Referral:
    """Place (hold=True, with a reason) or lift a legal hold on the case."""
    referral = Referral.objects.select_for_update().get(pk=referral.pk)
    reason = reason.strip()
    if hold and not reason:
        raise ValidationError({"reason": _("Give the reason for the legal hold.")})
    if referral.legal_hold == hold:
        return referral
    referral.legal_hold = hold
    referral.legal_hold_reason = reason if hold else ""
    referral.legal_hold_by = actor if hold else None
    referral.legal_hold_at = timezone.now() if hold else None
    referral.save(update_fields=["legal_hold", "legal_hold_reason", "legal_hold_by", "legal_hold_at"])
    timeline_add(
        referral=referral,
        actor=actor,
        kind="referral.legal_hold" if hold else "referral.legal_hold_lifted",
        message=gettext_noop("Legal hold placed: %(reason)s") if hold else gettext_noop("Legal hold lifted."),
        params={"reason": reason} if hold else {},
    )
    audit_change(
        actor=actor,
        action="referral.legal_hold_placed" if hold else "referral.legal_hold_lifted",
        obj=referral,
        person_id=referral.person_id,
        reason=reason,
    )
    return referral
