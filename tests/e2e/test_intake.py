"""End to end, in headless Chromium: a counsellor registers a minor's referral from the police.

The person is looked up as the national ID is typed (a new person: the birth date comes from
the number, and the guardians' section opens because they are 16), two guardians and three
substances are added as rows without a page reload, and the classification and the route it
points to show before anything is saved. After saving, the case is in the caseload. A
counsellor of another service gets 404 on it and never finds it.
"""

import datetime
import re

import pytest
from playwright.sync_api import Page, expect

from portal.models import Role
from referrals.identity import example_national_id
from referrals.models import Person
from tests.e2e.browser import log_in, log_out, screenshot, watch_csp_violations
from tests.factories import CounsellingServiceFactory, MunicipalityFactory, StaffMembershipFactory

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("thresholds_2021")]

MINOR_ID = example_national_id(datetime.date(2010, 3, 3), 512)
REFERENCE = "2026-004711"


@pytest.fixture
def services(transactional_db):
    oslo = CounsellingServiceFactory(name="Rådgivende enhet Oslo", slug="oslo")
    bergen = CounsellingServiceFactory(name="Rådgivende enhet Bergen", slug="bergen")
    oslo.municipalities.add(MunicipalityFactory(number="0301", name="Oslo"))
    StaffMembershipFactory(service=oslo, role=Role.COUNSELLOR, user__username="kari", user__first_name="Kari")
    StaffMembershipFactory(service=bergen, role=Role.COUNSELLOR, user__username="bjorn", user__first_name="Bjørn")
    return oslo, bergen


def add_row(page: Page, prefix: str) -> None:
    page.locator(f"[data-formset-add='{prefix}']").click()


def test_a_counsellor_registers_a_minor_with_two_guardians_and_three_substances(live_server, services, page):
    csp_violations = watch_csp_violations(page)  # the intake script runs under the Content Security Policy
    log_in(page, live_server.url, "kari")
    caseload = page.goto(f"{live_server.url}/service/oslo/referrals/")
    assert "script-src 'self'" in caseload.headers["content-security-policy"]
    page.locator("a[href$='/referrals/new/']").click()
    expect(page).to_have_url(f"{live_server.url}/service/oslo/referrals/new/")
    guardians = page.locator("#guardians-section")
    expect(guardians).to_be_hidden()  # until the person turns out to be a minor

    # The number is checked and looked up as it is typed; the birth date follows from it.
    page.locator("input[name='national_id']").fill(MINOR_ID)
    expect(page.locator("#person-lookup")).not_to_be_empty()
    expect(page.locator("input[name='date_of_birth']")).to_have_value("2010-03-03")
    page.locator("input[name='first_name']").fill("Ola")
    page.locator("input[name='last_name']").fill("Testesen")
    page.locator("input[name='phone']").fill("912 34 567")
    # The municipality is found by its name: the box suggests "0301 Oslo" and takes "Oslo" as typed.
    municipality = page.locator("input[name='municipality']")
    municipality.fill("Oslo")
    expect(page.locator(f"datalist#{municipality.get_attribute('list')} option[value='0301 Oslo']")).to_have_count(1)

    page.locator("select[name='police_district']").select_option("oslo")
    page.locator("input[name='police_reference']").fill(REFERENCE)
    page.locator("input[name='incident_date']").fill("2026-09-01")
    page.locator("input[name='decision_date']").fill("2026-09-10")
    page.locator("input[name='attendance_deadline']").fill("2026-12-10")

    # Sixteen on the incident date: the guardians' section is open; two guardians.
    expect(guardians).to_be_visible()
    page.locator("input[name='guardians-0-name']").fill("Kari Testesen")
    page.locator("input[name='guardians-0-relation']").fill("mor")
    page.locator("input[name='guardians-0-phone']").fill("912 34 568")
    add_row(page, "guardians")
    page.locator("input[name='guardians-1-name']").fill("Per Testesen")
    page.locator("input[name='guardians-1-relation']").fill("far")
    page.locator("input[name='guardians-1-email']").fill("per@example.org")

    # Three substances; a fourth row added by mistake is removed again.
    classification = page.get_by_test_id("classification")
    page.locator("select[name='seized-0-substance']").select_option("cannabis")
    expect(page.locator("select[name='seized-0-unit']")).to_have_value("g")  # the substance brings its unit
    page.locator("input[name='seized-0-quantity']").fill("4")
    expect(classification.locator(".badge.fs-6")).to_have_class("badge fs-6 text-bg-success")  # exempt so far
    for index, (code, quantity) in enumerate([("mdma", "0,3"), ("lsd-tab", "1"), ("khat", "1")], start=1):
        add_row(page, "seized")
        page.locator(f"select[name='seized-{index}-substance']").select_option(code)
        page.locator(f"input[name='seized-{index}-quantity']").fill(quantity)
    page.locator("[data-formset-row]:has(select[name='seized-3-substance']) [data-formset-remove]").click()
    expect(page.locator("select[name='seized-3-substance']")).to_have_count(0)
    page.locator("input[name='seized-0-quantity']").fill("12")

    # Cannabis above 10 g: the waiver range, and the condition route is suggested and chosen.
    expect(classification.locator(".badge.fs-6")).to_have_class("badge fs-6 text-bg-warning")
    expect(classification).to_contain_text("Cannabis")
    expect(classification).to_contain_text("10")
    # Labelled as what the 2021 proposal would have meant, beside the table's status: never in force.
    expect(classification).to_contain_text("Mellom grensene i forslaget")
    expect(classification).to_contain_text("Forslag, aldri i kraft")
    expect(page.locator("input[name='route'][value='condition']")).to_be_checked()
    screenshot(page, "intake-minor-nb")

    page.locator("form[data-intake] button[type='submit']").click()
    expect(page).to_have_url(re.compile(rf"{live_server.url}/service/oslo/referrals/\d+/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Ola Testesen")
    expect(page.locator("main")).to_contain_text("Kari Testesen (mor)")
    expect(page.locator("main")).to_contain_text("Per Testesen (far)")
    expect(page.locator("main")).to_contain_text("+4791234568")
    case_url = page.url
    screenshot(page, "intake-case-nb")
    assert Person.objects.get(last_name="Testesen").municipality.number == "0301"

    # The case is in the caseload.
    page.goto(f"{live_server.url}/service/oslo/referrals/?counsellor=&q={REFERENCE}")
    expect(page.locator("tbody tr")).to_have_count(1)
    expect(page.locator("tbody")).to_contain_text("Ola Testesen")

    # A counsellor of another service gets 404 on it, and never finds it.
    log_out(page)
    log_in(page, live_server.url, "bjorn")
    response = page.goto(case_url)
    assert response.status == 404
    for query in (REFERENCE, "Testesen", MINOR_ID):
        page.goto(f"{live_server.url}/service/bergen/referrals/?counsellor=&q={query}")
        expect(page.locator("tbody")).not_to_contain_text("Testesen")
        expect(page.locator("tbody tr")).to_have_count(1)  # the "no cases match" row
    assert csp_violations == []
