"""End to end, in headless Chromium: a counsellor opens a case that is not theirs, giving a reason; the service
lead finds that read in the access log, flagged as outside the counsellor's caseload, and downloads the person's
"who has accessed my data" list."""

import csv
import io

import pytest
from playwright.sync_api import expect

from portal.models import Role
from tests.e2e.browser import log_in, log_out, screenshot, watch_csp_violations
from tests.factories import CounsellingServiceFactory, ReferralFactory, StaffMembershipFactory

pytestmark = pytest.mark.browser


def test_a_lead_finds_a_break_the_glass_read_in_the_access_log_and_exports_it(live_server, transactional_db, page):
    violations = watch_csp_violations(page)
    service = CounsellingServiceFactory(name="Rådgivende enhet Oslo", slug="oslo")
    StaffMembershipFactory(
        service=service, role=Role.COUNSELLOR, user__username="kari", user__first_name="Kari", user__last_name="Lund"
    )
    StaffMembershipFactory(service=service, role=Role.SERVICE_LEAD, user__username="ingrid")
    referral = ReferralFactory(service=service, person__first_name="Ola", person__last_name="Testesen")

    # The counsellor opens a case assigned to nobody: only after saying why.
    log_in(page, live_server.url, "kari")
    page.goto(f"{live_server.url}/service/oslo/referrals/{referral.pk}/")
    page.locator("textarea[name='reason']").fill("Personen ringte og ba om en ny tid; saksbehandler er syk.")
    page.locator("main form button[type='submit']").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Ola Testesen")
    log_out(page)

    # The lead finds the read, flagged, and exports the person's access list.
    log_in(page, live_server.url, "ingrid")
    page.goto(f"{live_server.url}/service/oslo/access-log/?person={referral.person.national_id}")
    table = page.locator("main table")
    expect(table).to_contain_text("Kari Lund")
    expect(table).to_contain_text("Personen ringte")
    screenshot(page, "access-log-nb")
    with page.expect_download() as download:
        page.locator("a[href$='/csv/']").first.click()
    text = download.value.path().read_text(encoding="utf-8-sig")
    rows = list(csv.reader(io.StringIO(text), delimiter=";"))
    assert any("Kari Lund" in ";".join(row) for row in rows)
    assert violations == []
