from django import forms
from django.contrib import admin, messages
from django.db import models
from django.utils.translation import gettext_lazy as _

from portal.admin_scoping import ReadOnlyServiceScopedAdmin, ServiceScopedAdmin

from .models import CollectionExport, CourtFeeRate, FeeCase, FeeLetter, FeePolicy
from .services import fee_cases_reckon_held


@admin.register(CourtFeeRate)
class CourtFeeRateAdmin(admin.ModelAdmin):
    """The same rates for every service; a new year's rate is a new row from the day it takes effect."""

    list_display = ["valid_from", "amount"]
    date_hierarchy = "valid_from"

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        # Fee cases held for this year's rate get their amount now.
        fee_cases_reckon_held(actor=request.user)


# Beside the fees switch; `manage.py check --deploy` warns too (fees.checks).
FEES_WARNING = _(
    "Warning: no law in force gives a fee for not attending. The fee regime of Prop. 92 L (2020–2021) was rejected "
    "by the Storting on 3 June 2021. Switch fees on only with a legal basis of the service's own, recorded below; "
    "the letters print it."
)


@admin.register(FeePolicy)
class FeePolicyAdmin(ServiceScopedAdmin):
    list_display = ["service", "fees_enabled", "multiplier", "answer_period_days", "appeal_body"]
    list_filter = ["fees_enabled"]
    list_select_related = ["service"]
    search_fields = ["service__name", "appeal_body"]
    formfield_overrides = {models.CharField: {"widget": forms.TextInput(attrs={"size": 80})}}
    fieldsets = [
        (None, {"fields": ["service"]}),
        (
            _("Fees and their legal basis"),
            {
                "fields": ["fees_enabled", "legal_basis_citation", "legal_basis_text"],
                "description": FEES_WARNING,
            },
        ),
        (
            _("Amount, deadlines and letters"),
            {
                "fields": [
                    "multiplier",
                    "answer_period_days",
                    "payment_period_days",
                    "appeal_body",
                    "payment_instructions",
                ]
            },
        ),
    ]

    def change_view(self, request, object_id, form_url="", extra_context=None):
        policy = self.get_object(request, object_id)
        if request.method == "GET" and policy is not None and policy.fees_enabled:
            self.message_user(
                request, _("Fees are switched on for this service.") + " " + FEES_WARNING, messages.WARNING
            )
        return super().change_view(request, object_id, form_url, extra_context)


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
