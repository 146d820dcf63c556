"""Steps every browser test takes. Screenshots land in var/screenshots/ (git-ignored) for a person to look at."""

import time

from django.conf import settings
from django.contrib.auth import get_user_model
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import Page, expect

PASSWORD = "correct horse battery staple"  # UserFactory's default
SCREENSHOTS = settings.VAR_DIR / "screenshots"


def screenshot(page: Page, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=SCREENSHOTS / f"{name}.png", full_page=True)


def authenticator_device(username: str) -> TOTPDevice:
    """The user's authenticator app, as if enrolled before the test."""
    user = get_user_model().objects.get(username=username)
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    return device or TOTPDevice.objects.create(user=user, name="app", confirmed=True)


def current_code(device: TOTPDevice) -> str:
    """The code the app shows now; waits for the next one when this one was already used (the portal
    refuses a code twice)."""
    device.refresh_from_db()
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    while totp.t() <= device.last_t:
        time.sleep(1)
    return f"{totp.token():0{device.digits}d}"


def enter_second_factor(page: Page, username: str) -> None:
    code = page.locator("input[name='code']")
    expect(code).to_have_count(1)
    code.fill(current_code(authenticator_device(username)))
    page.locator("main button[type='submit']").click()
    expect(page.locator("input[name='code']")).to_have_count(0)


def log_in(page: Page, base_url: str, username: str) -> None:
    authenticator_device(username)
    page.goto(f"{base_url}/accounts/login/")
    page.locator("input[name='username']").fill(username)
    page.locator("input[name='password']").fill(PASSWORD)
    page.locator("main button[type='submit']").click()
    expect(page.locator("input[name='password']")).to_have_count(0)
    enter_second_factor(page, username)


def log_out(page: Page) -> None:
    page.locator("form[action$='/logout/'] button").click()
    expect(page.locator("input[name='password']")).to_have_count(1)


def watch_csp_violations(page: Page) -> list[str]:
    """Collect what the browser reports as blocked by the Content Security Policy, for a test to assert none."""
    violations: list[str] = []
    page.on(
        "console",
        lambda message: (
            violations.append(message.text)
            if "Content Security Policy" in message.text or "Content-Security-Policy" in message.text
            else None
        ),
    )
    return violations
