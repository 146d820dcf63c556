"""Every page, in Bokmål and in English, as each role sees it, checked by axe-core for WCAG 2.0/2.1 A and AA.

Norwegian public bodies must meet WCAG 2.1 AA (forskrift om universell utforming av IKT), staff tools included. The
portal's pages are found as the permission matrix finds them (tests/portal/test_permission_matrix.py): by walking
the URL configuration, so a page added later is checked without editing this file. A page whose URL needs an object
takes one of the demo's (seed_demo: cases, meetings, letters, police reports, a fee case), or else the matrix's
OBJECT_KWARGS makes one. Pages that only answer POST are out of scope; the form pages they come from are in.

axe-core comes with axe-playwright-python (no CDN). It is injected through the DevTools protocol, which the page's
Content-Security-Policy does not govern, so the check runs against the page exactly as staff get it.
"""

import datetime
import re
from dataclasses import dataclass, field

import pytest
import time_machine
from axe_playwright_python.sync_playwright import Axe
from django import forms
from django.conf import settings
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.test import Client
from django.urls import NoReverseMatch, reverse
from django.utils import translation
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import Browser, BrowserContext, expect

from counselling.attendance.models import PoliceReport
from counselling.scheduling.models import Flag, Letter, Meeting
from fees.models import FeeCase, FeeLetter
from portal.models import CounsellingService, Role
from tests.conftest import log_in_without_second_factor
from tests.e2e.browser import PASSWORD, screenshot
from tests.e2e.conftest import VIEWPORT
from tests.factories import StaffMembershipFactory
from tests.portal.test_permission_matrix import ALL_PATTERNS, SCOPED, UNSCOPED, _url

pytestmark = pytest.mark.browser

# A Wednesday in June: the demo's meetings of "yesterday" fall on a Tuesday, with the court fee of 2026 in force.
SEEDED_AT = datetime.datetime(2026, 6, 10, 12, 0, tzinfo=datetime.timezone(datetime.timedelta(hours=2)))
AXE_OPTIONS = {
    "runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]},
    "resultTypes": ["violations"],
}
BLOCKING = {"serious", "critical"}
DUPLICATE_IDS = """() => {
  const ids = [...document.querySelectorAll("[id]")].map((element) => element.id);
  return [...new Set(ids.filter((id, index) => ids.indexOf(id) !== index))];
}"""
LANGUAGES = [code for code, _ in settings.LANGUAGES]
# The demo's staff: the counsellor whose cases had their meeting (a letter, a police report, a fee case), and the lead.
COUNSELLOR, LEAD, ADMINISTRATOR = "oslo-radgiver2", "oslo-leder", "admin"


@dataclass
class Findings:
    checked: list[str] = field(default_factory=list)
    # (impact, rule id, target selector) -> the pages (with their language) where axe found it
    violations: dict[tuple[str, str, str], list[str]] = field(default_factory=dict)

    def report(self) -> str:
        lines = [f"{len(self.violations)} serious or critical violations (impact, rule, target: pages):"]
        for (impact, rule, target), pages in sorted(self.violations.items()):
            lines.append(f"  {impact} {rule} {target}: {', '.join(pages)}")
        return "\n".join(lines)


def _seeded_objects(counsellor) -> dict:
    """Ids of the demo's objects on the counsellor's own cases (no break-the-glass step between them and the page)."""
    meeting = Meeting.objects.filter(counsellor=counsellor, attendance__outcome="no_show").first()
    fee_case = FeeCase.objects.filter(referral__assigned_counsellor=counsellor).first()
    objects = {
        "referral_pk": meeting.referral_id,
        "meeting_pk": meeting.pk,
        "letter_pk": Letter.objects.filter(meeting=meeting).values_list("pk", flat=True).first(),
        "report_pk": PoliceReport.objects.filter(meeting__counsellor=counsellor).values_list("pk", flat=True).first(),
        "fee_case_pk": fee_case.pk if fee_case else None,
        "fee_letter_pk": FeeLetter.objects.filter(fee_case=fee_case).values_list("pk", flat=True).first(),
        "flag_pk": Flag.objects.filter(meeting__counsellor=counsellor).values_list("pk", flat=True).first(),
        "person_pk": meeting.referral.person_id,
    }
    return {key: value for key, value in objects.items() if value is not None}


def _portal_pages(role: str, service, user) -> list[str]:
    """Every page of the service this role may open, with the demo's objects where it has them."""
    objects = _seeded_objects(get_user_model().objects.get(username=COUNSELLOR))
    urls = [
        _url(name, pattern, service, user, objects)
        for name, pattern in sorted(SCOPED.items())
        if role in pattern.callback.allowed_roles
    ]
    # The pages outside the service gate that take no object: password change, two-factor setup, ...
    urls += _pages_without_kwargs(sorted(UNSCOPED))
    return urls + ["/this-page-does-not-exist/"]  # the portal's own 404 page


def _pages_without_kwargs(names) -> list[str]:
    urls = []
    for name in names:
        if ALL_PATTERNS[name].pattern.converters:
            continue
        try:
            urls.append(reverse(name))
        except NoReverseMatch:
            continue
    return urls


def _admin_pages() -> list[str]:
    changelists = sorted(
        reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist") for model in admin.site._registry
    )
    service = CounsellingService.objects.get(slug="oslo")
    change_form = reverse("admin:portal_counsellingservice_change", args=[service.pk])
    return [reverse("admin:index"), *changelists, change_form]


def _signed_in_context(
    browser: Browser, base_url: str, username: str | None, language: str, second_factor: bool = True
) -> BrowserContext:
    """A browser signed in as `username` with a verified second factor (as `client.force_login` signs in, see
    tests/conftest.py), or with the password only, in `language`; None for a visitor who is not signed in."""
    context = browser.new_context(viewport=VIEWPORT, locale="en-US", base_url=base_url)
    context.set_default_timeout(15_000)
    cookies = [{"name": settings.LANGUAGE_COOKIE_NAME, "value": language, "url": base_url}]
    if username:
        client, user = Client(), get_user_model().objects.get(username=username)
        if second_factor:
            client.force_login(user)
        else:
            log_in_without_second_factor(client, user)
        session = client.cookies[settings.SESSION_COOKIE_NAME].value
        cookies.append({"name": settings.SESSION_COOKIE_NAME, "value": session, "url": base_url})
    context.add_cookies(cookies)
    return context


def _check(
    context: BrowserContext, urls: list[str], findings: Findings, axe: Axe, screenshots: dict[str, str] | None = None
) -> None:
    """Open each HTML page (a PDF, a CSV, a redirect or a POST-only endpoint is not one) and run axe on it; the pages
    named in `screenshots` are photographed too, for a person to look at."""
    page = context.new_page()
    seen = set()
    for url in urls:
        answer = context.request.get(url, max_redirects=0)
        kind = answer.headers.get("content-type", "")
        if answer.status not in (200, 403, 404) or not kind.startswith("text/html") or url in seen:
            continue
        seen.add(url)
        page.goto(url)
        findings.checked.append(url)
        if screenshots and url in screenshots:
            screenshot(page, f"a11y-{screenshots[url]}-{_language(context)}")
        where = f"{url} ({_language(context)})"
        results = axe.run(page, options=AXE_OPTIONS)
        for violation in results.response["violations"]:
            if violation["impact"] not in BLOCKING:
                continue
            for node in violation["nodes"]:
                target = " ".join(map(str, node["target"]))
                findings.violations.setdefault((violation["impact"], violation["id"], target), []).append(where)
        # axe-core 4.7 retired its duplicate-id rules, but a label's `for` or an error's aria-describedby that names
        # a repeated id points at the wrong element (WCAG 4.1.1 as read before 2.2; 1.3.1).
        for repeated in page.evaluate(DUPLICATE_IDS):
            findings.violations.setdefault(("serious", "duplicate-id", f"#{repeated}"), []).append(where)
        # The page fits the window's width: nothing (the top bar of a role with many menu items, a wide table outside
        # its scrolling box) pushes the page sideways, where a keyboard user loses what has focus (1.4.10).
        if page.evaluate("document.documentElement.scrollWidth > document.documentElement.clientWidth"):
            findings.violations.setdefault(("serious", "page-wider-than-window", "html"), []).append(where)
    page.close()


def _language(context: BrowserContext) -> str:
    return next(c["value"] for c in context.cookies() if c["name"] == settings.LANGUAGE_COOKIE_NAME)


@pytest.fixture
def demo(transactional_db, thresholds_2021, court_fee_rates):
    with time_machine.travel(SEEDED_AT, tick=False):
        call_command("seed_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    return CounsellingService.objects.get(slug="oslo")


@pytest.mark.parametrize(
    ("role", "username"), [(Role.COUNSELLOR, COUNSELLOR), (Role.SERVICE_LEAD, LEAD)], ids=["counsellor", "lead"]
)
def test_every_portal_page_meets_wcag_21_aa_for_the_role(live_server, chromium, demo, role, username):
    user = get_user_model().objects.get(username=username)
    urls = _portal_pages(role, demo, user)
    findings, axe = Findings(), Axe()
    screenshots = {
        reverse("scheduling:dashboard", args=[demo.slug]): f"dashboard-{role}",
        reverse("fees:worklist", args=[demo.slug]): "fee-queue",
    }
    for language in LANGUAGES:
        context = _signed_in_context(chromium, live_server.url, username, language)
        try:
            _check(context, urls, findings, axe, screenshots)
        finally:
            context.close()
    assert len(findings.checked) > 10, findings.checked
    assert findings.violations == {}, findings.report()


def test_the_pages_before_signing_in_meet_wcag_21_aa(live_server, chromium, demo):
    urls = _pages_without_kwargs(sorted(UNSCOPED))
    findings, axe = Findings(), Axe()
    # Between the password and the second factor: the first login connects an app, a later one asks for its code.
    StaffMembershipFactory(service=demo, user__username="newcomer")
    TOTPDevice.objects.create(user=get_user_model().objects.get(username=LEAD), name="app", confirmed=True)
    for language in LANGUAGES:
        for username in (None, "newcomer", LEAD):
            context = _signed_in_context(chromium, live_server.url, username, language, second_factor=False)
            try:
                _check(context, urls, findings, axe)
            finally:
                context.close()
    assert {reverse("login"), reverse("portal:two_factor_setup"), reverse("portal:two_factor_verify")} <= set(
        findings.checked
    ), findings.checked
    assert findings.violations == {}, findings.report()


def test_the_admin_index_changelists_and_a_change_form_meet_wcag_21_aa(live_server, chromium, demo):
    urls = _admin_pages()
    findings, axe = Findings(), Axe()
    screenshots = {urls[0]: "admin-index", urls[-1]: "admin-change-form"}
    for language in LANGUAGES:
        context = _signed_in_context(chromium, live_server.url, ADMINISTRATOR, language)
        try:
            _check(context, urls, findings, axe, screenshots)
        finally:
            context.close()
    assert len(findings.checked) == 2 * len(urls), sorted(set(urls) - set(findings.checked))
    assert findings.violations == {}, findings.report()


def test_a_form_announces_its_errors_and_ties_each_to_its_field(live_server, page, transactional_db):
    """WCAG 3.3.1 and 4.1.3: a screen reader hears that the form came back with errors, and on each field which."""
    StaffMembershipFactory(user__username="kari")
    page.goto(f"{live_server.url}/accounts/login/")
    page.locator("main button[type='submit']").click()  # nothing filled in

    for name in ("username", "password"):
        field = page.locator(f"input[name='{name}']")
        expect(field).to_have_attribute("aria-invalid", "true")
        described_by = field.get_attribute("aria-describedby")
        assert described_by, f"{name} names no description"
        error = page.locator(f"[id='{described_by.split()[-1]}']")
        with translation.override("nb"):
            expect(error).to_have_text(str(forms.Field.default_error_messages["required"]))
    screenshot(page, "a11y-login-field-errors-nb")
    shown_with_errors = Axe().run(page, options=AXE_OPTIONS).response["violations"]
    assert [v["id"] for v in shown_with_errors if v["impact"] in BLOCKING] == []

    page.locator("input[name='username']").fill("kari")
    page.locator("input[name='password']").fill(PASSWORD + " typo")
    page.locator("main button[type='submit']").click()
    alert = page.locator("main form").get_by_role("alert")  # the error of the whole form: no field to tie it to
    expect(alert).to_have_count(1)
    expect(alert).to_have_text(re.compile(r"passord"))  # "... korrekt brukernavn og passord ..."
    expect(page.locator("input[name='password']")).not_to_have_attribute("aria-invalid", "true")
