"""End to end, in headless Chromium: an administrator opens a service's fee policy in the Django admin, sees the
warning beside the fees switch, and cannot keep fees on after clearing the legal basis."""

import pytest
from playwright.sync_api import expect

from fees.models import FeePolicy
from tests.e2e.browser import log_in, screenshot
from tests.factories import CounsellingServiceFactory, UserFactory
from tests.fees.factories import FeePolicyFactory

pytestmark = pytest.mark.browser


def test_the_fee_policy_admin_warns_beside_the_switch_and_refuses_fees_without_a_basis(live_server, page):
    service = CounsellingServiceFactory(name="Rådgivende enhet Oslo", slug="oslo")
    policy = FeePolicyFactory(service=service)
    UserFactory(username="admin", is_staff=True, is_superuser=True)
    log_in(page, live_server.url, "admin")

    page.goto(f"{live_server.url}/admin/fees/feepolicy/{policy.pk}/change/")

    switch = page.locator("input[name='fees_enabled']")
    expect(switch).to_be_checked()
    fieldset = page.locator("fieldset", has=switch)
    expect(fieldset.locator(".description")).to_contain_text("Prop. 92 L (2020–2021)")
    expect(page.locator("ul.messagelist li.warning")).to_contain_text("Prop. 92 L (2020–2021)")
    expect(page.locator("#id_legal_basis_citation")).to_have_value("forskrift om gebyr for manglende oppmøte § 1")
    screenshot(page, "admin-fee-policy")

    page.locator("#id_legal_basis_citation").fill("")
    page.locator("#id_legal_basis_text").fill("")
    page.locator("input[name='_save']").click()

    expect(page.locator(".field-fees_enabled .errorlist")).to_have_count(1)
    expect(page.locator(".field-legal_basis_citation .errorlist")).to_have_count(1)
    screenshot(page, "admin-fee-policy-refused")
    policy.refresh_from_db()
    assert policy.legal_basis_citation == "forskrift om gebyr for manglende oppmøte § 1"
    assert FeePolicy.objects.get().fees_enabled
