"""End to end, in headless Chromium: a meeting is over and nobody recorded the attendance. The sweep flags it;
the counsellor finds the flag on the dashboard, follows it to the case, records the attendance, and the flag
is gone."""

import datetime

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from counselling.scheduling.services.flags import flags_raise
from portal.models import Role
from referrals.services import referral_assign
from tests.e2e.browser import log_in, screenshot
from tests.factories import (
    CounsellingServiceFactory,
    LocationFactory,
    MeetingFactory,
    ReferralFactory,
    StaffMembershipFactory,
)

pytestmark = pytest.mark.browser


def test_a_flagged_meeting_leads_the_counsellor_to_record_its_attendance(live_server, transactional_db, page):
    service = CounsellingServiceFactory(name="Rådgivende enhet Oslo", slug="oslo")
    kari = StaffMembershipFactory(service=service, role=Role.COUNSELLOR, user__username="kari").user
    lead = StaffMembershipFactory(service=service, role=Role.SERVICE_LEAD).user
    referral = ReferralFactory(service=service, person__first_name="Ola", person__last_name="Testesen")
    referral_assign(actor=lead, referral=referral, counsellor=kari)
    MeetingFactory(
        referral=referral,
        counsellor=kari,
        location=LocationFactory(service=service),
        starts_at=timezone.now() - datetime.timedelta(hours=5),
    )
    assert flags_raise() == 1

    log_in(page, live_server.url, "kari")
    flags = page.get_by_test_id("open-flags")
    expect(flags).to_contain_text("Ola Testesen")
    screenshot(page, "dashboard-flag-nb")
    flags.get_by_role("link", name="Ola Testesen").click()

    page.get_by_test_id("flags").get_by_role("link").click()
    page.locator("input[name=outcome][value=no_show]").check()
    page.locator("form[data-attendance] button[type=submit]").click()
    expect(page.get_by_test_id("flags")).to_have_count(0)

    page.goto(f"{live_server.url}/service/oslo/")
    expect(page.get_by_test_id("open-flags")).not_to_contain_text("Ola Testesen")
