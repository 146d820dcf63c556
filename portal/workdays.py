"""Working days in Norway, for deadlines that may not end on a day the offices are closed.

A deadline that ends on a Saturday, a Sunday or a public holiday (helligdag or høytidsdag) runs to
the next working day: the rule of domstolloven §§ 148–149, which deadlines under forvaltningsloven
follow. The holidays come from the `holidays` package, which computes the moving Easter
holidays for any year, instead of a list someone has to extend every year.
"""

import datetime
from functools import lru_cache

import holidays

SATURDAY = 5


@lru_cache(maxsize=16)
def norwegian_public_holidays(year: int) -> frozenset[datetime.date]:
    # Sundays are excluded explicitly even though they are holidays in Norway: weekends are decided
    # by is_working_day below, and the package's default for `include_sundays` may change.
    return frozenset(holidays.Norway(years=year, include_sundays=False))


def is_working_day(day: datetime.date) -> bool:
    """Monday to Friday and not a Norwegian public holiday. Christmas Eve and New Year's Eve are working days."""
    return day.weekday() < SATURDAY and day not in norwegian_public_holidays(day.year)


def next_working_day(day: datetime.date) -> datetime.date:
    """`day` itself when it is a working day, otherwise the first working day after it."""
    while not is_working_day(day):
        day += datetime.timedelta(days=1)
    return day


def add_working_days(day: datetime.date, count: int) -> datetime.date:
    """The `count`th working day after `day` (`day` itself when `count` is 0): a letter posted on a Friday with
    three working days for the post arrives on the Wednesday after."""
    while count > 0:
        day += datetime.timedelta(days=1)
        if is_working_day(day):
            count -= 1
    return day
