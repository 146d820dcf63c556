"""The admin site: every model admin registered on it, the portal's and the libraries', answers hostile
input with a message instead of a server error.

Django's admin fails on two kinds of input a careless user or an attacker can send:
- the date drill-down of a list at the calendar's edge (`?starts_at__year=9999`) overflows a date;
- an autocomplete field given a value that is no id re-renders the form by filtering on that value;
- a change form posted with an empty `_to_field` looks for a field named "".
`PortalAdminSite.register` mixes `HostileInputSafeAdmin` into every admin class, so a model admin added
tomorrow, or one a library registers, is covered without remembering to.
"""

from collections.abc import Callable
from dataclasses import dataclass, field

from django.contrib import admin
from django.contrib.admin.apps import AdminConfig
from django.contrib.admin.options import IncorrectLookupParameters
from django.contrib.admin.widgets import AutocompleteSelect, AutocompleteSelectMultiple
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import path


class _ValidIdsOnly:
    """Autocomplete widgets that leave out a submitted value which is no id of the related model, so the
    form shows its "select a valid choice" error instead of failing while drawing the field again."""

    def optgroups(self, name, value, attr=None):
        target = self.field.remote_field.model._meta.get_field(self.field.remote_field.field_name)
        valid = []
        for candidate in value:
            try:
                target.to_python(candidate)
            except ValidationError:
                continue
            valid.append(candidate)
        return super().optgroups(name, valid, attr)


class ValidatedAutocompleteSelect(_ValidIdsOnly, AutocompleteSelect):
    pass


class ValidatedAutocompleteSelectMultiple(_ValidIdsOnly, AutocompleteSelectMultiple):
    pass


class HostileInputSafeAdmin:
    """Mixed into every model admin by PortalAdminSite."""

    def get_changelist_instance(self, request):
        try:
            return super().get_changelist_instance(request)
        except (OverflowError, ValueError) as error:
            # The list view answers this with its "invalid filter" page, as for any other bad lookup.
            raise IncorrectLookupParameters(error) from error

    def get_object(self, request, object_id, from_field=None):
        # An empty `_to_field` posted to a change form means the primary key, not a field named "".
        return super().get_object(request, object_id, from_field or None)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if "widget" not in kwargs and db_field.name in self.get_autocomplete_fields(request):
            kwargs["widget"] = ValidatedAutocompleteSelect(db_field, self.admin_site, using=kwargs.get("using"))
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if "widget" not in kwargs and db_field.name in self.get_autocomplete_fields(request):
            kwargs["widget"] = ValidatedAutocompleteSelectMultiple(db_field, self.admin_site, using=kwargs.get("using"))
        return super().formfield_for_manytomany(db_field, request, **kwargs)


@dataclass(frozen=True)
class AdminPage:
    """A page of the admin that is no model's list: a higher floor registers it (`PortalAdminSite.register_page`),
    and the admin index lists it for the users `allowed` lets in."""

    route: str
    view: Callable
    name: str
    title: str
    allowed: Callable = field(default=lambda request: request.user.is_superuser)


class PortalAdminSite(admin.AdminSite):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.pages: list[AdminPage] = []

    def register_page(self, page: AdminPage) -> None:
        self.pages.append(page)

    def get_urls(self):
        return [
            path(page.route, self.admin_view(self._page_view(page)), name=page.name) for page in self.pages
        ] + super().get_urls()

    def _page_view(self, page: AdminPage):
        def view(request, *args, **kwargs):
            if not page.allowed(request):
                raise PermissionDenied
            return page.view(request, *args, context=self.each_context(request), **kwargs)

        return view

    def index(self, request, extra_context=None):
        pages = [page for page in self.pages if page.allowed(request)]
        return super().index(request, {"portal_pages": pages, **(extra_context or {})})

    def register(self, model_or_iterable, admin_class=None, **options):
        admin_class = admin_class or admin.ModelAdmin
        if not issubclass(admin_class, HostileInputSafeAdmin):
            admin_class = type(
                admin_class.__name__,
                (HostileInputSafeAdmin, admin_class),
                {"__module__": admin_class.__module__, "__doc__": admin_class.__doc__},
            )
        super().register(model_or_iterable, admin_class, **options)


class PortalAdminConfig(AdminConfig):
    """django.contrib.admin, with PortalAdminSite as `admin.site` (INSTALLED_APPS names this instead)."""

    default_site = "portal.admin_site.PortalAdminSite"
