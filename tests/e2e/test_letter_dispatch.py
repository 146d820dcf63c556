"""End to end, in headless Chromium: booking warns that the person has neither an address nor an e-mail address and
refuses a meeting sooner than the service's minimum notice until the counsellor says why; on the meeting page the
summons cannot be marked posted, goes as digital post instead, and its receipt gives the day it reached the
person."""

import datetime
import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from counselling.scheduling.models import LetterKind, Meeting
from counselling.scheduling.services import letter_template
from portal.models import Role
from tests.e2e.browser import log_in, screenshot
from tests.factories import CounsellingServiceFactory, ReferralFactory, StaffMembershipFactory, open_every_day

pytestmark = pytest.mark.browser


@pytest.fixture
def case(transactional_db):
    service = CounsellingServiceFactory(name="Rådgivende enhet Oslo", slug="oslo", minimum_notice_days=7)
    kari = StaffMembershipFactory(
        service=service, role=Role.COUNSELLOR, user__username="kari", user__first_name="Kari"
    ).user
    location = open_every_day(service=service, counsellor=kari)
    letter_template(LetterKind.SUMMONS)  # the seeded text; browser tests flush the database
    referral = ReferralFactory(
        service=service,
        assigned_counsellor=kari,
        person__first_name="Ola",
        person__last_name="Uten-Adresse",
        attendance_deadline=timezone.localdate() + datetime.timedelta(days=30),
    )
    return referral, location


def test_a_summons_without_address_goes_as_digital_post_after_a_reasoned_short_notice(live_server, case, page):
    referral, location = case
    base = live_server.url
    log_in(page, base, "kari")
    page.goto(f"{base}/service/oslo/referrals/{referral.pk}/book/")

    # The warning comes before anything is saved.
    expect(page.get_by_test_id("unreachable-recipients")).to_contain_text("Ola Uten-Adresse")
    screenshot(page, "delivery-book-warning")

    # Three days ahead is sooner than the seven days' notice: refused beside the reason field.
    three_days = timezone.localtime() + datetime.timedelta(days=3)
    page.locator("input[name=other_time]").fill(three_days.strftime("%Y-%m-%dT10:00"))
    page.locator("select[name=location]").select_option(str(location.pk))
    page.locator("button[name=action][value=book]").click()
    reason = page.locator("textarea[name=short_notice_reason]")
    expect(page.locator("#id_short_notice_reason + .invalid-feedback, .invalid-feedback").first).to_be_visible()
    expect(page.locator("body")).to_contain_text(re.compile("7 days before the meeting|7 dager før samtalen"))
    assert not Meeting.objects.exists()
    screenshot(page, "delivery-book-short-notice")

    reason.fill("Avtalt på telefon med Ola.")
    page.locator("button[name=action][value=book]").click()
    expect(page).to_have_url(re.compile(rf"{base}/service/oslo/meetings/\d+/$"))
    meeting = Meeting.objects.get()
    assert meeting.short_notice_reason == "Avtalt på telefon med Ola."
    letter = meeting.letters.get()

    # Posting is refused: there is no address.
    dispatch = page.get_by_test_id(f"letter-dispatch-{letter.pk}")
    expect(dispatch).to_contain_text(re.compile("No postal address|Ingen postadresse"))
    dispatch.locator("select[name=dispatch-method]").select_option("posted")
    dispatch.locator("button[type=submit]").click()
    expect(page.locator(".alert-danger, .alert-error").first).to_contain_text(re.compile("cannot be posted|kan ikke"))
    letter.refresh_from_db()
    assert letter.sent_on is None
    screenshot(page, "delivery-meeting-posting-refused")

    # Digital post: sent today, waiting for the receipt; the receipt gives the day it reached the person.
    dispatch = page.get_by_test_id(f"letter-dispatch-{letter.pk}")
    dispatch.locator("select[name=dispatch-method]").select_option("digital")
    dispatch.locator("button[type=submit]").click()
    dispatch = page.get_by_test_id(f"letter-dispatch-{letter.pk}")
    expect(dispatch).to_contain_text(re.compile("waiting for the receipt|venter på kvittering"))
    screenshot(page, "delivery-meeting-digital-sent")
    dispatch.locator("input[name=receipt-receipt]").fill("SvarUt 4711")
    dispatch.locator("button[type=submit]").click()
    letter.refresh_from_db()
    assert (letter.dispatch_method, letter.delivered_on, letter.delivery_receipt) == (
        "digital",
        timezone.localdate(),
        "SvarUt 4711",
    )
    expect(page.get_by_test_id(f"letter-dispatch-{letter.pk}")).not_to_contain_text(
        re.compile("waiting for the receipt|venter på kvittering")
    )
    screenshot(page, "delivery-meeting-digital-received")
