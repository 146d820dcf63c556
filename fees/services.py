"""The arithmetic of fees: how much, and until when the person may appeal."""

import datetime

from django.core.exceptions import ValidationError
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from portal.workdays import next_working_day

from .models import DEFAULT_MULTIPLIER, CourtFeeRate

# Forvaltningsloven § 29: three weeks from the day the decision reached the person.
APPEAL_PERIOD = datetime.timedelta(weeks=3)


def fee_amount(on: datetime.date, *, multiplier: int = DEFAULT_MULTIPLIER) -> int:
    """The fee in whole kroner for a meeting missed `on`: `multiplier` × the court fee in force that day.

    ValidationError when no court fee rate is in force that day (none from that day or earlier).
    """
    rate = CourtFeeRate.objects.filter(valid_from__lte=on).order_by("-valid_from").first()
    if rate is None:
        raise ValidationError(
            _("No court fee rate is in force on %(date)s; add the rate for that day in the admin."),
            params={"date": date_format(on, "SHORT_DATE_FORMAT")},
            code="no_court_fee_rate",
        )
    return multiplier * rate.amount


def appeal_deadline(notified_on: datetime.date) -> datetime.date:
    """The last day to appeal a decision that reached the person on `notified_on`: three weeks later, or
    the next working day when that is a Saturday, Sunday or Norwegian public holiday."""
    return next_working_day(notified_on + APPEAL_PERIOD)
