from django.contrib import admin
from django_celery_beat import admin as beat_admin
from django_celery_beat.models import PeriodicTask

from .admin_scoping import ServiceScopedAdmin
from .models import AuditEvent, RetentionRule


@admin.register(AuditEvent)
class AuditEventAdmin(ServiceScopedAdmin):
    """Read-only: the log can be searched and filtered, never changed."""

    list_display = ["occurred_at", "actor_label", "kind", "action", "object_repr", "service", "person_id"]
    list_filter = ["kind", "service", "occurred_at"]
    search_fields = ["actor_label", "action", "object_repr", "object_id", "request_id", "reason"]
    date_hierarchy = "occurred_at"
    list_select_related = ["service"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(RetentionRule)
class RetentionRuleAdmin(admin.ModelAdmin):
    """How long each record type is kept; the daily sweep (portal.retention) anonymises what is older."""

    list_display = ["record_type", "retention_days", "legal_basis", "updated_at"]


class PeriodicTaskForm(beat_admin.PeriodicTaskForm):
    """django-celery-beat's form reads the task name in clean() even when the field itself refused the
    value (a NUL, too long), and fails with a KeyError; then the field's own error says what is wrong."""

    def clean(self):
        if "task" in self._errors:
            return self.cleaned_data
        return super().clean()


class PeriodicTaskAdmin(beat_admin.PeriodicTaskAdmin):
    form = PeriodicTaskForm


admin.site.unregister(PeriodicTask)
admin.site.register(PeriodicTask, PeriodicTaskAdmin)
