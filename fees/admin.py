from django.contrib import admin

from portal.admin_scoping import ServiceScopedAdmin

from .models import CourtFeeRate, FeePolicy


@admin.register(CourtFeeRate)
class CourtFeeRateAdmin(admin.ModelAdmin):
    """The same rates for every service; a new year's rate is a new row from the day it takes effect."""

    list_display = ["valid_from", "amount"]
    date_hierarchy = "valid_from"


@admin.register(FeePolicy)
class FeePolicyAdmin(ServiceScopedAdmin):
    list_display = ["service", "fees_enabled", "multiplier", "answer_period_days", "appeal_body"]
    list_filter = ["fees_enabled"]
    list_select_related = ["service"]
    search_fields = ["service__name", "appeal_body"]
