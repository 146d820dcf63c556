"""The case page of someone registered as a minor says when they turned 18: from that day the guardians are told
nothing more, so staff do not call them."""

import datetime
import zoneinfo

import pytest
import time_machine
from django.urls import reverse

from tests.factories import ReferralFactory

OSLO = zoneinfo.ZoneInfo("Europe/Oslo")


@pytest.fixture(autouse=True)
def wednesday_10_june_2026():
    with time_machine.travel(datetime.datetime(2026, 6, 10, 9, tzinfo=OSLO), tick=False):
        yield


def _case_page(client, service, counsellor, *, born):
    referral = ReferralFactory(
        service=service, created_by=counsellor, person__date_of_birth=born, incident_date=datetime.date(2026, 3, 1)
    )
    referral.guardians.create(name="Kari Testesen", relation="mor")
    client.force_login(counsellor)
    url = reverse("referrals:detail", kwargs={"service_slug": service.slug, "referral_pk": referral.pk})
    return client.get(url).content.decode()


def test_on_the_18th_birthday_the_case_page_says_the_guardians_are_no_longer_told(client, service, counsellor):
    page = _case_page(client, service, counsellor, born=datetime.date(2008, 6, 10))
    assert 'data-testid="guardians-no-longer-told"' in page
    assert "10. juni 2026" in page


def test_the_day_before_the_18th_birthday_the_case_page_has_no_such_note(client, service, counsellor):
    page = _case_page(client, service, counsellor, born=datetime.date(2008, 6, 11))
    assert "Kari Testesen" in page
    assert 'data-testid="guardians-no-longer-told"' not in page
