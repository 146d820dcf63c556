"""The caseload's search, filters and sorting (django-filter), read from the query string."""

import datetime

import django_filters
from django import forms
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from portal.selectors import staff_name

from .access import works_on
from .models import ReferralStatus, Route


class CaseloadFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(
        method="search", label=_("Search"), widget=forms.TextInput(attrs={"type": "search", "placeholder": ""})
    )
    status = django_filters.ChoiceFilter(choices=ReferralStatus.choices, label=_("Status"), empty_label=_("Any"))
    route = django_filters.ChoiceFilter(choices=Route.choices, label=_("Route"), empty_label=_("Any"))
    counsellor = django_filters.ChoiceFilter(method="by_counsellor", label=_("Counsellor"), empty_label=_("Anyone"))
    deadline = django_filters.ChoiceFilter(
        method="by_deadline",
        label=_("Attendance deadline"),
        empty_label=_("Any"),
        choices=[("overdue", _("Overdue")), ("week", _("Within 7 days"))],
    )
    sort = django_filters.OrderingFilter(
        label=_("Sort by"),
        fields=[("attendance_deadline", "deadline"), ("created_at", "received"), ("person__last_name", "name")],
        # Descending labels given here: django-filter's own "(descending)" has no Bokmål.
        field_labels={
            "attendance_deadline": _("Deadline, soonest first"),
            "-deadline": _("Deadline, latest first"),
            "created_at": _("Received, oldest first"),
            "-received": _("Received, newest first"),
            "person__last_name": _("Name, A–Z"),
            "-name": _("Name, Z–A"),
        },
        empty_label=None,
    )

    MINE = "mine"

    def __init__(self, data=None, *args, counsellors=(), user=None, **kwargs):
        super().__init__(data, *args, **kwargs)
        self.user = user
        by_counsellor = self.filters["counsellor"]
        by_counsellor.extra["choices"] = [
            (self.MINE, _("My cases")),
            *[(str(m.user_id), staff_name(m.user)) for m in counsellors],
        ]
        # A form field made earlier (and copied here from the class's filter) would keep the old choices.
        by_counsellor.__dict__.pop("_field", None)

    def search(self, queryset, name, value):
        value = value.strip()
        digits = value.replace(" ", "")
        if digits.isdigit():
            # Police references only: a national ID is searched by the top bar's posted search, never by a query
            # string that lands in URLs and server logs (the caseload page says so).
            return queryset.filter(police_reference__icontains=digits)
        condition = Q(police_reference__icontains=value)
        words = Q()
        for word in value.split():
            words &= Q(person__first_name__icontains=word) | Q(person__last_name__icontains=word)
        return queryset.filter(condition | words)

    def by_counsellor(self, queryset, name, value):
        if value == self.MINE:
            return queryset.filter(works_on(self.user))
        return queryset.filter(assigned_counsellor_id=value)

    def by_deadline(self, queryset, name, value):
        today = timezone.localdate()
        queryset = queryset.exclude(status=ReferralStatus.CLOSED)  # a closed case has no deadline left
        if value == "overdue":
            return queryset.filter(attendance_deadline__lt=today)
        return queryset.filter(attendance_deadline__range=(today, today + datetime.timedelta(days=7)))

    def filter_queryset(self, queryset):
        queryset = super().filter_queryset(queryset)
        if not self.form.cleaned_data.get("sort"):
            queryset = queryset.order_by("attendance_deadline", "id")
        return queryset
