"""End to end, in headless Chromium: a service lead registers an absence for the third counsellor of the service,
a date at the calendar's edge is a message beside the field, and a week asked for at the calendar's edge shows
this week with a message, in Bokmål and in English."""

import datetime

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from counselling.scheduling.models import AvailabilityException
from portal.models import Role
from tests.e2e.browser import log_in, screenshot, watch_csp_violations
from tests.factories import CounsellingServiceFactory, StaffMembershipFactory

pytestmark = pytest.mark.browser


def test_a_lead_registers_an_absence_for_any_counsellor_and_edge_dates_get_a_message(
    live_server, transactional_db, page
):
    service = CounsellingServiceFactory(name="Rådgivende enhet Oslo", slug="oslo")
    StaffMembershipFactory(service=service, role=Role.SERVICE_LEAD, user__username="leder")
    for first_name in ("Anne", "Bjørn", "Cecilie"):
        StaffMembershipFactory(
            service=service, role=Role.COUNSELLOR, user__first_name=first_name, user__last_name="Rådgiver"
        )
    violations = watch_csp_violations(page)
    log_in(page, live_server.url, "leder")
    page.goto(f"{live_server.url}/service/oslo/calendar/absences/")

    day = timezone.localdate() + datetime.timedelta(days=14)
    page.locator("select[name='counsellor']").select_option(label="Cecilie Rådgiver")
    page.locator("select[name='kind']").select_option("holiday")
    page.locator("input[name='starts_at']").fill("9999-12-31T08:00")
    page.locator("input[name='ends_at']").fill(f"{day:%Y-%m-%d}T16:00")
    page.locator("main button[type='submit']").first.click()
    expect(page.locator("main")).to_contain_text("Skriv inn en dato mellom 1. januar 1900 og 31. desember 2100.")
    assert not AvailabilityException.objects.exists()
    screenshot(page, "absence-edge-date-nb")

    page.locator("input[name='starts_at']").fill(f"{day:%Y-%m-%d}T08:00")
    page.locator("main button[type='submit']").first.click()
    expect(page.locator("[data-testid='absences']")).to_contain_text("Cecilie Rådgiver")
    assert AvailabilityException.objects.get().counsellor.first_name == "Cecilie"
    screenshot(page, "absence-registered-nb")

    page.goto(f"{live_server.url}/service/oslo/calendar/?week=9999-12-31")
    expect(page.locator("[data-testid='week-errors']")).to_contain_text("Denne uken vises.")
    screenshot(page, "calendar-edge-week-nb")
    page.locator("#language-switcher button[value='en']").click()
    expect(page.locator("[data-testid='week-errors']")).to_contain_text(
        "Enter a date between 1 January 1900 and 31 December 2100. This week is shown."
    )
    screenshot(page, "calendar-edge-week-en")
    assert violations == []
