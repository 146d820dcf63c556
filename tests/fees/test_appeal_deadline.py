"""The appeal deadline: three weeks from the day the decision reached the person (forvaltningsloven § 29),
moved to the next working day when it ends on a Saturday, Sunday or Norwegian public holiday.

The expected dates are worked out by hand from the calendar, not computed.
"""

import datetime

import pytest

from fees.services import appeal_deadline
from portal.workdays import next_working_day

D = datetime.date


@pytest.mark.parametrize(
    ("notified_on", "deadline"),
    [
        pytest.param(D(2026, 6, 1), D(2026, 6, 22), id="monday_three_weeks_later_is_a_plain_monday"),
        pytest.param(D(2026, 12, 3), D(2026, 12, 24), id="christmas_eve_is_a_working_day"),
    ],
)
def test_a_deadline_on_a_working_day_stays_three_weeks_after_notification(notified_on, deadline):
    assert appeal_deadline(notified_on) == deadline


def test_a_deadline_on_a_saturday_moves_to_monday():
    assert appeal_deadline(D(2026, 8, 29)) == D(2026, 9, 21)


def test_a_deadline_on_a_sunday_moves_to_monday():
    assert appeal_deadline(D(2026, 8, 30)) == D(2026, 9, 21)


def test_a_deadline_on_maundy_thursday_runs_past_easter_to_the_tuesday():
    # Thursday 2 April 2026 is Maundy Thursday, then Good Friday, the weekend and Easter Monday.
    assert appeal_deadline(D(2026, 3, 12)) == D(2026, 4, 7)


def test_a_deadline_on_17_may_moves_to_the_next_day():
    # Wednesday 17 May 2028, far from Ascension (25 May) and Whit Monday (5 June) that year.
    assert appeal_deadline(D(2028, 4, 26)) == D(2028, 5, 18)


def test_a_deadline_on_1_may_runs_past_the_weekend():
    # Friday 1 May 2026, then the weekend.
    assert appeal_deadline(D(2026, 4, 10)) == D(2026, 5, 4)


def test_a_deadline_on_christmas_day_runs_past_boxing_day_and_the_weekend():
    # Friday 25 December 2026, Saturday 26 December, Sunday.
    assert appeal_deadline(D(2026, 12, 4)) == D(2026, 12, 28)


def test_a_deadline_on_new_years_day_in_the_next_year_moves_to_the_first_working_day():
    # Notified in 2026; three weeks is Friday 1 January 2027, then the weekend.
    assert appeal_deadline(D(2026, 12, 11)) == D(2027, 1, 4)


def test_a_deadline_on_new_years_eve_saturday_runs_into_the_next_year():
    # Saturday 31 December 2022, Sunday 1 January 2023, then Monday.
    assert appeal_deadline(D(2022, 12, 10)) == D(2023, 1, 2)


def test_christmas_on_a_weekend_gives_no_day_off_in_lieu():
    # Saturday 25 and Sunday 26 December 2027: Monday 27 December is a working day in Norway.
    assert appeal_deadline(D(2027, 12, 4)) == D(2027, 12, 27)


def test_a_working_day_is_its_own_next_working_day():
    assert next_working_day(D(2026, 4, 1)) == D(2026, 4, 1)
    assert next_working_day(D(2026, 4, 2)) == D(2026, 4, 7)
