"""End to end, in headless Chromium, on Thursday 3 December 2026: a service lead walks the calendar from the week to
a day, to the month, back to today, and then sees all counsellors side by side, a day and a week, in Bokmål and in
English."""

import datetime
import re

import pytest
import time_machine
from axe_playwright_python.sync_playwright import Axe
from django.utils import timezone
from playwright.sync_api import expect

from counselling.scheduling.selectors import ALL_COUNSELLORS
from portal.models import Role
from tests.e2e.browser import log_in, screenshot, watch_csp_violations
from tests.factories import (
    AbsenceFactory,
    CounsellingServiceFactory,
    LocationFactory,
    MeetingFactory,
    OpeningHoursFactory,
    StaffMembershipFactory,
)

pytestmark = pytest.mark.browser

WCAG_21_AA = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}}


def shown_and_checked(page, name: str) -> None:
    """A screenshot to look at, and axe-core's WCAG 2.1 AA rules run on the calendar (the page's main part; the menu
    bar is the base template's): none may fail."""
    screenshot(page, name)
    results = Axe().run(page, context="main", options=WCAG_21_AA)
    failing = [
        (v["id"], node["target"], node.get("any", [{}])[0].get("message", ""))
        for v in results.response["violations"]
        for node in v["nodes"]
    ]
    assert failing == [], name


THURSDAY = datetime.date(2026, 12, 3)


def at(day: datetime.date, hour: int, minute: int = 0) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(hour, minute), timezone.get_current_timezone())


def _scene():
    service = CounsellingServiceFactory(name="Rådgivende enhet Oslo", slug="oslo")
    lead = StaffMembershipFactory(
        service=service, role=Role.SERVICE_LEAD, user__username="leder", user__first_name="Liv", user__last_name="Leder"
    ).user
    anne, bjorn = (
        StaffMembershipFactory(
            service=service, role=Role.COUNSELLOR, user__first_name=first, user__last_name="Rådgiver"
        ).user
        for first in ("Anne", "Bjørn")
    )
    office = LocationFactory(service=service, name="Sentrum")
    for user in (lead, anne, bjorn):
        for weekday in range(5):
            OpeningHoursFactory(service=service, counsellor=user, location=office, weekday=weekday)
    people = [("Ola", "Nordmann"), ("Kari", "Hansen"), ("Per", "Olsen"), ("Eva", "Berg"), ("Nils", "Dahl")]
    # The lead's busy Thursday (six meetings: the month lists four and "+2 more"), one already held; one on Monday.
    for hour, (first, last) in zip(range(9, 15), [*people, ("Siri", "Lund")], strict=True):
        MeetingFactory(
            referral__service=service,
            referral__person__first_name=first,
            referral__person__last_name=last,
            counsellor=lead,
            location=office,
            starts_at=at(THURSDAY, hour),
            status="held" if hour == 9 else "booked",
        )
    MeetingFactory(
        referral__service=service,
        referral__person__first_name="Jon",
        referral__person__last_name="Moe",
        counsellor=lead,
        location=office,
        starts_at=at(THURSDAY - datetime.timedelta(days=3), 10),
    )
    MeetingFactory(
        referral__service=service,
        referral__person__first_name="Mona",
        referral__person__last_name="Strand",
        counsellor=anne,
        location=office,
        starts_at=at(THURSDAY, 10, 30),
    )
    AbsenceFactory(service=service, counsellor=bjorn, kind="sick", starts_at=at(THURSDAY, 0), ends_at=at(THURSDAY, 23))
    return service


def test_a_lead_walks_the_calendars_views_and_sees_the_counsellors_side_by_side(live_server, transactional_db, page):
    # The clock ticks from Thursday morning: the second factor's codes need time to move.
    with time_machine.travel(datetime.datetime.fromisoformat("2026-12-03T08:30:00+01:00"), tick=True):
        _scene()
        violations = watch_csp_violations(page)
        log_in(page, live_server.url, "leder")
        for language, words in (("nb", NB), ("en", EN)):
            if language == "en":
                page.locator("#language-switcher button[value='en']").click()
            _walk(page, live_server.url, language, words)
        assert violations == []


NB = {
    "counsellor": "Rådgiver",
    "show": "Vis",
    "weekday": "torsdag 3. desember 2026",
    "held": "Oppmøte registrert",
    "sick": "Syk",
    "month_title": "Desember 2026",
}
EN = {
    "counsellor": "Counsellor",
    "show": "Show",
    "weekday": "Thursday 3 December 2026",
    "held": "Attendance recorded",
    "sick": "Sick",
    "month_title": "December 2026",
}


def _walk(page, base_url, language, words):
    page.goto(f"{base_url}/service/oslo/calendar/")
    week = page.get_by_test_id("week")
    expect(week).to_contain_text("Ola Nordmann")
    expect(week).to_contain_text("Jon Moe")
    shown_and_checked(page, f"calendar-week-{language}")

    page.get_by_test_id("calendar-view-day").click()
    day = page.get_by_test_id("day")
    expect(page.locator("h2")).to_contain_text(words["weekday"])
    expect(day.get_by_role("row")).to_have_count(1 + 1 + 6)  # the headings, the opening hours, six meetings
    expect(day).to_contain_text(words["held"])
    expect(day).to_contain_text("Sentrum")
    shown_and_checked(page, f"calendar-day-{language}")

    page.get_by_test_id("calendar-view-month").click()
    month = page.get_by_test_id("month")
    expect(page.locator("h2")).to_contain_text(words["month_title"])
    expect(month.get_by_test_id("month-more")).to_have_text(re.compile(r"^\+2 "))
    expect(page.get_by_test_id("month-day-2026-12-03")).to_have_attribute("aria-current", "date")
    shown_and_checked(page, f"calendar-month-{language}")

    page.get_by_test_id("calendar-next").click()
    expect(page.get_by_test_id("month-day-2026-12-03")).to_have_count(0)
    page.get_by_test_id("calendar-today").click()
    expect(page.get_by_test_id("month-day-2026-12-03")).to_have_attribute("aria-current", "date")

    page.get_by_label(words["counsellor"]).select_option(ALL_COUNSELLORS)
    page.get_by_role("button", name=words["show"], exact=True).click()
    expect(page.get_by_test_id("month")).to_contain_text("(Anne)")
    page.get_by_test_id("calendar-view-day").click()
    side = page.get_by_test_id("day-side-by-side")
    for name in ("Liv Leder", "Anne Rådgiver", "Bjørn Rådgiver"):
        expect(side.get_by_role("columnheader", name=name)).to_have_count(1)
    expect(side).to_contain_text("Mona Strand")
    expect(side).to_contain_text(words["sick"])
    shown_and_checked(page, f"calendar-day-side-by-side-{language}")

    page.get_by_test_id("calendar-view-week").click()
    side = page.get_by_test_id("week-side-by-side")
    for name in ("Liv Leder", "Anne Rådgiver", "Bjørn Rådgiver"):
        expect(side.get_by_role("rowheader", name=name)).to_have_count(1)
    expect(side).to_contain_text("Mona Strand")
    shown_and_checked(page, f"calendar-week-side-by-side-{language}")
