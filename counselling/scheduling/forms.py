"""Forms parse what staff type; the services decide."""

import datetime

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from portal.forms import DateField, DateTimeField
from portal.selectors import staff_name
from referrals.models import DispatchMethod

from .models import AbsenceKind, Location, RequestedBy
from .selectors import Slot
from .services import DEFAULT_LENGTH

ANY_COUNSELLOR = "any"  # the counsellor choice that offers the free times of all the service's counsellors
LENGTHS = (30, 45, 60, 90)


def slot_label(slot: Slot) -> str:
    start = timezone.localtime(slot.starts_at)
    day = f"{date_format(start, 'D')} {date_format(start, 'MONTH_DAY_FORMAT')}"  # "tor 26. november", "Thu 26 November"
    label = f"{day} {start:%H:%M}–{timezone.localtime(slot.ends_at):%H:%M} · {slot.location}"
    return f"{label} ({_('after the deadline')})" if slot.after_deadline else label


def counsellor_choices(counsellors) -> list[tuple[str, str]]:
    return [(ANY_COUNSELLOR, _("Any counsellor")), *((str(m.user_id), staff_name(m.user)) for m in counsellors)]


class MarksInvalidFields:
    """Inputs with an error get Bootstrap's is-invalid beside the aria-invalid and aria-describedby Django gives
    them, so the error text below each input is both shown and read out with it."""

    def full_clean(self):
        super().full_clean()
        for name in self.errors:
            if name in self.fields:
                widget = self.fields[name].widget
                widget.attrs["class"] = f"{widget.attrs.get('class', '')} is-invalid".strip()


class BookingWeekForm(forms.Form):
    """Which week of free times the booking page shows, from the query string: counsellor (or any), length and
    a day of the week; `first` asks for the week of the first free time."""

    counsellor = forms.ChoiceField(label=_("Counsellor"), required=False)
    length_minutes = forms.TypedChoiceField(
        label=_("Length"), coerce=int, required=False, choices=[(m, f"{m} min") for m in LENGTHS]
    )
    week = DateField(label=_("Go to day"), required=False)
    first = forms.BooleanField(required=False)

    def __init__(self, *args, counsellors=(), **kwargs):
        # Its own ids: the booking form beside it has a counsellor and a length too.
        super().__init__(*args, auto_id="week_%s", **kwargs)
        self.fields["counsellor"].choices = counsellor_choices(counsellors)
        self.fields["counsellor"].widget.attrs["class"] = "form-select"
        self.fields["length_minutes"].widget.attrs["class"] = "form-select"
        self.fields["week"].widget.attrs["class"] = "form-control"

    def asked(self, *, counsellor: str, length: int) -> tuple[str, int, datetime.date | None, bool]:
        """(counsellor, length, day, first) as asked for; what the form refuses falls back to the defaults given
        (and, for the day, to None: the page's default week). The errors stay on the form for the page to show."""
        self.is_valid()
        data = self.cleaned_data
        return (
            data.get("counsellor") or counsellor,
            data.get("length_minutes") or length,
            data.get("week"),
            bool(data.get("first")),
        )


class MeetingTimeForm(MarksInvalidFields, forms.Form):
    """A time: one of the week's free times offered (each with its place and counsellor), or another time and
    place agreed directly. The counsellor (or "any") and the length come from the week shown, as hidden fields."""

    LENGTHS = LENGTHS

    counsellor = forms.ChoiceField(label=_("Counsellor"), widget=forms.HiddenInput)
    length_minutes = forms.TypedChoiceField(
        label=_("Length"),
        coerce=int,
        initial=DEFAULT_LENGTH,
        choices=[(m, f"{m} min") for m in LENGTHS],  # "min" reads the same in Bokmål and English
        widget=forms.HiddenInput,
    )
    slot = forms.ChoiceField(
        label=_("Free times"), required=False, widget=forms.RadioSelect(attrs={"class": "btn-check"})
    )
    other_time = DateTimeField(label=_("Or another time"), required=False)
    location = forms.ModelChoiceField(
        label=_("Place (for another time)"), queryset=Location.objects.none(), required=False
    )
    other_counsellor = forms.TypedChoiceField(label=_("With (for another time)"), coerce=int, required=False)
    late_reason = forms.CharField(
        label=_("Reason for a time after the attendance deadline"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    short_notice_reason = forms.CharField(
        label=_("Reason for a shorter notice than the minimum"),
        required=False,
        help_text=_("Only when the meeting is sooner than the service's minimum notice, e.g. agreed by phone."),
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args, counsellors=(), slots=(), locations=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["counsellor"].choices = counsellor_choices(counsellors)
        self.fields["other_counsellor"].choices = [(m.user_id, staff_name(m.user)) for m in counsellors]
        self.fields["slot"].choices = [(slot.value, slot_label(slot)) for slot in slots]
        self.fields["location"].queryset = locations if locations is not None else Location.objects.none()
        for name, field in self.fields.items():
            if name != "slot" and not field.widget.is_hidden:
                kind = "form-select" if isinstance(field.widget, forms.Select) else "form-control"
                field.widget.attrs.setdefault("class", kind)

    @property
    def any_counsellor(self) -> bool:
        return (self["counsellor"].value() or "") == ANY_COUNSELLOR

    def clean(self):
        data = super().clean()
        slot, other = data.get("slot"), data.get("other_time")
        chosen = data.get("counsellor")
        if not slot and not other:
            raise ValidationError(_("Choose one of the free times, or give another time and place."))
        if slot:
            moment, location_pk, *counsellor_pk = slot.split("|")
            data["starts_at"] = timezone.make_aware(parse_datetime(moment))
            data["location"] = self.fields["location"].queryset.filter(pk=location_pk).first()
            data["counsellor_id"] = int(counsellor_pk[0]) if counsellor_pk else _pk(chosen)
        else:
            data["starts_at"] = other
            if not data.get("location"):
                self.add_error("location", _("Choose where the meeting is."))
            if chosen == ANY_COUNSELLOR:
                data["counsellor_id"] = data.get("other_counsellor")
                if not data["counsellor_id"]:
                    self.add_error("other_counsellor", _("Choose whom the meeting is with."))
            else:
                data["counsellor_id"] = _pk(chosen)
        return data


def _pk(choice: str | None) -> int | None:
    return int(choice) if choice and choice.isdigit() else None


class RescheduleForm(MeetingTimeForm):
    requested_by = forms.ChoiceField(label=_("Asked for by"), choices=RequestedBy.choices)
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 2}))


class CancelForm(forms.Form):
    requested_by = forms.ChoiceField(label=_("Asked for by"), choices=RequestedBy.choices)
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 2}))


class CalendarWeekForm(forms.Form):
    """The week the calendar shows, from the query string: any day of it (the parameter of the week calendar's
    links before it had day and month views; CalendarForm reads it)."""

    week = DateField(required=False)


def week_monday(day: datetime.date) -> datetime.date:
    return day - datetime.timedelta(days=day.weekday())


def shown_by_default(today: datetime.date) -> datetime.date:
    """The Monday of the week the calendar opens on: this week's, or at the weekend the coming week's."""
    return week_monday(today) + datetime.timedelta(days=7 if today.weekday() >= 5 else 0)


CALENDAR_VIEWS = [("day", _("Day")), ("week", _("Week")), ("month", _("Month"))]
DEFAULT_CALENDAR_VIEW = "week"


class CalendarForm(CalendarWeekForm):
    """What the calendar shows, from the query string: the view (day, week or month), a day in it, and whose calendar.
    `week` is the day parameter of links made before the day and month views; `date` wins when both are given. A
    value the form refuses is a message, and the default in its place."""

    view = forms.ChoiceField(
        required=False,
        choices=CALENDAR_VIEWS,
        error_messages={"invalid_choice": _("There is no such calendar view; the week is shown.")},
    )
    date = DateField(required=False)
    counsellor = forms.CharField(required=False, max_length=20)

    def shown_view(self) -> str:
        self.is_valid()
        return self.cleaned_data.get("view") or DEFAULT_CALENDAR_VIEW

    def shown_day(self, today: datetime.date) -> datetime.date:
        """The day asked for; when none (or one the form refuses): today, and in the week view at the weekend the
        coming week, which is the week a counsellor plans on a Saturday or Sunday."""
        self.is_valid()
        asked = self.cleaned_data.get("date") or self.cleaned_data.get("week")
        if asked:
            return asked
        return shown_by_default(today) if self.shown_view() == "week" else today

    def asked_counsellor(self) -> str:
        self.is_valid()
        return (self.cleaned_data.get("counsellor") or "").strip()

    def problems(self) -> list[str]:
        """What the form refused, said so that the reader knows what is shown instead."""
        self.is_valid()
        said = list(self.errors.get("view", []))
        dates = [*self.errors.get("date", []), *self.errors.get("week", [])]
        if dates:
            shown = {"day": _("Today is shown."), "week": _("This week is shown."), "month": _("This month is shown.")}
            said += [*dates, shown[self.shown_view()]]
        if self.errors.get("counsellor"):
            said.append(_("There is no such counsellor in the service; your own calendar is shown."))
        return said


class AbsenceForm(forms.Form):
    counsellor = forms.TypedChoiceField(label=_("Counsellor"), coerce=int)
    kind = forms.ChoiceField(label=_("Kind"), choices=AbsenceKind.choices)
    starts_at = DateTimeField(label=_("From"))
    ends_at = DateTimeField(label=_("To"))
    note = forms.CharField(label=_("Note"), max_length=200, required=False)

    def __init__(self, *args, counsellors=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["counsellor"].choices = [(m.user_id, staff_name(m.user)) for m in counsellors]


class LetterDispatchForm(forms.Form):
    """How and when a letter left: posted (the day), e-mailed, or digital post (with the receipt's day, when
    there is one)."""

    method = forms.ChoiceField(label=_("Sent by"), choices=DispatchMethod.choices, initial=DispatchMethod.POSTED)
    sent_on = DateField(label=_("Sent on"), initial=timezone.localdate)
    delivered_on = DateField(
        label=_("Receipt: reached the recipient on"),
        required=False,
        help_text=_("Digital post only, from its receipt; it can be added later."),
    )


class LetterReceiptForm(forms.Form):
    delivered_on = DateField(label=_("Reached the recipient on"), initial=timezone.localdate)
    receipt = forms.CharField(label=_("Receipt reference"), max_length=200, required=False)
