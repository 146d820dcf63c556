"""Headless Chromium (Debian's package) driven by Playwright, against Django's live server."""

from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page, sync_playwright

VIEWPORT = {"width": 1280, "height": 800}
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update"]


@pytest.fixture
def chromium(chromium_path, monkeypatch) -> Iterator[Browser]:
    # Playwright's sync API runs an event loop in this thread; without this, Django's ORM
    # (fixture teardown, the live server) may raise SynchronousOnlyOperation.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_playwright() as playwright:  # stops Playwright however the test ends
        browser = playwright.chromium.launch(executable_path=chromium_path, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


@pytest.fixture
def page(chromium) -> Iterator[Page]:
    context = chromium.new_context(viewport=VIEWPORT, locale="en-US")
    context.set_default_timeout(10_000)
    try:
        yield context.new_page()
    finally:
        context.close()
