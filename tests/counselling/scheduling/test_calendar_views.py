"""The calendar's day, week and month views, one counsellor's or (for a lead) all side by side, on a fixed clock:
Thursday 3 December 2026, 09:00 in Oslo."""

import datetime

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from counselling.scheduling.models import MeetingStatus
from counselling.scheduling.selectors import (
    calendar_day_of,
    calendar_month_of,
    calendar_week_rows_of,
    day_entries,
    days_of,
    month_grid,
)
from portal.models import Role
from tests.factories import AbsenceFactory, LocationFactory, MeetingFactory, OpeningHoursFactory, StaffMembershipFactory

THURSDAY = datetime.date(2026, 12, 3)


@pytest.fixture(autouse=True)
def thursday_morning():
    with time_machine.travel(datetime.datetime.fromisoformat("2026-12-03T09:00:00+01:00"), tick=False):
        yield


def at(day: datetime.date, hour: int, minute: int = 0) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(hour, minute), timezone.get_current_timezone())


def calendar(service, **params) -> str:
    url = reverse("scheduling:calendar", kwargs={"service_slug": service.slug})
    return url + ("?" + "&".join(f"{k}={v}" for k, v in params.items()) if params else "")


def meeting(service, counsellor, starts_at, location=None, **kwargs):
    return MeetingFactory(
        referral__service=service,
        counsellor=counsellor,
        location=location or LocationFactory(service=service),
        starts_at=starts_at,
        **kwargs,
    )


def first_shown(page, view) -> datetime.date:
    """The day the view starts at: the week's Monday, the month's first, the day itself."""
    if view == "week":
        return page.context["week"]["monday"]
    return page.context["calendar"].get("first", page.context["day"])


@pytest.fixture
def location(service):
    return LocationFactory(service=service, name="Sentrum")


# The selectors.


def test_the_month_grid_runs_from_the_monday_before_the_first_to_the_sunday_after_the_last():
    assert month_grid(THURSDAY) == (datetime.date(2026, 11, 30), datetime.date(2027, 1, 3))
    # February 2027 starts on a Monday and ends on a Sunday: exactly four weeks, nothing from the months beside it.
    assert month_grid(datetime.date(2027, 2, 14)) == (datetime.date(2027, 2, 1), datetime.date(2027, 2, 28))


def test_the_month_has_weeks_of_seven_days_with_the_public_holidays_marked(service, counsellor):
    month = calendar_month_of(service, [counsellor], THURSDAY)
    assert len(month["weeks"]) == 5 and all(len(week) == 7 for week in month["weeks"])
    days = [day for week in month["weeks"] for day in week]
    assert days[0]["date"] == datetime.date(2026, 11, 30) and not days[0]["in_month"]
    assert days[-1]["date"] == datetime.date(2027, 1, 3) and not days[-1]["in_month"]
    holidays = [day["date"] for day in days if day["holiday"]]
    # Christmas Day, Boxing Day and New Year's Day (in the grid's last week, of January).
    assert holidays == [datetime.date(2026, 12, 25), datetime.date(2026, 12, 26), datetime.date(2027, 1, 1)]


def test_a_busy_day_of_the_month_lists_a_few_meetings_and_counts_the_rest(service, counsellor, location):
    for hour in range(9, 15):
        meeting(service, counsellor, at(THURSDAY, hour), location)
    month = calendar_month_of(service, [counsellor], THURSDAY)
    thursday = next(day for week in month["weeks"] for day in week if day["date"] == THURSDAY)
    assert [timezone.localtime(m.starts_at).hour for m in thursday["listed"]] == [9, 10, 11, 12]
    assert thursday["more"] == 2


def test_the_day_is_in_time_order_hours_absences_and_meetings(service, counsellor, location):
    OpeningHoursFactory(service=service, counsellor=counsellor, location=location, weekday=3, starts=datetime.time(9))
    late = meeting(service, counsellor, at(THURSDAY, 13), location)
    early = meeting(service, counsellor, at(THURSDAY, 9, 30), location)
    AbsenceFactory(service=service, counsellor=counsellor, starts_at=at(THURSDAY, 11), ends_at=at(THURSDAY, 12))
    entries = day_entries(days_of(service, [counsellor], THURSDAY, THURSDAY)[counsellor.pk][0])
    assert [(e.kind, e.starts.strftime("%H:%M")) for e in entries] == [
        ("hours", "09:00"),
        ("meeting", "09:30"),
        ("absence", "11:00"),
        ("meeting", "13:00"),
    ]
    assert [e.item for e in entries if e.kind == "meeting"] == [early, late]


def test_an_absence_over_several_days_is_the_whole_of_the_days_between(service, counsellor):
    AbsenceFactory(
        service=service,
        counsellor=counsellor,
        kind="holiday",
        starts_at=at(THURSDAY, 12),
        ends_at=at(THURSDAY, 12) + datetime.timedelta(days=2),
    )
    days = days_of(service, [counsellor], THURSDAY, THURSDAY + datetime.timedelta(days=3))[counsellor.pk]
    cut = [[(e.starts.strftime("%H:%M"), e.all_day) for e in day_entries(day)] for day in days]
    # Thursday from noon, Friday all day, Saturday until noon; Sunday nothing.
    assert cut == [[("12:00", False)], [("00:00", True)], [("00:00", False)], []]


def test_a_public_holiday_shows_no_opening_hours(service, counsellor, location):
    christmas = datetime.date(2026, 12, 25)  # a Friday
    OpeningHoursFactory(service=service, counsellor=counsellor, location=location, weekday=christmas.weekday())
    day = calendar_day_of(service, [counsellor], christmas)
    assert day["holiday"]
    assert day_entries(day["columns"][0]["day"]) == []


def test_meetings_of_another_service_and_cancelled_ones_stay_out(service, other_service, counsellor, location):
    meeting(service, counsellor, at(THURSDAY, 10), location, status=MeetingStatus.CANCELLED, change_reason="x")
    meeting(other_service, counsellor, at(THURSDAY, 11))
    assert calendar_day_of(service, [counsellor], THURSDAY)["columns"][0]["day"]["meetings"] == []


def test_side_by_side_each_counsellor_has_their_own_column_and_row(service, counsellor, colleague, location):
    mine = meeting(service, counsellor, at(THURSDAY, 10), location)
    theirs = meeting(service, colleague, at(THURSDAY, 10), location)
    day = calendar_day_of(service, [counsellor, colleague], THURSDAY)
    ten = next(row for row in day["hour_rows"] if row["hour"] == datetime.time(10))
    assert ten["cells"] == [[mine], [theirs]]
    assert [row["hour"].hour for row in day["hour_rows"]] == list(range(8, 16))
    week = calendar_week_rows_of(service, [counsellor, colleague], datetime.date(2026, 11, 30))
    assert [row["counsellor"] for row in week["rows"]] == [counsellor, colleague]
    assert week["rows"][1]["days"][3]["meetings"] == [theirs]


# The pages.


@pytest.mark.parametrize("view", ["day", "week", "month"])
def test_each_view_shows_the_meeting_with_name_reference_and_status(client, service, counsellor, location, view):
    booked = meeting(service, counsellor, at(THURSDAY, 10), location)
    client.force_login(counsellor)
    client.cookies["portal_language"] = "en"
    page = client.get(calendar(service, view=view, date="2026-12-03"))
    assert page.status_code == 200
    content = page.content.decode()
    assert booked.referral.person.full_name in content
    assert reverse("attendance:meeting", args=[service.slug, booked.pk]) in content
    if view != "month":
        assert str(booked.referral) in content
        assert "Booked" in content  # the status in words, not only the block's colour


def test_the_day_view_lists_the_day_in_a_table_with_its_headings(client, service, counsellor, location):
    OpeningHoursFactory(service=service, counsellor=counsellor, location=location, weekday=3)
    meeting(service, counsellor, at(THURSDAY, 10), location)
    client.cookies["portal_language"] = "en"
    client.force_login(counsellor)
    content = client.get(calendar(service, view="day", date="2026-12-03")).content.decode()
    for heading in ("Time", "Person", "Police reference", "Place", "Status"):
        assert f'<th scope="col">{heading}</th>' in content
    assert "Thursday 3 December 2026" in content
    assert content.index("Opening hours") < content.index("Sentrum")


@pytest.mark.parametrize(
    ("view", "previous", "following"),
    [
        ("day", "2026-12-02", "2026-12-04"),
        ("week", "2026-11-23", "2026-12-07"),
        ("month", "2026-11-01", "2027-01-01"),
    ],
)
def test_previous_and_next_move_by_a_day_a_week_or_a_month(client, service, counsellor, view, previous, following):
    client.force_login(counsellor)
    links = client.get(calendar(service, view=view, date="2026-12-03")).context["links"]
    assert links["previous"] == f"?view={view}&date={previous}&counsellor={counsellor.pk}"
    assert links["next"] == f"?view={view}&date={following}&counsellor={counsellor.pk}"
    assert links["today"] == f"?view={view}&date=2026-12-03&counsellor={counsellor.pk}"
    assert [link for _name, _label, link in links["views"]] == [
        f"?view={name}&date=2026-12-03&counsellor={counsellor.pk}" for name in ("day", "week", "month")
    ]


def test_the_month_view_marks_today_and_the_holidays(client, service, counsellor):
    client.force_login(counsellor)
    client.cookies["portal_language"] = "en"
    content = client.get(calendar(service, view="month", date="2026-12-20")).content.decode()
    today = content.index('data-testid="month-day-2026-12-03"')
    assert 'aria-current="date"' in content[today - 80 : today]
    christmas = content[content.index('data-testid="month-day-2026-12-25"') :]
    assert christmas.index("Public holiday") < christmas.index("month-day-2026-12-26")
    assert '<th scope="row">49</th>' in content  # the week numbers head the rows


def test_a_busy_day_in_the_month_links_to_the_day_for_the_rest(client, service, counsellor, location):
    for hour in range(8, 14):
        meeting(service, counsellor, at(THURSDAY, hour), location)
    client.force_login(counsellor)
    client.cookies["portal_language"] = "en"
    content = client.get(calendar(service, view="month")).content.decode()
    assert f'href="?view=day&amp;date=2026-12-03&amp;counsellor={counsellor.pk}" data-testid="month-more">+2 more' in (
        content
    )


@pytest.mark.parametrize(
    ("params", "view", "day", "message"),
    [
        ({"view": "year"}, "week", "2026-11-30", "There is no such calendar view; the week is shown."),
        ({"view": "day", "date": "2026-02-30"}, "day", "2026-12-03", "Today is shown."),
        ({"view": "month", "date": "9999-12-31"}, "month", "2026-12-01", "This month is shown."),
        ({"view": "week", "date": "yesterday"}, "week", "2026-11-30", "This week is shown."),
        ({"counsellor": "999999"}, "week", "2026-11-30", "There is no such counsellor in the service"),
        ({"counsellor": "x" * 50}, "week", "2026-11-30", "There is no such counsellor in the service"),
    ],
)
def test_bad_parameters_give_a_message_and_the_default(client, service, counsellor, params, view, day, message):
    client.force_login(counsellor)
    client.cookies["portal_language"] = "en"
    page = client.get(calendar(service, **params))
    assert page.status_code == 200
    assert page.context["view"] == view
    first = first_shown(page, view)
    assert first.isoformat() == day
    assert page.context["shown"].user == counsellor
    assert any(message in problem for problem in page.context["week_errors"])


@pytest.mark.parametrize(
    ("now", "view", "shown", "coming_week"),
    [
        ("2026-12-05T09:00:00+01:00", "week", "2026-12-07", True),  # Saturday: the week view opens on the coming week
        ("2026-12-05T09:00:00+01:00", "day", "2026-12-05", False),  # the day view on today
        ("2026-12-06T22:00:00+01:00", "month", "2026-12-01", False),  # the month view on this month
    ],
)
def test_at_the_weekend_only_the_week_view_opens_on_the_coming_week(
    client, service, counsellor, now, view, shown, coming_week
):
    with time_machine.travel(datetime.datetime.fromisoformat(now), tick=False):
        client.force_login(counsellor)
        page = client.get(calendar(service, view=view))
    first = first_shown(page, view)
    assert first.isoformat() == shown
    assert ('data-testid="calendar-coming-week"' in page.content.decode()) is coming_week
    assert page.context["links"]["today"].startswith(f"?view={view}&date={now[:10]}")


def test_the_old_week_parameter_still_opens_that_week(client, service, counsellor):
    client.force_login(counsellor)
    assert client.get(calendar(service, week="2026-12-16")).context["week"]["monday"] == datetime.date(2026, 12, 14)


# Side by side, for the lead.


@pytest.mark.parametrize("view", ["day", "week"])
def test_a_lead_sees_all_counsellors_side_by_side(client, service, lead, counsellor, colleague, location, view):
    mine = meeting(service, counsellor, at(THURSDAY, 10), location)
    theirs = meeting(service, colleague, at(THURSDAY, 10), location)
    client.force_login(lead)
    page = client.get(calendar(service, view=view, date="2026-12-03", counsellor="all"))
    assert page.context["side_by_side"]
    content = page.content.decode()
    assert f'data-testid="{view}-side-by-side"' in content
    for user in (lead, counsellor, colleague):
        assert f'<th scope="{"col" if view == "day" else "row"}"><a href="?view={view}' in content
        assert user.get_full_name() in content
    assert mine.referral.person.full_name in content and theirs.referral.person.full_name in content
    assert page.context["links"]["next"].endswith("&counsellor=all")


def test_the_lead_opens_on_their_own_calendar_and_may_choose_all(client, service, lead, counsellor):
    client.force_login(lead)
    page = client.get(calendar(service))
    assert page.context["shown"].user == lead and not page.context["side_by_side"]
    assert '<option value="all">' in page.content.decode()


def test_a_counsellor_asking_for_all_gets_their_own_calendar(client, service, counsellor, colleague):
    client.force_login(counsellor)
    page = client.get(calendar(service, view="day", counsellor="all"))
    assert page.status_code == 200
    assert not page.context["side_by_side"]
    assert page.context["shown"].user == counsellor
    assert [c["counsellor"] for c in page.context["calendar"]["columns"]] == [counsellor]
    assert 'value="all"' not in page.content.decode()
    assert page.context["week_errors"]  # told why


def test_a_counsellor_still_chooses_a_colleague(client, service, counsellor, colleague):
    client.force_login(counsellor)
    page = client.get(calendar(service, view="month", counsellor=colleague.pk))
    assert page.context["shown"].user == colleague and not page.context["week_errors"]


# Query counts: the same whatever the number of meetings or counsellors.


def busy_service(service, lead, location, counsellors: int, meetings_each: int):
    """The lead and `counsellors` more, each with opening hours, an absence and meetings this month."""
    users = [lead] + [
        StaffMembershipFactory(service=service, role=Role.COUNSELLOR).user for _index in range(counsellors)
    ]
    for user in users:
        OpeningHoursFactory(service=service, counsellor=user, location=location, weekday=3)
        AbsenceFactory(service=service, counsellor=user, starts_at=at(THURSDAY, 15), ends_at=at(THURSDAY, 16))
        for index in range(meetings_each):
            day = THURSDAY - datetime.timedelta(days=index % 3)
            meeting(service, user, at(day, 8 + index), location)


# The session, user and second factor; the service gate's membership; the counsellors; one query each for the
# meetings, the opening hours, the absences and the announced drug tests (attendance's calendar layer); the menu's
# services; savepoints and the session's save.
QUERIES = {"day": 15, "week": 15, "month": 15}


@pytest.mark.parametrize(("counsellors", "meetings_each"), [(1, 1), (4, 6)])
@pytest.mark.parametrize("view", ["day", "week", "month"])
@pytest.mark.parametrize("who", ["one", "all"])
def test_each_view_takes_a_fixed_number_of_queries(
    client, service, lead, location, django_assert_num_queries, counsellors, meetings_each, view, who
):
    busy_service(service, lead, location, counsellors, meetings_each)
    client.force_login(lead)
    url = calendar(service, view=view, date="2026-12-03", counsellor="all" if who == "all" else lead.pk)
    client.get(url)  # once before counting: what the process caches (content types) is not the page's
    with django_assert_num_queries(QUERIES[view]):
        assert client.get(url).status_code == 200


@pytest.mark.parametrize(
    ("params", "switch_to"),
    [
        ({"view": "week"}, "2026-12-03"),  # this week holds today: the day view opens on today, not on Monday
        ({"view": "month", "date": "2026-12-01"}, "2026-12-03"),
        ({"view": "month", "date": "2027-01-01"}, "2027-01-01"),  # another month: its first day
        ({"view": "week", "date": "2026-12-09"}, "2026-12-09"),
    ],
)
def test_another_view_opens_on_today_when_the_period_shown_holds_it(client, service, counsellor, params, switch_to):
    client.force_login(counsellor)
    views = client.get(calendar(service, **params)).context["links"]["views"]
    assert {link.split("&")[1] for _name, _label, link in views} == {f"date={switch_to}"}


@pytest.mark.parametrize("view", ["day", "week", "month"])
@pytest.mark.parametrize("edge", ["1900-01-01", "2100-12-31"])
def test_the_first_and_last_day_the_portal_takes_show_in_every_view(client, service, lead, view, edge):
    client.force_login(lead)
    for who in (lead.pk, "all"):
        page = client.get(calendar(service, view=view, date=edge, counsellor=who))
        assert page.status_code == 200 and page.context["week_errors"] == []


def test_an_absence_over_several_days_shows_its_dates_in_the_week(client, service, counsellor):
    AbsenceFactory(
        service=service,
        counsellor=counsellor,
        kind="holiday",
        starts_at=at(THURSDAY, 12),
        ends_at=at(THURSDAY + datetime.timedelta(days=1), 16),
    )
    AbsenceFactory(service=service, counsellor=counsellor, starts_at=at(THURSDAY, 8), ends_at=at(THURSDAY, 10))
    client.force_login(counsellor)
    content = client.get(calendar(service, view="week", date="2026-12-03")).content.decode()
    assert content.count("3.12. 12:00–4.12. 16:00") == 2  # on Thursday and on Friday
    assert "08:00–10:00" in content
