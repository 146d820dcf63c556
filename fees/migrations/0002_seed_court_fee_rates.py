"""The court fee (rettsgebyr) from 1 January of each year since 2019, in whole kroner.

Rates are set by the King in council each year; administrators add the next year's rate in the
admin from the day it takes effect. Fees already reckoned keep the rate of their own day.
"""

import datetime

from django.db import migrations

COURT_FEE_RATES = {
    2019: 1150,
    2020: 1172,
    2021: 1199,
    2022: 1223,
    2023: 1243,
    2024: 1277,
    2025: 1314,
    2026: 1345,
}


def seed(apps, schema_editor):
    CourtFeeRate = apps.get_model("fees", "CourtFeeRate")
    for year, amount in COURT_FEE_RATES.items():
        CourtFeeRate.objects.update_or_create(valid_from=datetime.date(year, 1, 1), defaults={"amount": amount})


def unseed(apps, schema_editor):
    # Only the rows this migration wrote, as it wrote them: rates added or corrected in the admin stay.
    CourtFeeRate = apps.get_model("fees", "CourtFeeRate")
    for year, amount in COURT_FEE_RATES.items():
        CourtFeeRate.objects.filter(valid_from=datetime.date(year, 1, 1), amount=amount).delete()


class Migration(migrations.Migration):
    dependencies = [("fees", "0001_court_fee_rates_and_fee_policies")]

    operations = [migrations.RunPython(seed, unseed)]
