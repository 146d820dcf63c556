"""The access log's filters (django-filter), read from the query string."""

import django_filters
from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from portal.forms import DateField
from portal.selectors import staff_name
from referrals.models import Referral

from .access_log import case_objects, persons_in_service


class DateFilter(django_filters.DateFilter):
    """A date in the query string, within the years the portal takes (portal.forms.DateField)."""

    field_class = DateField


class AccessLogFilter(django_filters.FilterSet):
    staff = django_filters.ChoiceFilter(method="by_staff", label=_("Staff member"), empty_label=_("Anyone"))
    person = django_filters.CharFilter(
        method="by_person",
        label=_("Person"),
        help_text=_("National identity number or name."),
        widget=forms.TextInput(attrs={"type": "search", "autocomplete": "off"}),
    )
    case = django_filters.CharFilter(
        method="by_case",
        label=_("Case"),
        help_text=_("Police reference."),
        widget=forms.TextInput(attrs={"type": "search"}),
    )
    date_from = DateFilter(field_name="occurred_at", lookup_expr="date__gte", label=_("From"))
    date_to = DateFilter(field_name="occurred_at", lookup_expr="date__lte", label=_("To"))
    pattern = django_filters.ChoiceFilter(
        method="by_pattern",
        label=_("Unusual"),
        empty_label=_("All reads"),
        choices=[
            ("any", _("Any unusual pattern")),
            ("outside_caseload", _("Outside own caseload")),
            ("out_of_hours", _("Out of hours")),
        ],
    )

    def __init__(self, data=None, *args, service, staff=(), **kwargs):
        super().__init__(data, *args, **kwargs)
        self.service = service
        self.persons = []
        self.filters["staff"].extra["choices"] = [(str(m.user_id), staff_name(m.user)) for m in staff]

    def by_staff(self, queryset, name, value):
        return queryset.filter(actor_id=value)

    def by_person(self, queryset, name, value):
        self.persons = list(persons_in_service(self.service, value)[:20])
        return queryset.filter(person_id__in=[pk for person in self.persons for pk in person.audit_person_ids])

    def by_case(self, queryset, name, value):
        referral = Referral.objects.filter(service=self.service, police_reference__iexact=value.strip()).first()
        return queryset.filter(case_objects(referral)) if referral else queryset.none()

    def by_pattern(self, queryset, name, value):
        if value == "any":
            return queryset.filter(Q(outside_caseload=True) | Q(out_of_hours=True))
        return queryset.filter(**{value: True})
