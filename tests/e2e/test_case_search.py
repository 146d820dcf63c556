"""End to end, in headless Chromium: a counsellor finds a case from the top bar by name and by national ID, and
the number never appears in the address bar."""

import datetime

import pytest
from playwright.sync_api import expect

from portal.models import Role
from referrals.identity import example_national_id
from tests.e2e.browser import log_in, screenshot
from tests.factories import CounsellingServiceFactory, PersonFactory, ReferralFactory, StaffMembershipFactory

pytestmark = pytest.mark.browser

OLA_ID = example_national_id(datetime.date(1990, 4, 12), 123)


def test_a_counsellor_finds_a_case_from_the_top_bar_by_name_and_by_national_id(live_server, transactional_db, page):
    service = CounsellingServiceFactory(name="Rådgivende enhet Oslo", slug="oslo")
    StaffMembershipFactory(service=service, role=Role.COUNSELLOR, user__username="kari")
    ola = ReferralFactory(
        service=service,
        police_reference="2026-004711",
        person=PersonFactory(service=service, first_name="Ola", last_name="Testesen", national_id=OLA_ID),
    )
    ReferralFactory(service=service, person=PersonFactory(service=service, first_name="Per", last_name="Hansen"))
    log_in(page, live_server.url, "kari")

    top = page.get_by_test_id("top-search")
    top.get_by_role("searchbox").fill("testesen")
    top.get_by_role("searchbox").press("Enter")
    results = page.get_by_test_id("search-results")
    expect(results).to_contain_text("1 sak funnet for «testesen»")
    expect(results).to_contain_text("2026-004711")
    expect(results).not_to_contain_text("Hansen")
    expect(results).to_contain_text("Åpnes med begrunnelse")  # not her case: she states a reason first
    screenshot(page, "search-name-nb")

    page.get_by_test_id("top-search").get_by_role("searchbox").fill(OLA_ID)
    page.get_by_test_id("top-search").get_by_role("button").click()
    expect(results.get_by_role("link", name="Ola Testesen")).to_be_visible()
    assert OLA_ID not in page.url
    results.get_by_role("link", name="Ola Testesen").click()
    # Not her case: the reason is asked for before it opens.
    expect(page).to_have_url(
        f"{live_server.url}/service/oslo/cases/{ola.pk}/break-the-glass/?next=/service/oslo/referrals/{ola.pk}/"
    )
    assert OLA_ID not in page.url

    page.locator("#language-switcher").get_by_role("button", name="English", exact=True).click()
    page.get_by_test_id("top-search").get_by_role("searchbox").fill("Testesen")
    page.get_by_test_id("top-search").get_by_role("searchbox").press("Enter")
    expect(page.get_by_test_id("search-results")).to_contain_text("1 case found for “Testesen”")
    screenshot(page, "search-name-en")
