"""End to end, in headless Chromium: a counsellor registers the prosecution's drug-testing condition from the case
page and confirms the call-in days the portal draws; on the first day the call-in SMS goes out and a colleague on
duty records a taken sample from the dashboard; the second call-in gets no outcome, the sweep flags it, and the
no-show is recorded from the flag; after the period the sweep ends the testing, and the end report's PDF holds the
dates and counts, never the sample number or a note."""

import datetime
import io
import zoneinfo

import pytest
import time_machine
from playwright.sync_api import expect
from pypdf import PdfReader

from counselling.attendance.models import DrugTest, DrugTestStatus, PoliceReport
from counselling.attendance.services.testing_messages import drug_test_messages_send_due
from counselling.attendance.testing_sweeps import drug_test_flags_raise, programmes_end_due
from portal import sms
from portal.models import Role
from referrals.services import referral_assign
from tests.e2e.browser import log_in, log_out, screenshot
from tests.factories import (
    CounsellingServiceFactory,
    LocationFactory,
    OpeningHoursFactory,
    ReferralFactory,
    SampleTypeFactory,
    StaffMembershipFactory,
)

pytestmark = pytest.mark.browser

OSLO = zoneinfo.ZoneInfo("Europe/Oslo")
# A Monday morning in an ordinary week; the programme runs the two weeks after it.
NOW = datetime.datetime(2027, 1, 11, 9, 0, tzinfo=OSLO)
NOTE = "Ringte og sa han var syk, uten legeerklæring."


@pytest.fixture
def clock():
    # The clock ticks: the second factor's codes move on, as they would.
    with time_machine.travel(NOW, tick=True) as traveller:
        yield traveller


@pytest.fixture
def scene(clock, transactional_db):
    service = CounsellingServiceFactory(name="Rådgivende enhet Oslo", slug="oslo", neutral_name="Oslo kommune")
    kari = StaffMembershipFactory(
        service=service, role=Role.COUNSELLOR, user__username="kari", user__first_name="Kari", user__last_name="Lie"
    ).user
    per = StaffMembershipFactory(
        service=service, role=Role.COUNSELLOR, user__username="per", user__first_name="Per", user__last_name="Berg"
    ).user
    lead = StaffMembershipFactory(service=service, role=Role.SERVICE_LEAD, user__username="leder").user
    location = LocationFactory(service=service, name="Kontoret", street_address="Storgata 1", postal_town="Oslo")
    for counsellor in (kari, per):
        for weekday in range(5):
            OpeningHoursFactory(service=service, counsellor=counsellor, location=location, weekday=weekday)
    SampleTypeFactory(name="Urin")
    referral = ReferralFactory(
        service=service,
        person__first_name="Ola",
        person__last_name="Testesen",
        person__phone="+4791234567",
        attendance_deadline=datetime.date(2027, 2, 26),
    )
    referral_assign(actor=lead, referral=referral, counsellor=kari)
    return referral


def pdf_text(page, url: str) -> str:
    """The text of the PDF the link opens, fetched with the page's session."""
    response = page.request.get(page.url.split("/service/")[0] + url)
    assert response.status == 200
    return "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(response.body())).pages)


def test_a_programme_from_registration_through_call_ins_a_flagged_no_show_and_the_end_report(
    live_server, clock, scene, page
):
    referral = scene
    base = f"{live_server.url}/service/oslo"

    # Kari registers the condition from the case page.
    log_in(page, live_server.url, "kari")
    page.goto(f"{base}/referrals/{referral.pk}/")
    page.get_by_test_id("programme-register-open").click()
    form = page.get_by_test_id("programme-form")
    form.locator("input[name=starts_on]").fill("2027-01-12")
    form.locator("input[name=ends_on]").fill("2027-01-22")
    form.locator("input[name=planned_tests]").fill("2")
    form.locator("input[name=announced]").uncheck()
    form.locator("input[name=requester]").fill("Oslo politidistrikt, påtaleenheten")
    form.locator("input[name=prosecution_reference]").fill("PÅT-2027-77")
    screenshot(page, "testing-register-nb")
    form.get_by_test_id("programme-register").click()
    expect(page.get_by_test_id("programme-status")).to_be_visible()
    expect(page.get_by_test_id("programme-facts")).to_contain_text("PÅT-2027-77")

    # The portal draws the two call-in days; Kari confirms them.
    page.get_by_test_id("call-ins-suggest").click()
    expect(page.get_by_test_id("suggested-call-ins").locator("li")).to_have_count(2)
    screenshot(page, "testing-suggested-nb")
    page.get_by_test_id("call-ins-confirm").click()
    expect(page.get_by_test_id("drug-tests").locator("tbody tr")).to_have_count(2)
    first, second = DrugTest.objects.filter(status=DrugTestStatus.PLANNED).order_by("day")
    assert first.day < second.day and first.day.weekday() < 5 and second.day.weekday() < 5
    # The person is told nothing before the morning of the day.
    drug_test_messages_send_due()
    assert sms.outbox == []
    log_out(page)

    # The morning of the first call-in: the SMS goes out, once, and gives nothing away.
    clock.move_to(datetime.datetime.combine(first.day, datetime.time(8, 5), OSLO))
    drug_test_messages_send_due()
    drug_test_messages_send_due()
    assert len(sms.outbox) == 1
    text = sms.outbox[0].body
    assert "Oslo kommune" in text and "15:00" in text
    assert not any(word in text.lower() for word in ("rus", "prøve", "rådgivende", "narkotika"))

    # Per is on duty: the dashboard lists the call-in, and he records the sample.
    clock.move_to(datetime.datetime.combine(first.day, datetime.time(10, 30), OSLO))
    log_in(page, live_server.url, "per")
    page.goto(f"{base}/")
    today = page.get_by_test_id("tests-today")
    expect(today).to_contain_text("Ola Testesen")
    screenshot(page, "testing-dashboard-today-nb")
    today.get_by_role("link").first.click()
    outcome = page.get_by_test_id("outcome-form")
    outcome.locator("input[name=outcome][value=taken]").check()
    outcome.locator("input[name=identity_checked]").check()
    outcome.locator("input[name=sampling_observed]").check()
    outcome.locator("input[name=sample_sealed]").check()
    outcome.locator("input[name=sample_number]").fill("RK-2027-0042")
    screenshot(page, "testing-outcome-form-nb")
    outcome.get_by_test_id("outcome-submit").click()
    expect(page.get_by_test_id("drug-tests")).to_contain_text("Per Berg")
    page.goto(f"{base}/drug-tests/{first.pk}/")
    requisition = pdf_text(page, page.get_by_test_id("requisition").get_attribute("href"))
    assert "Oslo politidistrikt, påtaleenheten" in requisition and "RK-2027-0042" in requisition
    log_out(page)

    # The day after the second call-in: no outcome was recorded, and the sweep flags it.
    clock.move_to(datetime.datetime.combine(second.day + datetime.timedelta(days=1), datetime.time(9), OSLO))
    assert drug_test_flags_raise() == 1
    assert drug_test_flags_raise() == 0
    log_in(page, live_server.url, "kari")
    page.goto(f"{base}/referrals/{referral.pk}/")
    flags = page.get_by_test_id("flags")
    expect(flags).to_be_visible()
    screenshot(page, "testing-flagged-nb")
    flags.locator(f"a[href$='/drug-tests/{second.pk}/']").click()
    outcome = page.get_by_test_id("outcome-form")
    outcome.locator("input[name=outcome][value=no_show]").check()
    outcome.locator("textarea[name=note]").fill(NOTE)
    outcome.get_by_test_id("outcome-submit").click()
    expect(page.get_by_test_id("drug-tests")).to_contain_text("2")
    page.goto(f"{base}/referrals/{referral.pk}/")
    expect(page.get_by_test_id("flags")).to_have_count(0)
    log_out(page)

    # After the period the sweep ends the testing with its report; the lead finds it among the police reports.
    clock.move_to(datetime.datetime(2027, 1, 25, 9, 0, tzinfo=OSLO))
    assert programmes_end_due() == 1
    assert programmes_end_due() == 0
    report = PoliceReport.objects.get(kind="testing_end")
    log_in(page, live_server.url, "leder")
    page.goto(f"{base}/police-reports/")
    link = page.locator(f"a[href$='/police-reports/{report.pk}/pdf/']").first
    expect(link).to_be_visible()
    screenshot(page, "testing-police-reports-nb")
    text = pdf_text(page, link.get_attribute("href"))
    assert "12. januar 2027" in text and "22. januar 2027" in text
    assert f"{second.day.day}. januar 2027" in text.split("Møtte ikke", 1)[1]
    for secret in ("RK-2027-0042", NOTE, "Per Berg"):
        assert secret not in text
