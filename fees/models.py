"""Fees for a missed meeting: the court fee they are reckoned from, and each service's fee settings."""

from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.formats import date_format, number_format
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from counselling.models import CounsellingService

# The fee is this many court fees unless the service sets otherwise (DESIGN.md §3 "Fee").
DEFAULT_MULTIPLIER = 2
# Forvaltningsloven § 16 leaves the answer period to the agency; two weeks is the usual practice.
DEFAULT_ANSWER_PERIOD_DAYS = 14


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
    """How one counselling service charges fees: whether at all, how much, and what its letters say.

    A service without a row uses the defaults (see fees.selectors.fee_policy_for), so fees are off
    until a service lead turns them on.
    """

    service = models.OneToOneField(
        CounsellingService, on_delete=models.CASCADE, related_name="fee_policy", verbose_name=_("service")
    )
    fees_enabled = models.BooleanField(
        _("fees enabled"),
        default=False,
        help_text=_("Leave off for a service that works only with referrals on the condition route."),
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
        blank=True,
        help_text=_("Who decides appeals, e.g. Statsforvalteren i Oslo og Viken."),
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
        ]

    def __str__(self):
        return gettext("Fee policy of %(service)s") % {"service": self.service}
