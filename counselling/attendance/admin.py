from django.contrib import admin

from portal.admin_scoping import ReadOnlyServiceScopedAdmin

from .models import Attendance, NeedsAssessment, PoliceReport, RefusalToAttend


@admin.register(Attendance)
class AttendanceAdmin(ReadOnlyServiceScopedAdmin):
    service_lookup = "meeting__referral__service"
    list_display = ["meeting", "outcome", "consent", "recorded_by", "recorded_at"]
    list_filter = ["outcome", "consent"]
    list_select_related = ["meeting__referral", "recorded_by"]


@admin.register(NeedsAssessment)
class NeedsAssessmentAdmin(ReadOnlyServiceScopedAdmin):
    """Listed so administrators know it exists; the content is confidential and read on the case, where each
    read is logged, by the case's counsellor and the lead."""

    service_lookup = "attendance__meeting__referral__service"
    list_display = ["attendance"]
    fields = ["attendance"]
    list_select_related = ["attendance__meeting__referral"]


@admin.register(PoliceReport)
class PoliceReportAdmin(ReadOnlyServiceScopedAdmin):
    service_lookup = "referral__service"
    list_display = ["police_reference", "kind", "police_district", "meeting_date", "created_at", "sent_at"]
    list_filter = ["kind", "police_district"]
    exclude = ["pdf"]


@admin.register(RefusalToAttend)
class RefusalToAttendAdmin(ReadOnlyServiceScopedAdmin):
    """What the person said is read on the case, by those who work on it."""

    service_lookup = "referral__service"
    exclude = ["reason"]
    list_display = ["referral", "recorded_by", "recorded_at"]
    list_select_related = ["referral", "recorded_by"]
