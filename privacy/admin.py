from django.contrib import admin

from portal.admin_scoping import ReadOnlyServiceScopedAdmin, ServiceScopedAdmin
from referrals.admin import ReferralAdmin
from referrals.models import Referral

from .admin_legal_hold import legal_hold_lift, legal_hold_place
from .admin_statistics import STATISTICS_PAGE
from .models import BreakTheGlassAccess, RetentionRule


@admin.register(RetentionRule)
class RetentionRuleAdmin(ServiceScopedAdmin):
    """How long each service keeps each record type; the daily sweep (privacy.retention) anonymises what is older,
    service by service."""

    list_display = ["service", "record_type", "retention_days", "legal_basis", "updated_at"]
    list_filter = ["service", "record_type"]
    list_select_related = ["service"]


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


admin.site.register_page(STATISTICS_PAGE)
