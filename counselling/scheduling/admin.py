from django.contrib import admin

from portal.admin_scoping import ReadOnlyServiceScopedAdmin, ServiceScopedAdmin

from .models import (
    AvailabilityException,
    CalendarFeed,
    Flag,
    Letter,
    LetterTemplate,
    Location,
    Meeting,
    OpeningHours,
    Reminder,
    ReminderRule,
    ReminderText,
    SummonsPolicy,
)
from .services import absence_remove


@admin.register(SummonsPolicy)
class SummonsPolicyAdmin(ServiceScopedAdmin):
    list_display = ["service", "minimum_notice_days"]


@admin.register(Location)
class LocationAdmin(ServiceScopedAdmin):
    list_display = ["name", "service", "kind", "postal_town", "is_active"]
    list_filter = ["kind", "is_active", "service"]
    search_fields = ["name", "street_address", "postal_town"]


class ServiceStaffAdmin(ServiceScopedAdmin):
    """Opening hours and absences: the counsellor and place must belong to the same service."""

    list_select_related = ["counsellor", "service"]
    autocomplete_fields = ["counsellor"]


@admin.register(OpeningHours)
class OpeningHoursAdmin(ServiceStaffAdmin):
    list_display = ["counsellor", "service", "weekday", "starts", "ends", "location"]
    list_filter = ["service", "weekday", "location"]


@admin.register(AvailabilityException)
class AvailabilityExceptionAdmin(ServiceStaffAdmin):
    """Absences are registered on the portal's Absences page, which flags the meetings they cover; here they are
    listed, and removed through the same service."""

    list_display = ["counsellor", "service", "kind", "starts_at", "ends_at", "note"]
    list_filter = ["service", "kind"]
    date_hierarchy = "starts_at"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def delete_model(self, request, obj):
        absence_remove(actor=request.user, absence=obj)

    def delete_queryset(self, request, queryset):
        for absence in queryset:
            absence_remove(actor=request.user, absence=absence)


@admin.register(Meeting)
class MeetingAdmin(ReadOnlyServiceScopedAdmin):
    service_lookup = "referral__service"
    list_display = ["referral", "starts_at", "ends_at", "counsellor", "location", "status"]
    list_filter = ["status", "referral__service"]
    list_select_related = ["referral", "counsellor", "location"]
    date_hierarchy = "starts_at"


@admin.register(LetterTemplate)
class LetterTemplateAdmin(admin.ModelAdmin):
    list_display = ["kind", "subject", "updated_at"]


@admin.register(Letter)
class LetterAdmin(ReadOnlyServiceScopedAdmin):
    service_lookup = "meeting__referral__service"
    list_display = ["meeting", "kind", "recipient_kind", "recipient_name", "emailed_at", "email_error"]
    list_filter = ["kind", "recipient_kind"]
    list_select_related = ["meeting__referral"]
    exclude = ["pdf"]


@admin.register(CalendarFeed)
class CalendarFeedAdmin(admin.ModelAdmin):
    """Deleting a feed revokes the address at once (e.g. a lost phone)."""

    list_display = ["user", "created_at"]
    fields = ["user", "created_at"]
    readonly_fields = ["user", "created_at"]
    search_fields = ["user__username"]

    def has_add_permission(self, request):
        return False


@admin.register(ReminderRule)
class ReminderRuleAdmin(admin.ModelAdmin):
    """When reminders go out. A change applies to meetings booked afterwards."""

    list_display = ["days_before", "send_at", "channel", "is_active"]
    list_filter = ["channel", "is_active"]


@admin.register(ReminderText)
class ReminderTextAdmin(admin.ModelAdmin):
    """A service's own reminder texts, and the default for every service without one (no service)."""

    list_display = ["channel", "language", "service", "subject"]
    list_filter = ["channel", "language", "service"]
    list_select_related = ["service"]


@admin.register(Reminder)
class ReminderAdmin(ReadOnlyServiceScopedAdmin):
    service_lookup = "meeting__referral__service"
    list_display = ["meeting", "days_before", "channel", "recipient_kind", "due_at", "state", "attempts", "sent_at"]
    list_filter = ["state", "channel"]
    list_select_related = ["meeting__referral"]
    exclude = ["address"]
    date_hierarchy = "due_at"


@admin.register(Flag)
class FlagAdmin(ReadOnlyServiceScopedAdmin):
    service_lookup = "referral__service"
    list_display = ["kind", "referral", "raised_at", "resolved_at", "resolved_by"]
    list_filter = ["kind", ("resolved_at", admin.EmptyFieldListFilter)]
    list_select_related = ["referral", "resolved_by"]
