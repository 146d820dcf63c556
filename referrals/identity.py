"""Norwegian national identity numbers (fødselsnummer) and D-numbers, checked in one place.

python-stdnum does the mod-11 check digits and derives the birth date (D-numbers add 40
to the day). From 2032 new numbers use a relaxed check-digit rule; when that comes, this
module is the only place to change.
"""

import datetime

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from stdnum.exceptions import ValidationError as StdnumError
from stdnum.no import fodselsnummer


def normalise_national_id(value: str) -> str:
    """The 11 digits of a valid number, without spaces or dashes; ValidationError otherwise."""
    digits = fodselsnummer.compact(value or "")
    if len(digits) != 11 or not digits.isdigit():
        raise ValidationError(_("A national identity number has 11 digits."), code="national_id_length")
    try:
        return fodselsnummer.validate(digits)
    except StdnumError:
        raise ValidationError(
            _("This is not a valid national identity number or D-number. Check the digits."),
            code="national_id_invalid",
        ) from None


def birth_date_from_national_id(value: str) -> datetime.date | None:
    try:
        return fodselsnummer.get_birth_date(value)
    except StdnumError:
        return None


def validate_national_id(value: str) -> None:
    normalise_national_id(value)


def example_national_id(born: datetime.date, individual: int = 100, *, d_number: bool = False) -> str:
    """A valid, made-up number for someone born on `born`, for demo data and tests.

    The individual number is moved into the range for the birth century (500–999 from
    2000), and past the roughly one in six that would need a check digit of 10.
    """
    if born.year >= 2000 and individual < 500:
        individual += 500
    day = born.day + (40 if d_number else 0)
    while True:
        base = f"{day:02d}{born:%m%y}{individual:03d}"
        first = fodselsnummer.calc_check_digit1(base)
        number = base + first + fodselsnummer.calc_check_digit2(base + first)
        if fodselsnummer.is_valid(number):
            return number
        individual += 1
