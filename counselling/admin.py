from django import forms
from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from portal.admin_scoping import ServiceScopedAdmin

from .models import (
    Attendance,
    AvailabilityException,
    CalendarFeed,
    CounsellingService,
    Flag,
    Letter,
    LetterTemplate,
    Location,
    Meeting,
    Municipality,
    NeedsAssessment,
    OpeningHours,
    PoliceReport,
    Reminder,
    ReminderRule,
    ReminderText,
    StaffMembership,
)
from .services import absence_remove, membership_deactivate, membership_grant


@admin.register(Municipality)
class MunicipalityAdmin(ServiceScopedAdmin):
    service_lookup = "counselling_services"
    list_display = ["number", "name", "valid_from", "valid_to"]
    list_filter = ["valid_to"]
    search_fields = ["number", "name"]
    ordering = ["number"]


@admin.register(CounsellingService)
class CounsellingServiceAdmin(ServiceScopedAdmin):
    service_lookup = "pk"
    list_display = ["name", "slug", "postal_town", "phone", "email", "is_active"]
    list_filter = ["is_active", "municipalities"]
    search_fields = ["name", "slug", "postal_town", "municipalities__name", "municipalities__number"]
    prepopulated_fields = {"slug": ["name"]}
    filter_horizontal = ["municipalities"]


class StaffMembershipAddForm(forms.ModelForm):
    class Meta:
        model = StaffMembership
        fields = ["user", "service", "role"]

    def clean_user(self):
        user = self.cleaned_data["user"]
        if not user.is_active:
            raise forms.ValidationError(_("The user account is deactivated."))
        return user

    def clean(self):
        # The service would replace an active role; in the admin a role change is explicit:
        # end the old membership first.
        cleaned = super().clean()
        user, service = cleaned.get("user"), cleaned.get("service")
        if user and service and StaffMembership.objects.filter(user=user, service=service, is_active=True).exists():
            raise forms.ValidationError(_("This person already has an active role in this service; end it first."))
        return cleaned


@admin.register(StaffMembership)
class StaffMembershipAdmin(ServiceScopedAdmin):
    """Memberships are granted and ended through counselling.services, so access and audit follow."""

    list_display = ["user", "service", "role", "is_active", "started_at", "ended_at"]
    list_filter = ["role", "is_active", "service"]
    search_fields = ["user__username", "user__first_name", "user__last_name", "user__email", "service__name"]
    list_select_related = ["user", "service"]
    autocomplete_fields = ["user"]
    actions = ["deactivate"]

    def get_form(self, request, obj=None, **kwargs):
        if obj is None:
            kwargs["form"] = StaffMembershipAddForm
        return super().get_form(request, obj, **kwargs)

    def get_fields(self, request, obj=None):
        return (
            ["user", "service", "role"]
            if obj is None
            else ["user", "service", "role", "is_active", "started_at", "ended_at"]
        )

    def get_readonly_fields(self, request, obj=None):
        # A role change is a new membership: end this one and grant the new role.
        return [] if obj is None else ["user", "service", "role", "is_active", "started_at", "ended_at"]

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        if change:
            return
        obj.pk = membership_grant(actor=request.user, user=obj.user, service=obj.service, role=obj.role).pk

    @admin.action(description=_("End the selected memberships"), permissions=["change"])
    def deactivate(self, request, queryset):
        ended = 0
        for membership in queryset.filter(is_active=True):
            membership_deactivate(actor=request.user, membership=membership)
            ended += 1
        self.message_user(
            request,
            ngettext("%(count)d membership ended.", "%(count)d memberships ended.", ended) % {"count": ended},
            messages.SUCCESS,
        )


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


class RecordAdmin(ServiceScopedAdmin):
    """Meetings, attendance, letters and reports change only through counselling.services, which keep the
    timeline and the audit log; the admin shows them."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Meeting)
class MeetingAdmin(RecordAdmin):
    service_lookup = "referral__service"
    list_display = ["referral", "starts_at", "ends_at", "counsellor", "location", "status"]
    list_filter = ["status", "referral__service"]
    list_select_related = ["referral", "counsellor", "location"]
    date_hierarchy = "starts_at"


@admin.register(Attendance)
class AttendanceAdmin(RecordAdmin):
    service_lookup = "meeting__referral__service"
    list_display = ["meeting", "outcome", "consent", "recorded_by", "recorded_at"]
    list_filter = ["outcome", "consent"]
    list_select_related = ["meeting__referral", "recorded_by"]


@admin.register(NeedsAssessment)
class NeedsAssessmentAdmin(RecordAdmin):
    """Listed so administrators know it exists; the content is confidential and read on the case, where each
    read is logged, by the case's counsellor and the lead."""

    service_lookup = "attendance__meeting__referral__service"
    list_display = ["attendance"]
    fields = ["attendance"]
    list_select_related = ["attendance__meeting__referral"]


@admin.register(LetterTemplate)
class LetterTemplateAdmin(admin.ModelAdmin):
    list_display = ["kind", "subject", "updated_at"]


@admin.register(Letter)
class LetterAdmin(RecordAdmin):
    service_lookup = "meeting__referral__service"
    list_display = ["meeting", "kind", "recipient_kind", "recipient_name", "emailed_at", "email_error"]
    list_filter = ["kind", "recipient_kind"]
    list_select_related = ["meeting__referral"]
    exclude = ["pdf"]


@admin.register(PoliceReport)
class PoliceReportAdmin(RecordAdmin):
    service_lookup = "referral__service"
    list_display = ["police_reference", "kind", "police_district", "meeting_date", "created_at", "sent_at"]
    list_filter = ["kind", "police_district"]
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
    list_display = ["channel", "language", "subject"]
    list_filter = ["channel", "language"]


@admin.register(Reminder)
class ReminderAdmin(RecordAdmin):
    service_lookup = "meeting__referral__service"
    list_display = ["meeting", "days_before", "channel", "recipient_kind", "due_at", "state", "attempts", "sent_at"]
    list_filter = ["state", "channel"]
    list_select_related = ["meeting__referral"]
    exclude = ["address"]
    date_hierarchy = "due_at"


@admin.register(Flag)
class FlagAdmin(RecordAdmin):
    service_lookup = "referral__service"
    list_display = ["kind", "referral", "raised_at", "resolved_at", "resolved_by"]
    list_filter = ["kind", ("resolved_at", admin.EmptyFieldListFilter)]
    list_select_related = ["referral", "resolved_by"]
