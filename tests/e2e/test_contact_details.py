"""End to end, in headless Chromium: a counsellor adds the missing address of a person and a guardian's e-mail from
the case page, in Norwegian; a postal code of three digits is refused beside the field, in English, with nothing
saved."""

import pytest
from playwright.sync_api import expect

from portal.models import Role
from referrals.models import Guardian
from tests.e2e.browser import log_in, screenshot
from tests.factories import CounsellingServiceFactory, ReferralFactory, StaffMembershipFactory

pytestmark = pytest.mark.browser


def test_a_counsellor_corrects_the_contact_details_from_the_case_page(live_server, page, transactional_db):
    service = CounsellingServiceFactory(name="Rådgivende enhet Oslo", slug="oslo")
    kari = StaffMembershipFactory(service=service, role=Role.COUNSELLOR, user__username="kari").user
    referral = ReferralFactory(service=service, assigned_counsellor=kari, person__first_name="Ola")
    Guardian.objects.create(referral=referral, name="Mor Testesen", relation="mor", phone="+4791234568")
    log_in(page, live_server.url, "kari")

    page.goto(f"{live_server.url}/service/oslo/referrals/{referral.pk}/")
    page.get_by_test_id("edit-contact-details").click()
    expect(page.locator("h1")).to_have_text("Kontaktopplysninger")
    page.get_by_label("Gateadresse").first.fill("Storgata 5")
    page.get_by_label("Postnummer").first.fill("0155")
    page.get_by_label("Poststed").first.fill("Oslo")
    form = page.get_by_test_id("contact-details-form")
    form.locator("section", has_text="Mor Testesen").get_by_label("E-post").fill("mor@example.org")
    screenshot(page, "contact-details-nb")
    form.locator("button[type=submit]").click()
    expect(page.locator(".alert-success")).to_contain_text("Kontaktopplysningene er rettet.")
    expect(page.locator("main")).to_contain_text("Storgata 5, 0155 Oslo")
    expect(page.locator("main")).to_contain_text("mor@example.org")

    page.locator("#language-switcher").get_by_role("button", name="English", exact=True).click()
    page.goto(f"{live_server.url}/service/oslo/referrals/{referral.pk}/contact-details/")
    page.get_by_label("Postal code").first.fill("155")
    page.get_by_test_id("contact-details-form").locator("button[type=submit]").click()
    expect(page.locator(".invalid-feedback").first).to_contain_text("four digits")
    screenshot(page, "contact-details-refused-en")
    referral.person.refresh_from_db()
    assert referral.person.postal_code == "0155"
