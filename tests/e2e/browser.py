"""Steps every browser test takes. Screenshots land in var/screenshots/ (git-ignored) for a person to look at."""

from django.conf import settings
from playwright.sync_api import Page, expect

PASSWORD = "correct horse battery staple"  # UserFactory's default
SCREENSHOTS = settings.VAR_DIR / "screenshots"


def screenshot(page: Page, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=SCREENSHOTS / f"{name}.png", full_page=True)


def log_in(page: Page, base_url: str, username: str) -> None:
    page.goto(f"{base_url}/accounts/login/")
    page.locator("input[name='username']").fill(username)
    page.locator("input[name='password']").fill(PASSWORD)
    page.locator("main button[type='submit']").click()
    expect(page.locator("input[name='password']")).to_have_count(0)


def log_out(page: Page) -> None:
    page.locator("form[action$='/logout/'] button").click()
    expect(page.locator("input[name='password']")).to_have_count(1)
