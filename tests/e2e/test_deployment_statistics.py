"""End to end, in headless Chromium: the deployment's administrator finds the counts across services from the admin
index, and sees numbers per service and in all, never a person."""

import pytest
from playwright.sync_api import expect

from tests.e2e.browser import log_in, screenshot
from tests.factories import CounsellingServiceFactory, ReferralFactory, UserFactory

pytestmark = pytest.mark.browser


def test_the_administrator_opens_the_counts_across_services_from_the_admin_index(live_server, page):
    oslo = CounsellingServiceFactory(name="Rådgivende enhet Oslo", slug="oslo")
    bergen = CounsellingServiceFactory(name="Rådgivende enhet Bergen", slug="bergen")
    kari = ReferralFactory(service=oslo, person__first_name="Kari", person__last_name="Delt")
    ReferralFactory(service=bergen, person__national_id=kari.person.national_id, person__last_name="Delt")
    ReferralFactory(service=bergen)
    UserFactory(username="admin", is_staff=True, is_superuser=True)
    log_in(page, live_server.url, "admin")

    page.goto(f"{live_server.url}/admin/")
    page.locator("#portal-pages a").click()

    totals = page.locator("#deployment-totals")
    expect(totals.locator("tr").nth(0).locator("td")).to_have_text("3")  # person records
    expect(totals.locator("tr").nth(2).locator("td")).to_have_text("2")  # people
    expect(totals.locator("tr").nth(3).locator("td")).to_have_text("1")  # known to more than one service
    rows = page.locator("#per-service tbody tr")
    expect(rows).to_have_count(2)
    expect(rows.nth(0).locator("th")).to_have_text("Rådgivende enhet Bergen")
    expect(page.locator("#content")).not_to_contain_text("Delt")
    expect(page.locator("#content")).not_to_contain_text(kari.person.national_id)
    screenshot(page, "admin-counts-across-services")
