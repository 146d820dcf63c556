"""End to end, in Debian's headless Chromium: logging in, Bokmål by default, switching to English.

The browser asks for English (Accept-Language: en-US), as a browser in a municipal office
well might; the portal must still answer in Bokmål until the user picks English in the
footer, and then remember that choice (a cookie) on every page, after a reload and after
logging out.

Screenshots land in var/screenshots/ (git-ignored) for a person to look at.
"""

import re

import pytest
from playwright.sync_api import expect

from portal.models import Role
from tests.e2e.browser import (
    PASSWORD,
    authenticator_device,
    enter_second_factor,
    log_in,
    screenshot,
    watch_csp_violations,
)
from tests.factories import CounsellingServiceFactory, StaffMembershipFactory, UserFactory

pytestmark = pytest.mark.browser


@pytest.fixture
def counsellor(transactional_db):
    service = CounsellingServiceFactory(name="Rådgivende enhet Oslo", slug="oslo")
    return StaffMembershipFactory(
        service=service,
        role=Role.COUNSELLOR,
        user__username="kari",
        user__first_name="Kari",
        user__last_name="Nordmann",
    ).user


def test_a_counsellor_logs_in_in_bokmal_and_switching_to_english_is_remembered(live_server, counsellor, page):
    authenticator_device("kari")
    heading = page.get_by_role("heading", level=1)
    html = page.locator("html")

    # Logged out, the portal sends the visitor to the login page, in Bokmål.
    page.goto(f"{live_server.url}/")
    expect(page).to_have_url(re.compile(r"/accounts/login/\?next=/$"))
    expect(html).to_have_attribute("lang", "nb")
    expect(heading).to_have_text("Logg inn")
    screenshot(page, "login-nb")

    # Logging in lands on the dashboard of the counsellor's service.
    page.locator("input[name='username']").fill("kari")
    page.locator("input[name='password']").fill(PASSWORD)
    page.locator("main button[type='submit']").click()
    # Then the second factor: a code from the authenticator app.
    enter_second_factor(page, "kari")
    dashboard_url = f"{live_server.url}/service/oslo/"
    expect(page).to_have_url(dashboard_url)
    expect(page.get_by_test_id("service-name")).to_contain_text("Rådgivende enhet Oslo")
    expect(heading).to_have_text("Oversikt")
    screenshot(page, "dashboard-nb")

    # The language switcher in the footer turns the same page into English...
    page.locator("#language-switcher").get_by_role("button", name="English", exact=True).click()
    expect(page).to_have_url(dashboard_url)
    expect(html).to_have_attribute("lang", "en")
    expect(heading).to_have_text("Dashboard")
    screenshot(page, "dashboard-en")

    # ...and the choice is remembered: after a reload,
    page.reload()
    expect(html).to_have_attribute("lang", "en")
    expect(heading).to_have_text("Dashboard")

    # and on another page, even after logging out.
    page.get_by_role("button", name="Log out", exact=True).click()
    expect(page).to_have_url(f"{live_server.url}/accounts/login/")
    expect(html).to_have_attribute("lang", "en")
    expect(heading).to_have_text("Log in")
    screenshot(page, "login-en")


def test_an_administrator_lands_in_the_admin_and_switches_it_to_english(live_server, page):
    UserFactory(username="admin", is_staff=True, is_superuser=True)
    violations = watch_csp_violations(page)
    html = page.locator("html")

    log_in(page, live_server.url, "admin")

    expect(page).to_have_url(f"{live_server.url}/admin/")
    expect(html).to_have_attribute("lang", "nb")
    expect(page.locator("#content h1")).to_have_text("Nettstedsadministrasjon")
    screenshot(page, "admin-nb")

    page.locator("#language-switcher").get_by_role("button", name="English", exact=True).click()
    expect(page).to_have_url(f"{live_server.url}/admin/")
    expect(html).to_have_attribute("lang", "en")
    expect(page.locator("#content h1")).to_have_text("Site administration")
    screenshot(page, "admin-en")
    assert violations == []
