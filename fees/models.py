"""Fees for a missed meeting: the court fee they are reckoned from, and each service's fee settings."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.formats import date_format, number_format
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from portal.models import CounsellingService
from referrals.models import CaseLetter

# The fee is this many court fees unless the service sets otherwise (DESIGN.md §3 "Fee").
DEFAULT_MULTIPLIER = 2
# Forvaltningsloven § 16 leaves the answer period to the agency; two weeks is the usual practice.
DEFAULT_ANSWER_PERIOD_DAYS = 14
# Days after the appeal deadline until an imposed fee falls due, unless the service sets otherwise.
DEFAULT_PAYMENT_PERIOD_DAYS = 14
# Forvaltningsloven § 28 (2): a municipality's decision is appealed to its own appeal board, unless a law says
# otherwise. Printed in the letters as "Klagen behandles av …".
DEFAULT_APPEAL_BODY = "kommunens klagenemnd"


class CourtFeeRate(models.Model):
    """The court fee (rettsgebyr) in force from a date until the next rate's date.

    Set by the King each year. A new rate is a new row from the day it takes effect, so a fee
    reckoned on an earlier day keeps the rate it was reckoned with.
    """

    valid_from = models.DateField(_("valid from"), unique=True)
    amount = models.PositiveIntegerField(_("amount (NOK)"), help_text=_("Whole kroner."))

    class Meta:
        verbose_name = _("court fee rate")
        verbose_name_plural = _("court fee rates")
        ordering = ["-valid_from"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="court_fee_amount_positive"),
        ]

    def __str__(self):
        return gettext("%(amount)s kr from %(date)s") % {
            "amount": number_format(self.amount, use_l10n=True, force_grouping=True),
            "date": date_format(self.valid_from, "SHORT_DATE_FORMAT"),
        }


class FeePolicy(models.Model):
    """How one counselling service charges fees: whether at all, on what legal basis, how much, and what its
    letters say.

    A service without a row uses the defaults (see fees.selectors.fee_policy_for), so fees are off. The law in force
    (helse- og omsorgstjenesteloven § 3-9 b) has no fee rule: the fee regime of Prop. 92 L (2020–2021) was rejected
    by the Storting on 3 June 2021. So fees can be switched on only once an administrator has recorded the legal
    basis the letters print (clean(), the constraint fee_policy_fees_need_a_legal_basis, and
    fees.services.fee_case_propose); the portal never supplies a citation of its own.
    """

    service = models.OneToOneField(
        CounsellingService, on_delete=models.CASCADE, related_name="fee_policy", verbose_name=_("service")
    )
    fees_enabled = models.BooleanField(
        _("fees enabled"),
        default=False,
        help_text=_(
            "Switch on only with the legal basis recorded below. Leave off for a service that works only with "
            "referrals on the condition route."
        ),
    )
    legal_basis_citation = models.CharField(
        _("legal basis (citation)"),
        max_length=200,
        blank=True,
        help_text=_("The provision that allows the fee, as the letters cite it. Required to switch fees on."),
    )
    legal_basis_text = models.TextField(
        _("legal basis (text)"),
        blank=True,
        help_text=_(
            "What the provision says about the fee, in plain words; printed in the advance notice and the "
            "decision. Required to switch fees on."
        ),
    )
    multiplier = models.PositiveSmallIntegerField(
        _("multiplier"),
        default=DEFAULT_MULTIPLIER,
        validators=[MinValueValidator(1)],
        help_text=_("The fee is this many times the court fee in force on the day of the missed meeting."),
    )
    answer_period_days = models.PositiveSmallIntegerField(
        _("answer period (days)"),
        default=DEFAULT_ANSWER_PERIOD_DAYS,
        help_text=_("Days the person has to answer the advance notice (forvaltningsloven § 16)."),
    )
    appeal_body = models.CharField(
        _("appeal body"),
        max_length=200,
        default=DEFAULT_APPEAL_BODY,
        help_text=_(
            "Who decides appeals; printed in the decision letter. By default the municipality's own appeal board "
            "(forvaltningsloven § 28 (2))."
        ),
    )
    payment_period_days = models.PositiveSmallIntegerField(
        _("payment period (days)"),
        default=DEFAULT_PAYMENT_PERIOD_DAYS,
        validators=[MinValueValidator(1)],
        help_text=_("An imposed fee falls due this many days after the appeal deadline."),
    )
    payment_instructions = models.TextField(
        _("payment instructions"), blank=True, help_text=_("Printed on the decision: how and where to pay.")
    )

    class Meta:
        verbose_name = _("fee policy")
        verbose_name_plural = _("fee policies")
        ordering = ["service__name"]
        constraints = [
            models.CheckConstraint(condition=Q(multiplier__gte=1), name="fee_policy_multiplier_at_least_one"),
            models.CheckConstraint(
                condition=Q(fees_enabled=False) | (~Q(legal_basis_citation="") & ~Q(legal_basis_text="")),
                name="fee_policy_fees_need_a_legal_basis",
            ),
            models.CheckConstraint(condition=~Q(appeal_body=""), name="fee_policy_has_an_appeal_body"),
            models.CheckConstraint(condition=Q(payment_period_days__gte=1), name="fee_policy_payment_period_positive"),
        ]

    def __str__(self):
        return gettext("Fee policy of %(service)s") % {"service": self.service}

    @property
    def has_legal_basis(self) -> bool:
        return bool(self.legal_basis_citation.strip() and self.legal_basis_text.strip())

    @property
    def charges_fees(self) -> bool:
        """Fees are on and the legal basis the letters print is recorded: only then is a fee case proposed."""
        return self.fees_enabled and self.has_legal_basis

    def clean(self):
        super().clean()
        self.legal_basis_citation = self.legal_basis_citation.strip()
        self.legal_basis_text = self.legal_basis_text.strip()
        self.appeal_body = self.appeal_body.strip()
        if self.fees_enabled and not self.has_legal_basis:
            message = _("Record the legal basis of the fee (citation and text) before switching fees on.")
            errors = {"fees_enabled": [message]}
            if not self.legal_basis_citation:
                errors["legal_basis_citation"] = [_("Which provision allows the fee?")]
            if not self.legal_basis_text:
                errors["legal_basis_text"] = [_("What does the provision say about the fee?")]
            raise ValidationError(errors)


# Fee cases: from the missed meeting to a decision that would stand up to review, its appeal, and collection.


class FeeCaseStatus(models.TextChoices):
    """proposed → notice sent → answered | answer period passed → assessed → decided → (appealed → (forwarded)
    → appeal concluded) → final → exported → paid; cancelled from any open state. An appeal after the deadline
    (forvaltningsloven § 31), also once the decision is final or in collection, waits as a late appeal until it is
    considered (→ appealed) or rejected (→ back to final, or to collection). Moved only by
    fees.services.fee_case_move, along FEE_CASE_STEPS."""

    PROPOSED = "proposed", _("Proposed")
    NOTICE_SENT = "notice_sent", _("Advance notice sent")
    ANSWERED = "answered", _("Answer received")
    ANSWER_PERIOD_PASSED = "answer_period_passed", _("Answer period passed")
    ASSESSED = "assessed", _("Hardship assessed")
    DECIDED = "decided", _("Decided")
    LATE_APPEAL = "late_appeal", _("Late appeal received")
    LATE_APPEAL_EXPORTED = "late_appeal_exported", _("Late appeal received while in collection")
    APPEALED = "appealed", _("Appealed")
    FORWARDED = "forwarded", _("Appeal forwarded to the appeal body")
    APPEAL_CONCLUDED = "appeal_concluded", _("Appeal concluded")
    FINAL = "final", _("Final")
    EXPORTED = "exported", _("Sent to collection")
    PAID = "paid", _("Paid")
    CANCELLED = "cancelled", _("Cancelled")


# From each status, the steps a fee case may take and the status each leads to, in the order the case page offers
# them (the usual one first). The step names are those of the case page's forms (fees.views.STEPS), except
# "export": the collection export takes the service's final fees together, from its own page. fees.services
# refuses a step not listed from the case's status, and fees.selectors.fee_case_next_steps offers only these.
FEE_CASE_STEPS: dict[str, dict[str, str]] = {
    FeeCaseStatus.PROPOSED: {"notice": FeeCaseStatus.NOTICE_SENT, "cancel": FeeCaseStatus.CANCELLED},
    FeeCaseStatus.NOTICE_SENT: {
        "answer": FeeCaseStatus.ANSWERED,
        "answer_period_passed": FeeCaseStatus.ANSWER_PERIOD_PASSED,
        "cancel": FeeCaseStatus.CANCELLED,
    },
    FeeCaseStatus.ANSWERED: {"assess": FeeCaseStatus.ASSESSED, "cancel": FeeCaseStatus.CANCELLED},
    # An answer that comes late is still taken in, until the assessment.
    FeeCaseStatus.ANSWER_PERIOD_PASSED: {
        "assess": FeeCaseStatus.ASSESSED,
        "answer": FeeCaseStatus.ANSWERED,
        "cancel": FeeCaseStatus.CANCELLED,
    },
    # The assessment may be redone until the decision.
    FeeCaseStatus.ASSESSED: {
        "decide": FeeCaseStatus.DECIDED,
        "assess": FeeCaseStatus.ASSESSED,
        "cancel": FeeCaseStatus.CANCELLED,
    },
    FeeCaseStatus.DECIDED: {
        "final": FeeCaseStatus.FINAL,
        "appeal": FeeCaseStatus.APPEALED,
        "late_appeal": FeeCaseStatus.LATE_APPEAL,
        "cancel": FeeCaseStatus.CANCELLED,
    },
    # An appeal after the deadline (forvaltningsloven § 31) is considered as an appeal, with collection on hold, or
    # rejected by a decision of its own; the decision then stands as it did: final, or in collection.
    FeeCaseStatus.LATE_APPEAL: {
        "consider_late_appeal": FeeCaseStatus.APPEALED,
        "reject_late_appeal": FeeCaseStatus.FINAL,
        "cancel": FeeCaseStatus.CANCELLED,
    },
    FeeCaseStatus.LATE_APPEAL_EXPORTED: {
        "consider_late_appeal": FeeCaseStatus.APPEALED,
        "reject_late_appeal": FeeCaseStatus.EXPORTED,
        "cancel": FeeCaseStatus.CANCELLED,
    },
    FeeCaseStatus.APPEALED: {
        "reverse": FeeCaseStatus.APPEAL_CONCLUDED,
        "forward": FeeCaseStatus.FORWARDED,
        "cancel": FeeCaseStatus.CANCELLED,
    },
    FeeCaseStatus.FORWARDED: {"appeal_outcome": FeeCaseStatus.APPEAL_CONCLUDED, "cancel": FeeCaseStatus.CANCELLED},
    FeeCaseStatus.APPEAL_CONCLUDED: {"final": FeeCaseStatus.FINAL, "cancel": FeeCaseStatus.CANCELLED},
    FeeCaseStatus.FINAL: {
        "export": FeeCaseStatus.EXPORTED,
        "late_appeal": FeeCaseStatus.LATE_APPEAL,
        "cancel": FeeCaseStatus.CANCELLED,
    },
    FeeCaseStatus.EXPORTED: {
        "paid": FeeCaseStatus.PAID,
        "late_appeal": FeeCaseStatus.LATE_APPEAL_EXPORTED,
        "cancel": FeeCaseStatus.CANCELLED,
    },
    FeeCaseStatus.PAID: {},
    FeeCaseStatus.CANCELLED: {},
}

# The same table as status → the statuses the case may move to.
FEE_CASE_TRANSITIONS: dict[str, frozenset[str]] = {
    status: frozenset(steps.values()) for status, steps in FEE_CASE_STEPS.items()
}


class FeeOutcome(models.TextChoices):
    IMPOSED = "imposed", _("Fee imposed")
    WAIVED_HARDSHIP = "waived_hardship", _("Fee waived: unreasonably burdensome")
    DROPPED_VALID_REASON = "dropped_valid_reason", _("Fee dropped: valid reason for not attending")


class AppealOutcome(models.TextChoices):
    REVERSED = "reversed", _("Reversed by the service")
    UPHELD = "upheld", _("Upheld by the appeal body")
    ALLOWED = "allowed", _("Allowed by the appeal body: no fee")
    PARTLY_ALLOWED = "partly_allowed", _("Partly allowed by the appeal body: a lower fee")


# The appeal outcomes under which a fee imposed is still collected (the amount: FeeCase.collectable_amount).
COLLECTABLE_APPEAL_OUTCOMES = ("", AppealOutcome.UPHELD, AppealOutcome.PARTLY_ALLOWED)


class CollectionExport(models.Model):
    """One run of the collection export: which final fees of the service went to collection, and the file sent."""

    service = models.ForeignKey(
        CounsellingService, on_delete=models.PROTECT, related_name="fee_exports", verbose_name=_("service")
    )
    period_start = models.DateField(_("from"))
    period_end = models.DateField(_("to"))
    fee_count = models.PositiveIntegerField(_("fees"), default=0)
    total_amount = models.PositiveIntegerField(_("total (NOK)"), default=0)
    csv = models.FileField(_("CSV file"), upload_to="fee-exports/%Y/")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("exported by")
    )
    created_at = models.DateTimeField(_("exported"), auto_now_add=True)

    class Meta:
        verbose_name = _("collection export")
        verbose_name_plural = _("collection exports")
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(period_end__gte=models.F("period_start")), name="collection_export_period_in_order"
            ),
        ]

    def __str__(self):
        return gettext("Collection export %(start)s–%(end)s") % {
            "start": date_format(self.period_start, "SHORT_DATE_FORMAT"),
            "end": date_format(self.period_end, "SHORT_DATE_FORMAT"),
        }


class FeeCase(models.Model):
    """The fee for one missed meeting, as an administrative decision (forvaltningsloven): warned, heard, hardship
    assessed, decided with reasons, open to appeal, then collected. Each step fills its own fields."""

    referral = models.ForeignKey(
        "referrals.Referral", on_delete=models.PROTECT, related_name="fee_cases", verbose_name=_("referral")
    )
    meeting = models.OneToOneField(
        "scheduling.Meeting", on_delete=models.PROTECT, related_name="fee_case", verbose_name=_("missed meeting")
    )
    status = models.CharField(_("status"), max_length=20, choices=FeeCaseStatus.choices, default=FeeCaseStatus.PROPOSED)
    amount = models.PositiveIntegerField(
        _("planned fee (NOK)"), help_text=_("Whole kroner: the multiplier times the court fee on the meeting day.")
    )
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("proposed by")
    )
    proposed_at = models.DateTimeField(_("proposed"))
    # The court fee changes every 1 January, and an administrator adds the new year's rate. A fee proposed for a
    # meeting in a year that has no rate yet is held here until the rate is added: the amount is provisional
    # (reckoned with the newest rate) and the advance notice waits (fees.services.fee_case_send_notice).
    court_fee_missing_for = models.PositiveSmallIntegerField(_("court fee missing for the year"), null=True, blank=True)

    # Advance notice (forvaltningsloven § 16).
    notice_sent_at = models.DateTimeField(_("advance notice sent"), null=True, blank=True)
    notice_sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    answer_deadline = models.DateField(_("answer deadline"), null=True, blank=True)

    # The person's answer, or the deadline passing without one.
    answer_received_on = models.DateField(_("answer received"), null=True, blank=True)
    answer_valid_reason = models.TextField(_("the person's reason for not attending"), blank=True)
    answer_situation = models.TextField(_("the person's account of finances and life situation"), blank=True)
    answer_registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    answer_period_passed_at = models.DateTimeField(_("answer period passed"), null=True, blank=True)

    # Hardship assessment: would a fee be unreasonably burdensome?
    hardship_financial_situation = models.TextField(_("financial situation"), blank=True)
    hardship_life_situation = models.TextField(_("life situation"), blank=True)
    hardship_persons_account = models.TextField(_("the person's own account"), blank=True)
    hardship_reasoning = models.TextField(_("assessment"), blank=True)
    hardship_unreasonably_burdensome = models.BooleanField(
        _("a fee would be unreasonably burdensome"), null=True, blank=True
    )
    hardship_assessed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    hardship_assessed_at = models.DateTimeField(_("hardship assessed"), null=True, blank=True)

    # The decision (forvaltningsloven §§ 24–25, 27).
    outcome = models.CharField(_("decision"), max_length=25, choices=FeeOutcome.choices, blank=True)
    decided_amount = models.PositiveIntegerField(_("fee imposed (NOK)"), null=True, blank=True)
    reasons = models.TextField(_("reasons"), blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("decided by"),
    )
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    notified_on = models.DateField(_("decision reaches the person"), null=True, blank=True)
    appeal_deadline = models.DateField(_("appeal deadline"), null=True, blank=True)
    payment_due = models.DateField(_("payment due"), null=True, blank=True)

    # Appeal (forvaltningsloven §§ 28–34): collection is on hold while it runs.
    appeal_received_on = models.DateField(_("appeal received"), null=True, blank=True)
    appeal_grounds = models.TextField(_("grounds of appeal"), blank=True)
    appeal_registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    # A late appeal (forvaltningsloven § 31): considered (True) or rejected (False), with the reasons.
    late_appeal_considered = models.BooleanField(_("late appeal considered"), null=True, blank=True)
    late_appeal_reasons = models.TextField(_("reasons for considering or rejecting the late appeal"), blank=True)
    late_appeal_decided_at = models.DateTimeField(_("late appeal decided"), null=True, blank=True)
    late_appeal_decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    # A late appeal considered after the fee went to collection takes it out of collection until the appeal ends.
    withdrawn_from_export = models.ForeignKey(
        CollectionExport,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="withdrawn_fee_cases",
        verbose_name=_("taken out of collection export"),
    )
    appeal_forwarded_at = models.DateTimeField(_("appeal forwarded"), null=True, blank=True)
    appeal_outcome = models.CharField(_("appeal outcome"), max_length=20, choices=AppealOutcome.choices, blank=True)
    appeal_amount = models.PositiveIntegerField(
        _("fee after the appeal (NOK)"),
        null=True,
        blank=True,
        help_text=_("When the appeal body partly allows the appeal: the lower fee it set."),
    )
    appeal_outcome_reasons = models.TextField(_("reasons of the appeal outcome"), blank=True)
    appeal_outcome_on = models.DateField(_("appeal decided"), null=True, blank=True)
    appeal_outcome_registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    final_at = models.DateTimeField(_("final"), null=True, blank=True)
    exported_in = models.ForeignKey(
        CollectionExport,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="fee_cases",
        verbose_name=_("collection export"),
    )
    paid_on = models.DateField(_("paid"), null=True, blank=True)
    cancelled_at = models.DateTimeField(_("cancelled"), null=True, blank=True)
    cancel_reason = models.TextField(_("reason for cancelling"), blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("fee case")
        verbose_name_plural = _("fee cases")
        ordering = ["-proposed_at"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="fee_case_amount_positive"),
            models.CheckConstraint(
                condition=Q(decided_at__isnull=True) | (~Q(reasons="") & ~Q(outcome="")),
                name="fee_case_decision_has_outcome_and_reasons",
            ),
            models.CheckConstraint(
                condition=Q(decided_at__isnull=True) | Q(hardship_assessed_at__isnull=False),
                name="fee_case_decision_after_hardship_assessment",
            ),
            models.CheckConstraint(
                condition=(Q(outcome="imposed") & Q(decided_amount__gt=0))
                | (~Q(outcome="imposed") & Q(decided_amount__isnull=True)),
                name="fee_case_amount_only_when_imposed",
            ),
            models.CheckConstraint(
                condition=Q(decided_by__isnull=True) | ~Q(decided_by=models.F("proposed_by")),
                name="fee_case_decided_by_someone_else_than_the_proposer",
            ),
            models.CheckConstraint(
                condition=Q(hardship_assessed_at__isnull=True) | ~Q(hardship_reasoning=""),
                name="fee_case_hardship_assessment_has_reasoning",
            ),
            models.CheckConstraint(
                condition=~Q(status__in=["exported", "paid"]) | Q(exported_in__isnull=False),
                name="fee_case_exported_has_export",
            ),
            models.CheckConstraint(
                condition=~Q(status="cancelled") | ~Q(cancel_reason=""), name="fee_case_cancel_has_reason"
            ),
            models.CheckConstraint(
                condition=(
                    Q(
                        appeal_outcome="partly_allowed",
                        appeal_amount__gt=0,
                        appeal_amount__lt=models.F("decided_amount"),
                    )
                )
                | (~Q(appeal_outcome="partly_allowed") & Q(appeal_amount__isnull=True)),
                name="fee_case_appeal_amount_only_when_partly_allowed_and_lower",
            ),
            models.CheckConstraint(
                condition=Q(late_appeal_decided_at__isnull=True) | ~Q(late_appeal_reasons=""),
                name="fee_case_late_appeal_decision_has_reasons",
            ),
        ]
        indexes = [models.Index(fields=["status"], name="fee_case_status_idx")]

    def __str__(self):
        return gettext("Fee case %(number)s") % {"number": self.pk}

    @property
    def awaits_court_fee(self) -> bool:
        """The court fee of the meeting's year is not in the admin yet: the amount is provisional."""
        return self.court_fee_missing_for is not None

    @property
    def appealable(self) -> bool:
        """The decision can be appealed: only one that imposes a fee is against the person (fees.services
        fee_case_register_appeal refuses the others), so only its letter offers an appeal."""
        return self.outcome == FeeOutcome.IMPOSED

    @property
    def collectable(self) -> bool:
        """The decision stands with a fee: imposed and not lifted on appeal (upheld, or lowered)."""
        return self.outcome == FeeOutcome.IMPOSED and self.appeal_outcome in COLLECTABLE_APPEAL_OUTCOMES

    @property
    def collectable_amount(self) -> int | None:
        """The fee that stands: the amount the appeal body set when it partly allowed the appeal, else the amount
        decided; None when there is nothing to collect."""
        if not self.collectable:
            return None
        if self.appeal_outcome == AppealOutcome.PARTLY_ALLOWED:
            return self.appeal_amount
        return self.decided_amount

    @property
    def appeal_was_late(self) -> bool:
        """The appeal came after the appeal deadline (forvaltningsloven § 31)."""
        return bool(self.appeal_received_on and self.appeal_deadline and self.appeal_received_on > self.appeal_deadline)


class FeeLetterKind(models.TextChoices):
    ADVANCE_NOTICE = "advance_notice", _("Advance notice")
    DECISION = "decision", _("Decision")
    APPEAL_OUTCOME = "appeal_outcome", _("Decision on the appeal")
    APPEAL_FORWARDED = "appeal_forwarded", _("Appeal forwarded to the appeal body")
    LATE_APPEAL_REJECTED = "late_appeal_rejected", _("Late appeal rejected")


def fee_letter_path(letter, filename):
    return f"fee-letters/{letter.fee_case.referral.service_id}/{filename}"


class FeeLetter(CaseLetter):
    """A letter of the fee case as sent: the PDF is kept with the case."""

    fee_case = models.ForeignKey(FeeCase, on_delete=models.PROTECT, related_name="letters", verbose_name=_("fee case"))
    kind = models.CharField(_("kind"), max_length=20, choices=FeeLetterKind.choices)
    pdf = models.FileField(_("PDF"), upload_to=fee_letter_path)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("made by")
    )
    created_at = models.DateTimeField(_("made"), auto_now_add=True)
    # How and when it left and reached the recipient: CaseLetter's dispatch fields, recorded by
    # fees.services.fee_letter_mark_sent. An advance notice sent late moves the answer deadline; the appeal period
    # runs from the day the decision letters reached the recipients.

    class Meta:
        verbose_name = _("fee letter")
        verbose_name_plural = _("fee letters")
        ordering = ["fee_case", "created_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["fee_case", "kind"], condition=Q(recipient_kind="person"), name="one_fee_letter_to_the_person"
            ),
            models.UniqueConstraint(
                fields=["fee_case", "kind", "guardian"],
                condition=Q(recipient_kind="guardian"),
                name="one_fee_letter_to_each_guardian",
            ),
            models.CheckConstraint(
                condition=Q(recipient_kind="person", guardian__isnull=True)
                | Q(recipient_kind="guardian", guardian__isnull=False),
                name="fee_letter_guardian_matches_recipient",
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} – {self.recipient_name}"

    @property
    def case_referral(self):
        return self.fee_case.referral
