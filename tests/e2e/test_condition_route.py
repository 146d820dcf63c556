"""End to end, in headless Chromium: under the condition route a counsellor records a no-show with weeks left
before the deadline and is told to book a new meeting; the person then refuses to attend, which the counsellor
records with the reason, and the police report says only that the person did not attend. Under the order route the
lead's report to the police asks for its legal basis."""

import datetime

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from counselling.attendance.models import PoliceReport
from counselling.attendance.services import AttendanceDetails, attendance_record
from portal.models import AuditEvent, Role
from referrals.services import referral_assign
from tests.e2e.browser import log_in, screenshot
from tests.factories import (
    CounsellingServiceFactory,
    LocationFactory,
    MeetingFactory,
    ReferralFactory,
    StaffMembershipFactory,
)

pytestmark = pytest.mark.browser

REASON = "Ringte og sa at han ikke vil komme."


@pytest.fixture
def scene(transactional_db):
    service = CounsellingServiceFactory(name="Rådgivende enhet Oslo", slug="oslo")
    kari = StaffMembershipFactory(
        service=service, role=Role.COUNSELLOR, user__username="kari", user__first_name="Kari"
    ).user
    lead = StaffMembershipFactory(service=service, role=Role.SERVICE_LEAD, user__username="leder").user
    return service, kari, lead


def past_meeting(referral, counsellor):
    start = timezone.now() - datetime.timedelta(hours=2)
    return MeetingFactory(
        referral=referral,
        counsellor=counsellor,
        location=LocationFactory(service=referral.service),
        starts_at=start,
        summons_posted=True,  # the summons left: the police may hear of a no-show
    )


def test_a_no_show_leaves_time_for_a_new_meeting_and_a_refusal_is_reported_without_its_reason(live_server, scene, page):
    service, kari, lead = scene
    referral = ReferralFactory(
        service=service,
        person__first_name="Ola",
        person__last_name="Testesen",
        attendance_deadline=timezone.localdate() + datetime.timedelta(days=21),
    )
    referral_assign(actor=lead, referral=referral, counsellor=kari)
    meeting = past_meeting(referral, kari)

    log_in(page, live_server.url, "kari")
    page.goto(f"{live_server.url}/service/oslo/meetings/{meeting.pk}/attendance/")
    page.locator("input[name=outcome][value=no_show]").check()
    page.locator("form[data-attendance] button[type=submit]").click()

    # Back on the case: still open, the next step is a new meeting before the deadline.
    expect(page).to_have_url(f"{live_server.url}/service/oslo/referrals/{referral.pk}/")
    expect(page.get_by_test_id("next-action")).to_contain_text("sett opp en ny samtale før fristen for oppmøte")
    expect(page.locator(f"a[href$='/referrals/{referral.pk}/book/']")).to_be_visible()
    screenshot(page, "condition-no-show-new-meeting-nb")
    assert not PoliceReport.objects.exists()

    # The person calls and says they will not come.
    page.get_by_test_id("record-refusal").click()
    page.get_by_test_id("refusal-form").locator("button[type=submit]").click()
    expect(page.locator("#id_reason_error, .invalid-feedback")).to_contain_text("Skriv hva personen sa")
    screenshot(page, "condition-refusal-error-nb")
    page.locator("textarea[name=reason]").fill(REASON)
    page.get_by_test_id("refusal-form").locator("button[type=submit]").click()

    expect(page).to_have_url(f"{live_server.url}/service/oslo/referrals/{referral.pk}/")
    expect(page.get_by_test_id("refusal-panel")).to_contain_text(REASON)
    expect(page.get_by_test_id("next-action")).to_contain_text("saken er avsluttet")
    expect(page.get_by_test_id("record-refusal")).to_have_count(0)
    screenshot(page, "condition-refused-nb")

    page.goto(f"{live_server.url}/service/oslo/police-reports/")
    expect(page.locator("main")).to_contain_text("Melding om manglende oppmøte")
    expect(page.locator("main")).not_to_contain_text(REASON)
    report = PoliceReport.objects.get()
    assert (report.kind, report.meeting_id) == ("not_attended", None)


def test_the_leads_report_under_the_order_route_asks_for_its_legal_basis(live_server, scene, page):
    service, kari, _lead = scene
    referral = ReferralFactory(service=service, route="order", seizure_unknown=False, classification="exempt")
    meeting = past_meeting(referral, kari)
    attendance_record(actor=kari, meeting=meeting, details=AttendanceDetails(outcome="no_show"))

    log_in(page, live_server.url, "leder")
    page.goto(f"{live_server.url}/service/oslo/meetings/{meeting.pk}/")
    page.locator(f"a[href$='/meetings/{meeting.pk}/police-report/']").click()
    form = page.get_by_test_id("police-report-form")
    form.locator("button[type=submit]").click()
    expect(page.locator("#id_legal_basis_error, .invalid-feedback")).to_contain_text("Skriv det rettslige grunnlaget")
    screenshot(page, "condition-order-report-basis-nb")
    assert not PoliceReport.objects.exists()

    form.locator("textarea[name=legal_basis]").fill("Skriftlig samtykke fra personen.")
    form.locator("button[type=submit]").click()
    expect(page).to_have_url(f"{live_server.url}/service/oslo/police-reports/")
    report = PoliceReport.objects.get()
    assert report.legal_basis == "Skriftlig samtykke fra personen."
    assert AuditEvent.objects.get(action="police_report.made").extra == {"legal_basis": report.legal_basis}
