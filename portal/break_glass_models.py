"""A counsellor's stated reason for opening a case of their service that is not theirs.

Kept apart from portal/models.py so the audit log's module stays about the log; imported there.
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
        verbose_name = _("break-the-glass access")
        verbose_name_plural = _("break-the-glass accesses")
        ordering = ["-opened_at", "-id"]
        indexes = [models.Index(fields=["user", "referral", "expires_at"], name="break_glass_lookup_idx")]

    def __str__(self):
        return f"{self.user} → {self.referral}"
