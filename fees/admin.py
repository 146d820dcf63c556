from django.contrib import admin

from portal.admin_scoping import ReadOnlyServiceScopedAdmin, ServiceScopedAdmin

from .models import CollectionExport, CourtFeeRate, FeeCase, FeeLetter, FeePolicy


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


@admin.register(FeeCase)
class FeeCaseAdmin(ReadOnlyServiceScopedAdmin):
    service_lookup = "referral__service"
    list_display = ["__str__", "referral", "status", "amount", "outcome", "decided_at", "appeal_deadline", "final_at"]
    list_filter = ["status", "outcome", "appeal_outcome"]
    list_select_related = ["referral"]
    date_hierarchy = "proposed_at"
    # The person's account and the hardship assessment are read on the fee case page, where each read is logged.
    exclude = [
        "answer_valid_reason",
        "answer_situation",
        "hardship_financial_situation",
        "hardship_life_situation",
        "hardship_persons_account",
        "hardship_reasoning",
        "reasons",
        "appeal_grounds",
    ]


@admin.register(FeeLetter)
class FeeLetterAdmin(ReadOnlyServiceScopedAdmin):
    service_lookup = "fee_case__referral__service"
    list_display = ["fee_case", "kind", "recipient_kind", "recipient_name", "created_at"]
    list_filter = ["kind", "recipient_kind"]
    list_select_related = ["fee_case"]
    exclude = ["pdf"]


@admin.register(CollectionExport)
class CollectionExportAdmin(ReadOnlyServiceScopedAdmin):
    list_display = ["__str__", "service", "fee_count", "total_amount", "created_by", "created_at"]
    list_select_related = ["service", "created_by"]
    exclude = ["csv"]
