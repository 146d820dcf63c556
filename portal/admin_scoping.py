"""Admin pages show staff only their own services' data; superusers see everything."""

from django.contrib import admin
from django.contrib.admin.utils import NotRelationField, get_fields_from_path
from django.core.exceptions import FieldDoesNotExist

from .audit import audit_read
from .models import CounsellingService


def admin_services_for(user):
    if user.is_superuser:
        return CounsellingService.objects.all()
    return CounsellingService.objects.filter(memberships__user=user, memberships__is_active=True).distinct()


class ServiceScopedAdmin(admin.ModelAdmin):
    """`service_lookup` is the ORM path from the model to its counselling service."""

    service_lookup = "service"

    def get_list_filter(self, request):
        """A filter by a related row offers only the rows the scoped list refers to: Django's default lists every
        row of the related model, so a filter by location or service would name other services' places."""
        return [self._scoped_filter(entry) for entry in super().get_list_filter(request)]

    def _scoped_filter(self, entry):
        if not isinstance(entry, str):
            return entry
        try:
            field = get_fields_from_path(self.model, entry)[-1]
        except (FieldDoesNotExist, NotRelationField):
            return entry
        return (entry, admin.RelatedOnlyFieldListFilter) if field.is_relation else entry

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        if request.user.is_superuser:
            return queryset
        return queryset.filter(**{f"{self.service_lookup}__in": admin_services_for(request.user)}).distinct()

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.related_model is CounsellingService:
            kwargs["queryset"] = admin_services_for(request.user)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if db_field.related_model is CounsellingService:
            kwargs["queryset"] = admin_services_for(request.user)
        return super().formfield_for_manytomany(db_field, request, **kwargs)


class ReadOnlyServiceScopedAdmin(ServiceScopedAdmin):
    """Records that change only through their app's services, which check the change and write the timeline and
    the audit log: the admin shows them and changes nothing."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class PersonReadsLoggedAdmin(admin.ModelAdmin):
    """Opening a record about a person in the admin is a read of their data like any in the portal: it goes in the
    audit log, under the record's service, and so in the service's access log and the person's own (Normen). An
    administrator of the whole deployment is no exception."""

    read_action = ""  # e.g. "person.viewed_in_admin"

    def person_id_of(self, obj) -> int:
        raise NotImplementedError

    def change_view(self, request, object_id, form_url="", extra_context=None):
        response = super().change_view(request, object_id, form_url, extra_context)
        obj = getattr(response, "context_data", {}).get("original") if response.status_code == 200 else None
        if obj is not None and request.method == "GET":
            audit_read(actor=request.user, action=self.read_action, obj=obj, person_id=self.person_id_of(obj))
        return response
