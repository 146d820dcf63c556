from django import forms
from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from django_celery_beat import admin as beat_admin
from django_celery_beat.models import PeriodicTask

from .admin_scoping import ReadOnlyServiceScopedAdmin, ServiceScopedAdmin
from .memberships import membership_deactivate, membership_grant
from .models import AuditEvent, CounsellingService, Document, Municipality, StaffMembership


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
    list_display = ["name", "slug", "unit_name", "sender_name", "postal_town", "phone", "email", "is_active"]
    list_filter = ["is_active", "is_demonstration", "municipalities"]
    search_fields = ["name", "slug", "postal_town", "municipalities__name", "municipalities__number"]
    prepopulated_fields = {"slug": ["name"]}
    filter_horizontal = ["municipalities"]

    @admin.display(description=_("name on the person's phone"))
    def sender_name(self, obj):
        """What text messages, e-mail subjects and invitations say: the neutral name, or its default."""
        return obj.sender_name


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
    """Memberships are granted and ended through portal.memberships, so access and audit follow."""

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


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyServiceScopedAdmin):
    """Read-only: the log can be searched and filtered, never changed."""

    list_display = ["occurred_at", "actor_label", "kind", "action", "object_repr", "service", "person_id"]
    list_filter = ["kind", "service", "occurred_at"]
    search_fields = ["actor_label", "action", "object_repr", "object_id", "request_id", "reason"]
    date_hierarchy = "occurred_at"
    list_select_related = ["service"]


@admin.register(Document)
class DocumentAdmin(admin.ModelAdmin):
    """The stored documents by name and size, for the deployment's administrators: a document's content is served
    only by the portal's views, which check who asks, so the admin neither shows nor changes it."""

    list_display = ["name", "size", "created_at"]
    search_fields = ["name"]
    date_hierarchy = "created_at"
    fields = ["name", "size", "created_at"]
    readonly_fields = fields

    def has_module_permission(self, request):
        return request.user.is_superuser

    def has_view_permission(self, request, obj=None):
        return request.user.is_superuser

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


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
