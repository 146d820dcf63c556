"""End to end, in headless Chromium: booking from a week of free times. A counsellor books in two clicks (a time,
then Book), in Bokmål and in English with any counsellor of the service; and the whole booking, from the case
page to the booked meeting, is done with the keyboard alone."""

import datetime
import re

import pytest
import time_machine
from django.utils import timezone
from playwright.sync_api import Page, expect

from counselling.scheduling.models import LetterKind, Meeting
from counselling.scheduling.services import letter_template
from portal.models import Role
from referrals.identity import example_national_id
from referrals.services import PersonDetails, ReferralDetails, referral_assign, referral_register
from tests.e2e.browser import log_in, screenshot
from tests.factories import CounsellingServiceFactory, LocationFactory, OpeningHoursFactory, StaffMembershipFactory

pytestmark = pytest.mark.browser

OSLO = datetime.timezone(datetime.timedelta(hours=1))  # winter time
# A Tuesday morning. The test service asks for no days of notice; with a day for the summons to arrive, the first
# bookable time is Wednesday 13 January 09:00, in the week from Monday 11 January.
NOW = datetime.datetime(2027, 1, 12, 8, tzinfo=OSLO)
WEDNESDAY = datetime.date(2027, 1, 13)


def at(day: datetime.date, hour: int, minute: int = 0) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(hour, minute), timezone.get_current_timezone())


@pytest.fixture
def clock():
    # The clock ticks: the second factor's codes move on, as they would.
    with time_machine.travel(NOW, tick=True):
        yield


@pytest.fixture
def scene(clock, transactional_db):
    service = CounsellingServiceFactory(name="Rådgivende enhet Oslo", slug="oslo")
    kari = StaffMembershipFactory(
        service=service, role=Role.COUNSELLOR, user__username="kari", user__first_name="Kari", user__last_name="Lie"
    ).user
    per = StaffMembershipFactory(
        service=service, role=Role.COUNSELLOR, user__username="per", user__first_name="Per", user__last_name="Berg"
    ).user
    lead = StaffMembershipFactory(service=service, role=Role.SERVICE_LEAD).user
    office = LocationFactory(service=service, name="Kontoret i Storgata")
    for weekday in range(5):
        OpeningHoursFactory(
            service=service,
            counsellor=kari,
            location=office,
            weekday=weekday,
            starts=datetime.time(9),
            ends=datetime.time(12),
        )
        OpeningHoursFactory(
            service=service,
            counsellor=per,
            location=office,
            weekday=weekday,
            starts=datetime.time(12),
            ends=datetime.time(15),
        )
    letter_template(LetterKind.SUMMONS)  # the seeded text; browser tests flush the database
    today = timezone.localdate()

    def case(first_name: str, serial: int):
        referral = referral_register(
            actor=lead,
            service=service,
            person_details=PersonDetails(
                national_id=example_national_id(datetime.date(1995, 3, 14), serial),
                first_name=first_name,
                last_name="Testesen",
                email=f"{first_name.lower()}@example.org",
            ),
            details=ReferralDetails(
                route="condition",
                police_district="oslo",
                police_reference=f"2027-00{serial}",
                incident_date=today - datetime.timedelta(days=20),
                decision_date=today - datetime.timedelta(days=10),
                attendance_deadline=datetime.date(2027, 1, 21),
                seizure_unknown=True,
            ),
        )
        referral_assign(actor=lead, referral=referral, counsellor=kari)
        return referral

    return {"first": case("Ola", 600), "second": case("Nora", 700), "per": per}


def test_a_counsellor_books_a_free_time_in_two_clicks_in_bokmal_and_english(live_server, scene, page):
    log_in(page, live_server.url, "kari")
    first = scene["first"]
    page.goto(f"{live_server.url}/service/oslo/referrals/{first.pk}/book/")
    # The week of the first bookable time, a column per day, Kari's own times (the case is hers).
    expect(page.get_by_test_id("week-heading")).to_contain_text("11.1.–17.1.2027")
    expect(page.get_by_test_id("day-2027-01-12")).to_have_attribute("data-state", "too-soon")
    expect(page.get_by_test_id("day-2027-01-16")).to_have_attribute("data-state", "closed")
    wednesday = page.get_by_test_id("day-2027-01-13")
    expect(wednesday.locator("legend")).to_have_text(re.compile("onsdag 13. januar"))
    screenshot(page, "booking-week-nb")

    wednesday.locator("label", has_text="10:00–10:45").click()  # one
    page.locator("button[name=action][value=book]").click()  # two
    expect(page).to_have_url(re.compile(rf"{live_server.url}/service/oslo/meetings/\d+/$"))
    meeting = Meeting.objects.get(referral=first)
    assert (meeting.starts_at, meeting.length_minutes, meeting.location.name) == (
        at(WEDNESDAY, 10),
        45,
        "Kontoret i Storgata",
    )

    # In English, any counsellor of the service: Per's afternoon times are offered beside Kari's.
    page.locator("#language-switcher").get_by_role("button", name="English", exact=True).click()
    second = scene["second"]
    page.goto(f"{live_server.url}/service/oslo/referrals/{second.pk}/book/")
    page.get_by_label("Counsellor", exact=True).select_option("any")
    page.get_by_test_id("week-show").click()
    expect(page).to_have_url(re.compile(r"\?counsellor=any&"))
    wednesday = page.get_by_test_id("day-2027-01-13")
    expect(wednesday.locator("legend")).to_have_text(re.compile("Wednesday 13 January"))
    expect(wednesday).not_to_contain_text("10:00–10:45")  # Kari is booked then
    pers = wednesday.locator("label", has_text="13:00–13:45")
    expect(pers).to_contain_text("Per Berg")
    screenshot(page, "booking-week-any-en")
    pers.click()
    page.locator("button[name=action][value=book]").click()
    expect(page).to_have_url(re.compile(rf"{live_server.url}/service/oslo/meetings/\d+/$"))
    meeting = Meeting.objects.get(referral=second)
    assert (meeting.counsellor, meeting.starts_at) == (scene["per"], at(WEDNESDAY, 13))

    # Next week and back: links, so the browser's back button returns to the week before.
    page.goto(f"{live_server.url}/service/oslo/referrals/{second.pk}/book/")
    page.get_by_test_id("week-next").click()
    expect(page.get_by_test_id("week-heading")).to_contain_text("18.1.–24.1.2027")
    page.go_back()
    expect(page.get_by_test_id("week-heading")).to_contain_text("11.1.–17.1.2027")


def focus_on(page: Page, selector: str, *, key: str = "Tab", limit: int = 300) -> None:
    """Press `key` until the element matching `selector` has the focus (the keyboard is the only input)."""
    for _ in range(limit):
        page.keyboard.press(key)
        if page.evaluate("(selector) => document.activeElement?.matches(selector) ?? false", selector):
            return
    raise AssertionError(f"{selector} never got the focus with {key}")


def test_the_whole_booking_is_done_with_the_keyboard_alone(live_server, scene, page):
    log_in(page, live_server.url, "kari")
    case = scene["first"]
    page.goto(f"{live_server.url}/service/oslo/referrals/{case.pk}/")

    focus_on(page, f"a[href$='/referrals/{case.pk}/book/']")
    page.keyboard.press("Enter")
    expect(page.get_by_test_id("free-slots")).to_be_visible()

    # "Next free time" is a link: it opens the week of the first free time with that time chosen.
    focus_on(page, "[data-testid=week-first]")
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"first=1"))
    first = page.locator("input[name=slot]:checked")
    expect(first).to_have_count(1)
    expect(first).to_have_attribute("value", re.compile(r"^2027-01-13T09:00\|"))

    # Into the free times (the chosen one has the focus), the arrow key to the next time, Space to keep it.
    focus_on(page, "input[name=slot]")
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Space")
    expect(page.locator("input[name=slot]:checked")).to_have_attribute("value", re.compile(r"^2027-01-13T09:15\|"))
    screenshot(page, "booking-week-keyboard-nb")

    # On to Book, past it to Cancel and back with Shift+Tab, then Enter.
    focus_on(page, "button[name=action][value=book]")
    page.keyboard.press("Tab")
    focus_on(page, "button[name=action][value=book]", key="Shift+Tab")
    page.keyboard.press("Enter")

    expect(page).to_have_url(re.compile(rf"{live_server.url}/service/oslo/meetings/\d+/$"))
    meeting = Meeting.objects.get(referral=case)
    assert meeting.starts_at == at(WEDNESDAY, 9, 15) and meeting.counsellor.username == "kari"
    expect(page.get_by_test_id("letters").locator("a[data-document]")).to_have_count(1)
    screenshot(page, "booking-week-keyboard-booked-nb")


def test_a_booking_refused_says_why_beside_the_input_and_announces_it(live_server, scene, page):
    log_in(page, live_server.url, "kari")
    page.goto(f"{live_server.url}/service/oslo/referrals/{scene['first'].pk}/book/")
    page.locator("button[name=action][value=book]").click()  # no time chosen
    expect(page.get_by_role("alert").filter(has_text="Velg en av de ledige tidene")).to_be_visible()

    page.locator("input[name=other_time]").fill("2027-01-14T15:00")  # another time, but no place
    page.locator("button[name=action][value=book]").click()
    place = page.locator("select[name=location]")
    expect(place).to_have_attribute("aria-invalid", "true")
    expect(place).to_have_attribute("aria-describedby", "id_location_error")
    expect(page.locator("#id_location_error")).to_have_attribute("role", "alert")
    expect(page.locator("#id_location_error")).to_be_visible()
    screenshot(page, "booking-week-errors-nb")
    assert not Meeting.objects.exists()


@pytest.mark.usefixtures("thresholds_2021")  # the substances to choose from: browser tests start from an empty database
def test_from_the_dashboard_a_new_case_is_registered_in_three_clicks_and_booked_in_three_more(live_server, scene, page):
    """The walk a counsellor takes most: a referral arrives, it is registered and its first meeting booked. The
    clicks are counted; typing the police's details is not (the fields are the letter's)."""
    clicks = 0

    def click(locator) -> None:
        nonlocal clicks
        locator.click()
        clicks += 1

    log_in(page, live_server.url, "kari")
    page.goto(f"{live_server.url}/service/oslo/")
    click(page.get_by_test_id("dashboard-register"))
    page.locator("input[name=national_id]").fill(example_national_id(datetime.date(1999, 5, 17), 432))
    page.locator("input[name=first_name]").fill("Siri")
    page.locator("input[name=last_name]").fill("Gjennomgang")
    page.locator("input[name=email]").fill("siri@example.org")
    page.locator("input[name=police_reference]").fill("2027-004321")
    page.locator("input[name=incident_date]").fill("2026-12-20")
    page.locator("input[name=decision_date]").fill("2027-01-05")
    page.locator("input[name=attendance_deadline]").fill("2027-03-01")
    page.locator("select[name='seized-0-substance']").select_option("cannabis")
    page.locator("input[name='seized-0-quantity']").fill("1")
    click(page.locator("input[name=route][value=condition]"))
    click(page.get_by_role("button", name="Registrer henvisning"))
    expect(page.locator(".alert-success").first).to_contain_text("2027-004321")
    assert clicks == 3

    click(page.get_by_role("link", name="Sett opp samtale"))
    click(page.get_by_test_id("day-2027-01-13").locator("label", has_text="09:00–09:45"))
    click(page.locator("button[name=action][value=book]"))
    expect(page).to_have_url(re.compile(rf"{live_server.url}/service/oslo/meetings/\d+/$"))
    meeting = Meeting.objects.get(referral__police_reference="2027-004321")
    assert (meeting.starts_at, meeting.counsellor.username) == (at(WEDNESDAY, 9), "kari")  # registered as hers
    assert clicks == 6
