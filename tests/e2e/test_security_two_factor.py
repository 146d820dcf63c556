"""End to end: a first login enrols an authenticator app from the key on the page, shows the backup codes
once, and lands on the dashboard, with no Content Security Policy violation on the way."""

import base64

import pytest
from django_otp.oath import TOTP
from playwright.sync_api import expect

from portal.models import Role
from tests.e2e.browser import PASSWORD, screenshot, watch_csp_violations
from tests.factories import CounsellingServiceFactory, StaffMembershipFactory

pytestmark = pytest.mark.browser


@pytest.fixture
def newcomer(transactional_db):
    service = CounsellingServiceFactory(name="Rådgivende enhet Oslo", slug="oslo")
    return StaffMembershipFactory(service=service, role=Role.COUNSELLOR, user__username="nina").user


def test_a_first_login_enrols_an_authenticator_app_and_shows_backup_codes(live_server, newcomer, page):
    violations = watch_csp_violations(page)
    page.goto(f"{live_server.url}/accounts/login/")
    page.locator("input[name='username']").fill("nina")
    page.locator("input[name='password']").fill(PASSWORD)
    page.locator("main button[type='submit']").click()

    expect(page.get_by_test_id("qr-code")).to_be_visible()
    screenshot(page, "two-factor-setup")
    secret = page.get_by_test_id("totp-secret").inner_text().replace(" ", "")
    key = base64.b32decode(secret + "=" * (-len(secret) % 8))
    page.locator("input[name='code']").fill(f"{TOTP(key).token():06d}")  # what the phone's app shows
    page.locator("main button[type='submit']").click()

    expect(page.get_by_test_id("backup-codes").locator("li")).to_have_count(10)
    screenshot(page, "two-factor-backup-codes")
    page.locator("main a.btn-primary").click()
    expect(page).to_have_url(f"{live_server.url}/service/oslo/")
    assert violations == []
