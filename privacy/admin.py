from django.contrib import admin

from portal.admin_scoping import ReadOnlyServiceScopedAdmin
from referrals.admin import ReferralAdmin
from referrals.models import Referral

from .admin_legal_hold import legal_hold_lift, legal_hold_place
from .models import BreakTheGlassAccess, RetentionRule


@admin.register(RetentionRule)
class RetentionRuleAdmin(admin.ModelAdmin):
    """How long each record type is kept; the daily sweep (privacy.retention) anonymises what is older."""

    list_display = ["record_type", "retention_days", "legal_basis", "updated_at"]


@admin.register(BreakTheGlassAccess)
class BreakTheGlassAccessAdmin(ReadOnlyServiceScopedAdmin):
    """Read-only: accesses are opened by counsellors and followed up by the lead in the portal."""

    list_display = ["opened_at", "user", "referral", "service", "reason", "expires_at", "followed_up_at"]
    list_filter = ["service", "opened_at"]
    list_select_related = ["user", "referral", "service"]
    date_hierarchy = "opened_at"


# The one change the admin makes to a referral, placing or lifting a legal hold, goes through privacy.retention.
admin.site.unregister(Referral)


@admin.register(Referral)
class ReferralWithLegalHoldAdmin(ReferralAdmin):
    actions = [legal_hold_place, legal_hold_lift]
