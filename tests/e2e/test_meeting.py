"""End to end, in headless Chromium: a counsellor books the meeting of a 16-year-old, downloads the summons and
finds the person and both guardians named in it, then (after the meeting) records attendance with consent and an
onward referral, and sees the case closed."""

import datetime
import re

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone
from playwright.sync_api import expect
from pypdf import PdfReader

from counselling.scheduling.models import LetterKind, Meeting
from counselling.scheduling.services import letter_template
from portal.models import Role
from referrals.identity import example_national_id
from referrals.services import GuardianDetails, PersonDetails, ReferralDetails, referral_assign, referral_register
from tests.e2e.browser import log_in, screenshot
from tests.factories import CounsellingServiceFactory, MeetingFactory, StaffMembershipFactory, open_every_day

pytestmark = pytest.mark.browser


@pytest.fixture
def case(transactional_db):
    service = CounsellingServiceFactory(name="Rådgivende enhet Oslo", slug="oslo", phone="+47 21 80 21 80")
    kari = StaffMembershipFactory(
        service=service,
        role=Role.COUNSELLOR,
        user__username="kari",
        user__first_name="Kari",
        user__last_name="Rådgiver",
    ).user
    lead = StaffMembershipFactory(service=service, role=Role.SERVICE_LEAD).user
    open_every_day(service=service, counsellor=kari)
    letter_template(LetterKind.SUMMONS)  # the seeded text; browser tests flush the database
    today = timezone.localdate()
    born = today.replace(year=today.year - 16) - datetime.timedelta(days=90)
    referral = referral_register(
        actor=lead,
        service=service,
        person_details=PersonDetails(
            national_id=example_national_id(born, 600), first_name="Ola", last_name="Testesen"
        ),
        details=ReferralDetails(
            route="condition",
            police_district="oslo",
            police_reference="2026-004711",
            incident_date=today - datetime.timedelta(days=20),
            decision_date=today - datetime.timedelta(days=10),
            attendance_deadline=today + datetime.timedelta(days=30),
            seizure_unknown=True,
            guardians=[
                GuardianDetails(name="Kari Testesen", relation="mor"),
                GuardianDetails(name="Per Testesen", relation="far"),
            ],
        ),
    )
    referral_assign(actor=lead, referral=referral, counsellor=kari)
    return referral


def test_a_counsellor_books_summons_and_records_the_meeting_of_a_minor(live_server, case, page):
    log_in(page, live_server.url, "kari")
    page.goto(f"{live_server.url}/service/oslo/referrals/{case.pk}/")
    page.locator(f"a[href$='/referrals/{case.pk}/book/']").click()

    # A 16-year-old: the guardians are summoned to a meeting up to the day before the 18th birthday.
    expect(page.get_by_test_id("guardians-badge")).to_contain_text("til og med")
    # A week of free times is offered; the first one is taken (its button-like label is what is clicked).
    slots = page.get_by_test_id("free-slots").locator("input[type=radio] + label")
    expect(slots.first).to_be_visible()
    slots.first.click()
    expect(page.locator("input[name=slot]:checked")).to_have_count(1)
    screenshot(page, "meeting-book-nb")
    page.locator("button[name=action][value=book]").click()
    expect(page).to_have_url(re.compile(rf"{live_server.url}/service/oslo/meetings/\d+/$"))

    # Three letters: the person and a copy to each guardian. The person's names everyone summoned.
    letters = page.get_by_test_id("letters").locator("a[data-document]")
    expect(letters).to_have_count(3)
    screenshot(page, "meeting-booked-nb")
    person_letter = page.get_by_test_id("letters").locator("li", has_text="Ola Testesen")
    with page.expect_download() as download:
        person_letter.locator("a[data-download]").click()
    text = "\n".join(p.extract_text() for p in PdfReader(download.value.path()).pages)
    for name in ("Ola Testesen", "Kari Testesen", "Per Testesen"):
        assert name in text
    # 16: consent is Ola's own, and the letter says what the guardians will and will not be told.
    flat = " ".join(text.split())
    assert "pasient- og brukerrettighetsloven § 4-3" in flat and "§ 3-4" in flat

    # Time passes: the meeting has taken place.
    meeting = Meeting.objects.get(referral=case)
    start = timezone.now() - datetime.timedelta(hours=1)
    Meeting.objects.filter(pk=meeting.pk).update(starts_at=start, ends_at=start + datetime.timedelta(minutes=45))
    page.reload()
    page.locator(f"a[href$='/meetings/{meeting.pk}/attendance/']").click()

    page.locator("input[name=outcome][value=attended]").check()
    page.get_by_label("Kari Testesen (mor)").check()
    page.locator("input[name=risk_information_given]").check()
    page.locator("input[name=consent][value=yes]").check()
    page.locator("input[name=needs][value=mental_health]").check()
    page.locator("input[name=onward_referrals][value=gp]").check()
    page.locator("textarea[name=confidential_note]").fill("Ønsker time hos fastlegen.")
    screenshot(page, "attendance-nb")
    page.locator("form[data-attendance] button[type=submit]").click()

    # Back on the case: closed, and the attendance confirmation waits to be sent to the police.
    expect(page).to_have_url(f"{live_server.url}/service/oslo/referrals/{case.pk}/")
    case.refresh_from_db()
    assert case.status == "closed"
    expect(page.get_by_test_id("next-action")).to_contain_text("saken er avsluttet")
    screenshot(page, "case-closed-nb")
    page.goto(f"{live_server.url}/service/oslo/meetings/{meeting.pk}/")
    expect(page.get_by_test_id("assessment")).to_contain_text("Ønsker time hos fastlegen.")
    expect(page.get_by_test_id("attendance-outcome")).not_to_be_empty()


def test_the_attendance_form_of_someone_who_has_turned_18_asks_for_no_guardians(live_server, case, page):
    """A minor at the incident, 18 on the day of the meeting: the guardians are no longer part of the case."""
    today = timezone.localdate()
    person = case.person
    person.date_of_birth = today.replace(year=today.year - 18) - datetime.timedelta(days=10)
    person.save()
    assert case.was_minor_at_incident  # the guardians were registered at intake
    start = timezone.now() - datetime.timedelta(hours=1)
    kari = get_user_model().objects.get(username="kari")
    meeting = MeetingFactory(referral=case, counsellor=kari, starts_at=start)
    type(case).objects.filter(pk=case.pk).update(status="booked")  # as booking the meeting leaves it
    log_in(page, live_server.url, "kari")
    page.goto(f"{live_server.url}/service/oslo/meetings/{meeting.pk}/attendance/")
    page.locator("input[name=outcome][value=attended]").check()
    expect(page.get_by_label("Kari Testesen (mor)")).to_have_count(0)
    expect(page.locator("input[name=guardians]")).to_have_count(0)
    screenshot(page, "attendance-adult-nb")
    page.locator("input[name=consent][value=no]").check()
    page.locator("form[data-attendance] button[type=submit]").click()
    expect(page).to_have_url(f"{live_server.url}/service/oslo/referrals/{case.pk}/")
    assert not Meeting.objects.get(pk=meeting.pk).attendance.guardians_present.exists()
