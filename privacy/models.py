"""The privacy floor's data: break-the-glass accesses and retention rules.

Both moved here from portal; their tables keep the names they had there (`db_table`).
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class BreakTheGlassAccess(models.Model):
    """Access to one case for one counsellor, until `expires_at`; listed for the lead to follow up."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("staff member")
    )
    referral = models.ForeignKey(
        "referrals.Referral", on_delete=models.PROTECT, related_name="+", verbose_name=_("referral")
    )
    service = models.ForeignKey(
        "portal.CounsellingService", on_delete=models.PROTECT, related_name="+", verbose_name=_("service")
    )
    reason = models.CharField(_("reason"), max_length=500)
    opened_at = models.DateTimeField(_("opened"), auto_now_add=True, db_index=True)
    expires_at = models.DateTimeField(_("access until"))
    followed_up_at = models.DateTimeField(_("followed up"), null=True, blank=True)
    followed_up_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("followed up by"),
    )

    class Meta:
        db_table = "portal_breaktheglassaccess"  # the table it had in portal
        verbose_name = _("break-the-glass access")
        verbose_name_plural = _("break-the-glass accesses")
        ordering = ["-opened_at", "-id"]
        indexes = [models.Index(fields=["user", "referral", "expires_at"], name="break_glass_lookup_idx")]

    def __str__(self):
        return f"{self.user} → {self.referral}"


class RecordType(models.TextChoices):
    """What the retention sweep (privacy.retention) can anonymise, each with its own period."""

    CLOSED_CASE = "closed_case", _("Closed cases: the person's identity, contact details, guardians and notes")
    LETTERS = "letters", _("Letters and police reports of closed cases (PDF files)")


class RetentionRule(models.Model):
    """How long a service keeps a record type after its case was last active, set by the administrator.

    Each service is the controller of its own cases, so each has its own periods, and the sweep runs on each
    service's cases by that service's rules alone. A record type without a rule is kept: nothing of the service's is
    anonymised until its administrator decides the period.
    """

    service = models.ForeignKey(
        "portal.CounsellingService", on_delete=models.PROTECT, related_name="+", verbose_name=_("service")
    )
    record_type = models.CharField(_("record type"), max_length=20, choices=RecordType.choices)
    retention_days = models.PositiveIntegerField(
        _("retention period (days)"),
        help_text=_("Counted from the last event on the closed case (e.g. 1825 for five years)."),
    )
    legal_basis = models.CharField(
        _("legal basis"), max_length=300, blank=True, help_text=_("Why this period, e.g. the archive plan.")
    )
    updated_at = models.DateTimeField(_("changed"), auto_now=True)

    class Meta:
        db_table = "portal_retentionrule"  # the table it had in portal
        verbose_name = _("retention rule")
        verbose_name_plural = _("retention rules")
        ordering = ["service", "record_type"]
        constraints = [
            models.CheckConstraint(condition=models.Q(retention_days__gte=1), name="retention_days_positive"),
            models.UniqueConstraint(
                fields=["service", "record_type"],
                name="one_retention_rule_per_record_type_in_service",
                violation_error_message=_("The service already has a rule for this record type."),
            ),
        ]

    def __str__(self):
        return f"{self.service}: {self.get_record_type_display()}: {self.retention_days}"
