"""The fee for a missed meeting: the multiplier times the court fee in force on the day of the meeting.

The rates below are written out from the product description (DESIGN.md §3 "Fee") on purpose:
reading them from the seeded table would only prove that the code agrees with itself.
"""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError
from django.utils import translation

from fees.models import CourtFeeRate
from fees.services import fee_amount

pytestmark = pytest.mark.usefixtures("court_fee_rates")

# Court fee from 1 January of each year, in whole kroner.
COURT_FEE = {2019: 1150, 2020: 1172, 2021: 1199, 2022: 1223, 2023: 1243, 2024: 1277, 2025: 1314, 2026: 1345}


@pytest.mark.parametrize(("year", "court_fee"), COURT_FEE.items(), ids=[str(year) for year in COURT_FEE])
def test_a_meeting_missed_on_1_january_costs_twice_that_years_court_fee(year, court_fee):
    assert fee_amount(datetime.date(year, 1, 1)) == 2 * court_fee


@pytest.mark.parametrize(("year", "court_fee"), COURT_FEE.items(), ids=[str(year) for year in COURT_FEE])
def test_a_meeting_missed_on_31_december_still_costs_twice_that_years_court_fee(year, court_fee):
    assert fee_amount(datetime.date(year, 12, 31)) == 2 * court_fee


def test_the_fee_is_whole_kroner():
    assert type(fee_amount(datetime.date(2026, 6, 1))) is int


def test_the_latest_rate_stays_in_force_until_a_new_one_is_added():
    assert fee_amount(datetime.date(2030, 6, 1)) == 2 * 1345


def test_a_meeting_missed_before_the_first_rate_has_no_fee_and_the_message_names_the_day():
    with translation.override("en"), pytest.raises(ValidationError) as raised:
        fee_amount(datetime.date(2018, 12, 31))

    assert raised.value.code == "no_court_fee_rate"
    assert "31.12.2018" in raised.value.messages[0]


def test_the_services_multiplier_is_applied():
    assert fee_amount(datetime.date(2026, 3, 1), multiplier=3) == 3 * 1345
    assert fee_amount(datetime.date(2026, 3, 1), multiplier=1) == 1345


def test_a_rate_added_later_applies_from_its_own_day_and_not_before():
    newest = CourtFeeRate.objects.order_by("-valid_from").first()
    new_year = datetime.date(newest.valid_from.year + 1, 1, 1)
    CourtFeeRate.objects.create(valid_from=new_year, amount=newest.amount + 35)

    assert fee_amount(new_year - datetime.timedelta(days=1)) == 2 * newest.amount
    assert fee_amount(new_year) == 2 * (newest.amount + 35)


def test_a_rate_changed_in_the_middle_of_a_year_applies_from_that_day():
    CourtFeeRate.objects.create(valid_from=datetime.date(2026, 7, 1), amount=1400)

    assert fee_amount(datetime.date(2026, 6, 30)) == 2 * 1345
    assert fee_amount(datetime.date(2026, 7, 1)) == 2 * 1400


def test_two_rates_from_the_same_day_are_refused():
    with pytest.raises(IntegrityError):
        CourtFeeRate.objects.create(valid_from=datetime.date(2026, 1, 1), amount=1400)


def test_a_court_fee_of_nothing_is_refused():
    with pytest.raises(IntegrityError):
        CourtFeeRate.objects.create(valid_from=datetime.date(2027, 1, 1), amount=0)


def test_a_rate_reads_as_amount_and_first_day():
    rate = CourtFeeRate.objects.get(valid_from=datetime.date(2026, 1, 1))

    with translation.override("en"):
        assert str(rate) == "1,345 kr from 01.01.2026"


@pytest.mark.parametrize(
    ("day", "fee"),
    [(datetime.date(2021, 6, 1), 2398), (datetime.date(2026, 1, 1), 2690), (datetime.date(2025, 12, 31), 2628)],
)
def test_the_fees_the_reform_text_names(day, fee):
    assert fee_amount(day) == fee
