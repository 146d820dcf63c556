from django.contrib import admin
from django.db.models import Exists, OuterRef
from django.utils.translation import gettext_lazy as _

from portal.admin_scoping import PersonReadsLoggedAdmin, ReadOnlyServiceScopedAdmin, ServiceScopedAdmin

from .models import (
    Guardian,
    LetterPolicy,
    Person,
    Referral,
    ReferralEvent,
    SeizedSubstance,
    Substance,
    Threshold,
    ThresholdRegulation,
)


@admin.register(LetterPolicy)
class LetterPolicyAdmin(ServiceScopedAdmin):
    list_display = ["service", "posted_arrival_working_days"]


@admin.register(Substance)
class SubstanceAdmin(admin.ModelAdmin):
    list_display = ["code", "name_nb", "name_en", "unit"]
    list_filter = ["unit"]
    search_fields = ["code", "name_nb", "name_en"]


class ThresholdInline(admin.TabularInline):
    model = Threshold
    extra = 0
    autocomplete_fields = ["substance"]

    def has_change_permission(self, request, obj=None):
        return obj is None or not obj.referrals.exists()

    has_add_permission = has_change_permission
    has_delete_permission = has_change_permission


@admin.register(ThresholdRegulation)
class ThresholdRegulationAdmin(admin.ModelAdmin):
    """A regulation that referrals were classified under is history: it is read-only.

    To change thresholds, add a new regulation from the date the change takes effect.
    """

    list_display = ["name", "status", "valid_from", "valid_to", "max_substances", "in_use"]
    list_filter = ["status", "valid_from"]
    search_fields = ["name", "source"]
    inlines = [ThresholdInline]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(used=Exists(Referral.objects.filter(regulation=OuterRef("pk"))))

    @admin.display(boolean=True, description=_("used by referrals"), ordering="used")
    def in_use(self, obj):
        return obj.used

    def get_readonly_fields(self, request, obj=None):
        if obj is not None and obj.referrals.exists():
            # Only closing its validity period stays possible, so a successor can take over, and correcting its
            # status: whether the table is law is a fact about it, not part of the classifications made with it.
            return ["name", "valid_from", "max_substances", "source"]
        return []

    def has_delete_permission(self, request, obj=None):
        return obj is None or not obj.referrals.exists()


@admin.register(Person)
class PersonAdmin(PersonReadsLoggedAdmin, ReadOnlyServiceScopedAdmin):
    """A service's own records of the persons in its cases. Registered and changed in the portal, through
    referrals.services, which finds the person again within the service only; the admin shows them."""

    list_display = ["last_name", "first_name", "national_id", "date_of_birth", "service", "municipality"]
    list_filter = ["service"]
    search_fields = ["national_id", "first_name", "last_name", "email", "phone"]
    list_select_related = ["service", "municipality"]
    read_action = "person.viewed_in_admin"

    def person_id_of(self, obj):
        return obj.pk


class SeizedSubstanceInline(admin.TabularInline):
    model = SeizedSubstance
    extra = 0


class GuardianInline(admin.StackedInline):
    model = Guardian
    extra = 0


class ReferralEventInline(admin.TabularInline):
    model = ReferralEvent
    extra = 0
    fields = ["occurred_at", "actor", "kind", "description"]
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Referral)
class ReferralAdmin(PersonReadsLoggedAdmin, ServiceScopedAdmin):
    list_display = ["__str__", "person", "service", "route", "classification", "status", "attendance_deadline"]
    list_filter = ["service", "route", "status", "classification", "police_district", "legal_hold"]
    search_fields = ["police_reference", "person__national_id", "person__first_name", "person__last_name"]
    list_select_related = ["person", "service"]
    # The one change the admin makes to a referral, a legal hold, is privacy's: privacy/admin.py adds its actions.
    date_hierarchy = "incident_date"
    autocomplete_fields = ["person"]
    raw_id_fields = ["assigned_counsellor"]
    readonly_fields = ["classification", "regulation", "created_at", "created_by"]
    inlines = [SeizedSubstanceInline, GuardianInline, ReferralEventInline]
    read_action = "referral.viewed_in_admin"

    def person_id_of(self, obj):
        return obj.person_id

    # Referrals are registered and changed in the portal, through referrals.services, so the
    # rules, the timeline and the audit log always apply. The admin only shows them.
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
