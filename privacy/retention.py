"""Retention: personal data leaves when its time is up, the counts for statistics stay.

Administrators set a period per record type (`privacy.models.RetentionRule`); a type without a rule
is kept. Once a day the sweep (`retention_sweep`, Celery task `portal.retention_sweep`, and
`manage.py retention [--dry-run]`) anonymises the concluded cases whose last event is older than
the period:

- **closed_case**: the person's identity and contact details (only once *every* referral of the person,
  in any service, is past its period), the guardians' identity and contact details, the police reference,
  the needs assessment with its confidential note, free-text reasons (absence, late booking, rescheduling,
  the fee case's answers, hardship assessment, decision and appeal texts), reminder addresses, letter
  recipients, and the reasons written on the timeline;
- **letters**: the PDF files of summons letters, police reports and fee letters are deleted from storage
  (the rows stay, so it remains known that a letter was sent and when).

What stays: the referral, person and meeting rows, dates, route, classification, seizure, status,
attendance outcome, fee amounts and outcomes, the person's birth year and municipality.

A case is *concluded* when its status is closed or did-not-attend. It is never touched while it has an
open fee case (anything not paid, cancelled, or final without a fee to collect: this includes a pending
appeal), or a legal hold (`Referral.legal_hold`, set with `legal_hold_set`).

The national identity number: `Person.national_id` is unique and its validator accepts only real numbers.
An anonymised person gets `X` and their row id padded to eleven characters, written with `.update()` (no
validation): it keeps the column unique, can never be a real number (those are digits only), and so is
never found again by a national-ID lookup. Leaving the model's validator strict keeps every other write honest.

Every step excludes what is already anonymised, so a second run changes nothing; each run writes one
audit event with the counts.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import Case, CharField, Exists, F, OuterRef, Q, QuerySet, Subquery, Value, When
from django.db.models.functions import Cast, Coalesce, Concat, LPad, TruncYear
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from counselling.attendance.models import Attendance, NeedsAssessment, PoliceReport
from counselling.scheduling.models import Letter, Meeting, Reminder
from fees.models import AppealOutcome, FeeCase, FeeCaseStatus, FeeLetter, FeeOutcome
from portal.audit import audit_change
from referrals.models import Guardian, Person, Referral, ReferralEvent, ReferralStatus
from referrals.services import timeline_add

from .models import RecordType, RetentionRule

ANONYMISED = "Anonymisert"
ANONYMISED_ID_PREFIX = "X"
CONCLUDED = [ReferralStatus.CLOSED, ReferralStatus.MISSED]
RETENTION_EVENT = "retention.anonymised"
# Timeline parameters that hold free text someone typed (the rest are dates, labels and staff names).
FREE_TEXT_PARAMS = ("reason",)


def _fee_case_closed() -> Q:
    collectable = Q(outcome=FeeOutcome.IMPOSED, appeal_outcome__in=["", AppealOutcome.UPHELD])
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


def expired_referrals(days: int, *, now: datetime.datetime | None = None) -> QuerySet[Referral]:
    """Concluded referrals last active more than `days` ago and not blocked."""
    cutoff = (now or timezone.now()) - datetime.timedelta(days=days)
    return (
        referrals_with_last_activity()
        .filter(status__in=CONCLUDED, last_activity__lt=cutoff)
        .exclude(retention_blocked())
    )


@dataclass
class RetentionResult:
    dry_run: bool
    rules: dict[str, int] = field(default_factory=dict)
    counts: dict[str, int] = field(default_factory=dict)
    referral_ids: list[int] = field(default_factory=list)

    @property
    def total(self) -> int:
        return sum(self.counts.values())


def _step(result: RetentionResult, step: str, queryset: QuerySet, apply: bool, **values) -> None:
    result.counts[step] = queryset.update(**values) if apply else queryset.count()


def _anonymise_cases(result: RetentionResult, referral_ids: list[int], apply: bool) -> None:
    cases = Q(referral_id__in=referral_ids)
    _step(
        result,
        "referrals",
        Referral.objects.filter(pk__in=referral_ids).exclude(police_reference__startswith="anonymisert-"),
        apply,
        police_reference=Concat(Value("anonymisert-"), Cast("pk", output_field=CharField())),
    )
    _step(
        result,
        "guardians",
        Guardian.objects.filter(cases).exclude(name=ANONYMISED),
        apply,
        name=ANONYMISED,
        phone="",
        email="",
        street_address="",
        postal_code="",
        postal_town="",
    )
    _step(
        result,
        "assessments",
        NeedsAssessment.objects.filter(attendance__meeting__referral_id__in=referral_ids).exclude(
            confidential_note="", needs=[], onward_referrals=[]
        ),
        apply,
        confidential_note="",
        needs=[],
        onward_referrals=[],
    )
    _step(
        result,
        "attendance_reasons",
        Attendance.objects.filter(meeting__referral_id__in=referral_ids).exclude(absence_reason=""),
        apply,
        absence_reason=Value(ANONYMISED),
    )
    _step(
        result,
        "late_reasons",
        Meeting.objects.filter(cases).exclude(late_reason=""),
        apply,
        late_reason="",
    )
    # A rescheduled or cancelled meeting must keep a reason (a constraint): it becomes the placeholder.
    _step(
        result,
        "change_reasons",
        Meeting.objects.filter(cases).exclude(change_reason__in=["", ANONYMISED]),
        apply,
        change_reason=ANONYMISED,
    )
    _step(
        result,
        "reminders",
        Reminder.objects.filter(meeting__referral_id__in=referral_ids).exclude(address="", last_error=""),
        apply,
        address="",
        last_error="",
    )
    _step(
        result,
        "letter_recipients",
        Letter.objects.filter(meeting__referral_id__in=referral_ids).exclude(recipient_name=ANONYMISED),
        apply,
        recipient_name=ANONYMISED,
        email="",
        email_error="",
    )
    _step(
        result,
        "police_reports",
        PoliceReport.objects.filter(cases).exclude(person_name=ANONYMISED),
        apply,
        person_name=ANONYMISED,
        national_id="",
        police_reference=Concat(Value("anonymisert-"), Cast("referral_id", output_field=CharField())),
    )
    _step(
        result,
        "fee_letter_recipients",
        FeeLetter.objects.filter(fee_case__referral_id__in=referral_ids).exclude(recipient_name=ANONYMISED),
        apply,
        recipient_name=ANONYMISED,
    )
    _anonymise_fee_cases(result, referral_ids, apply)
    _anonymise_timeline(result, referral_ids, apply)


# Free text on fee cases: emptied where the field may be empty, the placeholder where a constraint needs text.
FEE_TEXTS_OPTIONAL = [
    "answer_valid_reason",
    "answer_situation",
    "hardship_financial_situation",
    "hardship_life_situation",
    "hardship_persons_account",
    "appeal_grounds",
    "appeal_outcome_reasons",
]
FEE_TEXTS_REQUIRED = ["hardship_reasoning", "reasons", "cancel_reason"]


def _anonymise_fee_cases(result: RetentionResult, referral_ids: list[int], apply: bool) -> None:
    holds_text = Q()
    for name in FEE_TEXTS_OPTIONAL:
        holds_text |= ~Q(**{name: ""})
    for name in FEE_TEXTS_REQUIRED:
        holds_text |= ~Q(**{f"{name}__in": ["", ANONYMISED]})
    values = dict.fromkeys(FEE_TEXTS_OPTIONAL, "")
    for name in FEE_TEXTS_REQUIRED:
        # Keep empty what was empty (a required text is only required once its step is done).
        values[name] = _placeholder_unless_empty(name)
    _step(result, "fee_cases", FeeCase.objects.filter(referral_id__in=referral_ids).filter(holds_text), apply, **values)


def _placeholder_unless_empty(name: str):
    return Case(When(**{name: ""}, then=Value("")), default=Value(ANONYMISED))


def _anonymise_timeline(result: RetentionResult, referral_ids: list[int], apply: bool) -> None:
    changed = 0
    events = ReferralEvent.objects.filter(referral_id__in=referral_ids, params__has_any_keys=list(FREE_TEXT_PARAMS))
    for event in events.only("pk", "params"):
        params = dict(event.params)
        for name in FREE_TEXT_PARAMS:
            if name in params and params[name] != ANONYMISED:
                params[name] = ANONYMISED
        if params != event.params:
            changed += 1
            if apply:
                ReferralEvent.objects.filter(pk=event.pk).update(params=params)
    result.counts["timeline_texts"] = changed
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
    """Only a person all of whose referrals (in every service) have passed their period."""
    not_expired = Referral.objects.filter(person=OuterRef("pk")).exclude(pk__in=referral_ids)
    persons = (
        Person.objects.filter(referrals__in=referral_ids)
        .exclude(Exists(not_expired))
        .exclude(national_id__startswith=ANONYMISED_ID_PREFIX)
        .distinct()
    )
    ids = list(persons.values_list("pk", flat=True))
    queryset = Person.objects.filter(pk__in=ids)
    _step(
        result,
        "persons",
        queryset,
        apply,
        national_id=Concat(Value(ANONYMISED_ID_PREFIX), LPad(Cast("pk", output_field=CharField()), 10, Value("0"))),
        first_name=ANONYMISED,
        last_name="",
        # The birth year stays for statistics by age; the day is what identifies.
        date_of_birth=TruncYear("date_of_birth"),
        phone="",
        email="",
        street_address="",
        postal_code="",
        postal_town="",
    )


def _delete_letter_files(result: RetentionResult, referral_ids: list[int], apply: bool) -> None:
    """The PDF files go from storage; the rows keep their file name, so a download answers 404, not 500."""
    names = [
        *Letter.objects.filter(meeting__referral_id__in=referral_ids).values_list("pdf", flat=True),
        *PoliceReport.objects.filter(referral_id__in=referral_ids).values_list("pdf", flat=True),
        *FeeLetter.objects.filter(fee_case__referral_id__in=referral_ids).values_list("pdf", flat=True),
    ]
    present = [name for name in names if name and default_storage.exists(name)]
    result.counts["letter_files"] = len(present)
    if apply and present:
        # After commit: a sweep that rolls back must not have lost the files.
        transaction.on_commit(lambda: [default_storage.delete(name) for name in present])


def retention_rules() -> dict[str, int]:
    return dict(RetentionRule.objects.values_list("record_type", "retention_days"))


def retention_sweep(*, dry_run: bool = False, now: datetime.datetime | None = None) -> RetentionResult:
    """Anonymise what has passed its retention period (or, with dry_run, count what would go)."""
    now = now or timezone.now()
    rules = retention_rules()
    result = RetentionResult(dry_run=dry_run, rules=rules)
    with transaction.atomic():
        if RecordType.CLOSED_CASE in rules:
            ids = list(expired_referrals(rules[RecordType.CLOSED_CASE], now=now).values_list("pk", flat=True))
            result.referral_ids = ids
            _anonymise_persons(result, ids, apply=not dry_run)
            _anonymise_cases(result, ids, apply=not dry_run)
        if RecordType.LETTERS in rules:
            ids = list(expired_referrals(rules[RecordType.LETTERS], now=now).values_list("pk", flat=True))
            _delete_letter_files(result, ids, apply=not dry_run)
        if not dry_run:
            audit_change(
                actor=None,
                action="retention.swept",
                extra={"counts": result.counts, "rules": rules, "referrals": result.referral_ids},
            )
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
