from django.contrib import admin
from django.db.models import Exists, OuterRef
from django.utils.translation import gettext_lazy as _

from portal.admin_scoping import ReadOnlyServiceScopedAdmin

from .models import (
    Attendance,
    CallInMessage,
    DrugTest,
    LabResultShared,
    NeedsAssessment,
    PoliceReport,
    RefusalToAttend,
    SampleType,
    TestingProgramme,
)


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


# Drug testing.


@admin.register(SampleType)
class SampleTypeAdmin(admin.ModelAdmin):
    """The same sample types for every service, set by an administrator. One a programme was registered with is
    history: it is taken out of use, not deleted."""

    list_display = ["name", "is_active", "in_use"]
    list_filter = ["is_active"]
    search_fields = ["name"]

    def get_queryset(self, request):
        used = TestingProgramme.objects.filter(sample_type=OuterRef("pk"))
        return super().get_queryset(request).annotate(used=Exists(used))

    @admin.display(boolean=True, description=_("used by testing programmes"), ordering="used")
    def in_use(self, obj):
        return obj.used

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and (
            obj is None or not TestingProgramme.objects.filter(sample_type=obj).exists()
        )


@admin.register(TestingProgramme)
class TestingProgrammeAdmin(ReadOnlyServiceScopedAdmin):
    """Registered, planned and ended on the case page, through counselling.attendance.services.testing."""

    service_lookup = "referral__service"
    list_display = ["referral", "starts_on", "ends_on", "planned_tests", "sample_type", "reporting_rule", "status"]
    list_filter = ["status", "reporting_rule", "police_district", "sample_type"]
    list_select_related = ["referral", "sample_type"]
    date_hierarchy = "starts_on"


@admin.register(DrugTest)
class DrugTestAdmin(ReadOnlyServiceScopedAdmin):
    """Planned and recorded on the case page. The reasons the person gave (an absence, a test that was not possible,
    a cancellation) are read on the case, by those who work on it."""

    service_lookup = "programme__referral__service"
    list_display = ["__str__", "kind", "status", "day", "collector", "outcome", "recorded_at"]
    list_filter = ["kind", "status", "outcome"]
    list_select_related = ["programme__referral", "collector"]
    exclude = ["outcome_note", "cancel_reason"]
    date_hierarchy = "day"


@admin.register(CallInMessage)
class CallInMessageAdmin(ReadOnlyServiceScopedAdmin):
    service_lookup = "test__programme__referral__service"
    list_display = ["test", "purpose", "channel", "due_at", "state", "attempts", "sent_at"]
    list_filter = ["state", "channel", "purpose"]
    list_select_related = ["test__programme__referral"]
    exclude = ["address"]
    date_hierarchy = "due_at"


@admin.register(LabResultShared)
class LabResultSharedAdmin(ReadOnlyServiceScopedAdmin):
    """Listed so administrators know it exists; the result is confidential and read on the case, where each read
    is logged, by the case's counsellor and the lead."""

    service_lookup = "test__programme__referral__service"
    list_display = ["test", "shared_on", "recorded_by", "recorded_at"]
    fields = ["test", "shared_on", "recorded_by", "recorded_at"]
    list_select_related = ["test__programme__referral", "recorded_by"]
