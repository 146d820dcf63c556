"""Phone numbers, kept in E.164 (+4791234567) so SMS gateways and people read them the same way.

The `phonenumbers` library (Google's libphonenumber) knows every country's numbering plan;
numbers written without a country code are read as Norwegian.
"""

import phonenumbers
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

DEFAULT_REGION = "NO"


def normalise_phone(value: str) -> str:
    """The E.164 form of a phone number written any common way ("912 34 567", "0047 91234567");
    "" stays "". ValidationError when it is not a number that can be called."""
    value = (value or "").strip()
    if not value:
        return ""
    try:
        number = phonenumbers.parse(value, DEFAULT_REGION)
    except phonenumbers.NumberParseException:
        number = None
    if number is None or not phonenumbers.is_valid_number(number):
        raise ValidationError(
            _("“%(value)s” is not a valid phone number. Norwegian numbers have 8 digits; others need +country code."),
            params={"value": value},
            code="phone",
        )
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def validate_phone(value: str) -> None:
    """Model validator: the stored value must already be in E.164."""
    if value and normalise_phone(value) != value:
        raise ValidationError(_("Store phone numbers in E.164 form, e.g. +4791234567."), code="phone_format")
