import datetime

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

# The days the portal takes in any form or query string: back far enough for anyone's date of birth, ahead far
# enough for any deadline. Well inside the calendar's ends (year 1 and 9999), where a deadline counted forward, a
# holiday looked up or a time zone applied would no longer give a date.
EARLIEST_DATE = datetime.date(1900, 1, 1)
LATEST_DATE = datetime.date(2100, 12, 31)


def validate_date_in_range(value: datetime.date | datetime.datetime) -> None:
    """A date, or the day of a date and time as typed, between EARLIEST_DATE and LATEST_DATE."""
    day = value.date() if isinstance(value, datetime.datetime) else value
    if not EARLIEST_DATE <= day <= LATEST_DATE:
        raise ValidationError(
            _("Enter a date between %(earliest)s and %(latest)s."),
            code="date_out_of_range",
            params={
                "earliest": date_format(EARLIEST_DATE, "DATE_FORMAT"),
                "latest": date_format(LATEST_DATE, "DATE_FORMAT"),
            },
        )


class DateInput(forms.DateInput):
    """The browser's date picker; the value travels as YYYY-MM-DD whatever the page's language."""

    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


class DateTimeInput(forms.DateTimeInput):
    """The browser's date and time picker; the value travels as YYYY-MM-DDTHH:MM."""

    input_type = "datetime-local"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%dT%H:%M", **kwargs)


class DateField(forms.DateField):
    """Every date field of the portal: the date picker, and a date within the years the portal takes."""

    widget = DateInput
    default_validators = [validate_date_in_range]

    def widget_attrs(self, widget):
        return {**super().widget_attrs(widget), "min": f"{EARLIEST_DATE:%Y-%m-%d}", "max": f"{LATEST_DATE:%Y-%m-%d}"}


class DateTimeField(forms.DateTimeField):
    """Every date and time field of the portal, in Norwegian time, on a day within the years the portal takes."""

    widget = DateTimeInput
    input_formats = ["%Y-%m-%dT%H:%M"]
    default_validators = [validate_date_in_range]

    def widget_attrs(self, widget):
        return {
            **super().widget_attrs(widget),
            "min": f"{EARLIEST_DATE:%Y-%m-%d}T00:00",
            "max": f"{LATEST_DATE:%Y-%m-%d}T23:59",
        }


class LoginForm(AuthenticationForm):
    """Django's login form; the username field gets focus and browser autocomplete hints."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["username"].widget.attrs.update({"autocomplete": "username"})
        self.fields["password"].widget.attrs.update({"autocomplete": "current-password"})
