"""The demo keeps Oslo's fees on to show the flow, but says what it is: its basis is the 2021 proposal that never
became law, and its fee letters are marked as demonstration letters."""

import datetime

import pytest
import time_machine
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.utils import timezone

from counselling.scheduling.models import Meeting
from fees import services
from fees.models import FeeCase, FeePolicy
from portal.models import CounsellingService
from portal.workdays import is_working_day
from tests.counselling.conftest import pdf_text

# A fixed day in 2026, so the demo's meeting of yesterday has its court fee in the admin.
SUMMER = datetime.datetime(2026, 6, 10, 12, 0, tzinfo=datetime.timezone(datetime.timedelta(hours=2)))


def test_the_demos_fee_basis_reads_as_a_demonstration_of_the_2021_proposal(thresholds_2021, court_fee_rates):
    with time_machine.travel(SUMMER, tick=False):
        call_command("seed_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115

    policy = FeePolicy.objects.get(service__slug="oslo")
    assert policy.charges_fees and policy.service.is_demonstration
    assert "Prop. 92 L (2020–2021)" in policy.legal_basis_citation
    assert "demonstrasjon" in policy.legal_basis_citation
    assert "Stortinget vedtok ikke forslaget" in policy.legal_basis_text
    assert "3-9" not in policy.legal_basis_citation + policy.legal_basis_text


def test_the_demos_fee_letters_are_marked_as_demonstration_letters(thresholds_2021, court_fee_rates):
    with time_machine.travel(SUMMER, tick=False):
        call_command("seed_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
        lead = get_user_model().objects.get(username="oslo-leder")
        (letter,) = services.fee_case_send_notice(actor=lead, fee_case=FeeCase.objects.get())

    text = " ".join(pdf_text(letter.pdf).split())
    assert "DEMONSTRASJON – oppdiktet sak, ikke et ekte brev" in text
    assert "Prop. 92 L (2020–2021), som aldri ble lov" in text


def test_an_older_demo_database_gets_the_demonstration_basis_on_the_next_run(thresholds_2021, court_fee_rates):
    with time_machine.travel(SUMMER, tick=False):
        call_command("seed_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
        FeePolicy.objects.filter(service__slug="oslo").update(
            fees_enabled=False, legal_basis_citation="", legal_basis_text=""
        )
        CounsellingService.objects.filter(slug="oslo").update(is_demonstration=False)
        call_command("seed_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115

    policy = FeePolicy.objects.get(service__slug="oslo")
    assert policy.charges_fees and policy.service.is_demonstration


@pytest.mark.parametrize(
    "today", ["2026-12-07T09:00:00+01:00", "2026-12-28T09:00:00+01:00"]
)  # a Monday; after Christmas
def test_the_demos_held_meetings_fall_on_the_last_working_day(thresholds_2021, court_fee_rates, today):
    with time_machine.travel(datetime.datetime.fromisoformat(today), tick=False):
        call_command("seed_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    held = {timezone.localdate(m.starts_at) for m in Meeting.objects.filter(starts_at__date__lt=today[:10])}
    assert held and all(is_working_day(day) for day in held), held
