"""Booking by a week of free times: the week's free times per day (for one counsellor or any counsellor of the
service), moving between weeks by links, the next free time, booking in two clicks, and errors announced."""

import datetime
import re
from html.parser import HTMLParser

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from counselling.scheduling.models import AvailabilityException, Meeting, MeetingStatus, SummonsPolicy
from counselling.scheduling.selectors import first_free_slot, free_week
from counselling.scheduling.services import meeting_book
from portal.models import Role
from tests.factories import (
    MeetingFactory,
    OpeningHoursFactory,
    ReferralFactory,
    StaffMembershipFactory,
    open_every_day,
)

OSLO = datetime.timezone(datetime.timedelta(hours=2))  # summer time in Oslo
NOW = datetime.datetime(2030, 9, 10, 10, tzinfo=OSLO)  # a Tuesday, in a month without public holidays
# The test service asks for no days of notice; a day for the summons to arrive makes Wednesday 10:00 the first
# bookable moment.
MONDAY = datetime.date(2030, 9, 9)
WEDNESDAY = datetime.date(2030, 9, 11)
NEXT_MONDAY = datetime.date(2030, 9, 16)
LENGTH = datetime.timedelta(minutes=45)


def at(day: datetime.date, hour: int, minute: int = 0) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(hour, minute), timezone.get_current_timezone())


def open_weekdays(service, counsellor, location, starts=9, ends=12):
    for weekday in range(5):
        OpeningHoursFactory(
            service=service,
            counsellor=counsellor,
            location=location,
            weekday=weekday,
            starts=datetime.time(starts),
            ends=datetime.time(ends),
        )


def times(day) -> list[str]:
    return [f"{timezone.localtime(slot.starts_at):%H:%M}" for slot in day.slots]


@pytest.fixture
def clock():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def case(clock, service, counsellor, location):
    open_weekdays(service, counsellor, location)
    return ReferralFactory(
        service=service,
        created_by=counsellor,
        assigned_counsellor=counsellor,
        attendance_deadline=datetime.date(2030, 10, 4),
    )


def week(service, counsellors, *, monday=MONDAY, deadline=datetime.date(2030, 10, 4), after=None):
    return free_week(
        service=service,
        counsellors=counsellors,
        length=LENGTH,
        deadline=deadline,
        monday=monday,
        after=after or at(monday, 0),
    )


# The week's free times.


def test_a_week_has_a_column_per_day_with_closed_days_and_public_holidays_said(service, counsellor, location):
    open_weekdays(service, counsellor, location)
    days = week(service, [counsellor], monday=datetime.date(2030, 12, 23))  # Christmas Day and Boxing Day
    assert [d.date.day for d in days] == [23, 24, 25, 26, 27, 28, 29]
    assert [d.holiday for d in days] == [False, False, True, True, False, False, False]
    assert [d.closed for d in days] == [False, False, False, False, False, True, True]
    assert times(days[0]) == ["09:00", "09:15", "09:30", "09:45", "10:00", "10:15", "10:30", "10:45", "11:00", "11:15"]
    assert not days[2].slots and not days[5].slots


def test_the_weeks_free_times_skip_busy_meetings_and_absences(service, counsellor, location):
    open_weekdays(service, counsellor, location)
    MeetingFactory(referral__service=service, counsellor=counsellor, location=location, starts_at=at(MONDAY, 10))
    cancelled = MeetingFactory(
        referral__service=service, counsellor=counsellor, location=location, starts_at=at(MONDAY, 9)
    )
    Meeting.objects.filter(pk=cancelled.pk).update(
        status=MeetingStatus.CANCELLED, change_requested_by="person", change_reason="Syk."
    )
    AvailabilityException.objects.create(
        service=service,
        counsellor=counsellor,
        kind="sick",
        starts_at=at(MONDAY + datetime.timedelta(days=1), 0),
        ends_at=at(MONDAY + datetime.timedelta(days=1), 23),
    )
    monday, tuesday = week(service, [counsellor])[:2]
    # 09:30 would run into the 10:00 meeting, which holds until 10:45; the cancelled one holds nothing.
    assert times(monday) == ["09:00", "09:15", "10:45", "11:00", "11:15"]
    assert tuesday.slots == [] and not tuesday.closed


def test_the_week_starts_at_the_earliest_bookable_moment(service, counsellor, location):
    open_weekdays(service, counsellor, location)
    days = week(service, [counsellor], after=at(WEDNESDAY, 10, 30))
    assert [d.too_soon for d in days[:5]] == [True, True, False, False, False]
    assert times(days[2])[0] == "10:30"


def test_times_after_the_deadline_are_marked_and_still_offered(service, counsellor, location):
    open_weekdays(service, counsellor, location)
    days = week(service, [counsellor], deadline=WEDNESDAY)
    assert {slot.after_deadline for d in days[:3] for slot in d.slots} == {False}
    assert days[3].slots and {slot.after_deadline for d in days[3:5] for slot in d.slots} == {True}


def test_any_counsellor_offers_each_time_once_with_the_first_counsellor_free_then(
    service, counsellor, colleague, location
):
    open_weekdays(service, counsellor, location)
    open_weekdays(service, colleague, location, starts=11, ends=13)
    MeetingFactory(referral__service=service, counsellor=counsellor, location=location, starts_at=at(MONDAY, 9))
    monday = week(service, [counsellor, colleague])[0]
    assert times(monday) == [f"{hour:02}:{minute:02}" for hour in (9, 10, 11, 12) for minute in (0, 15, 30, 45)][3:-2]
    who = {f"{timezone.localtime(s.starts_at):%H:%M}": s.counsellor.username for s in monday.slots}
    assert who["09:45"] == who["11:00"] == "counsellor"  # the one preferred, while free
    assert who["11:30"] == "colleague"
    assert monday.slots[0].value.endswith(f"|{counsellor.pk}")


def test_the_first_free_time_is_found_past_full_weeks(service, counsellor, location):
    OpeningHoursFactory(
        service=service,
        counsellor=counsellor,
        location=location,
        weekday=0,
        starts=datetime.time(9),
        ends=datetime.time(9, 45),
    )
    MeetingFactory(referral__service=service, counsellor=counsellor, location=location, starts_at=at(MONDAY, 9))
    first = first_free_slot(
        service=service, counsellors=[counsellor], length=LENGTH, deadline=MONDAY, after=at(MONDAY, 0)
    )
    assert first.starts_at == at(MONDAY + datetime.timedelta(days=7), 9)
    assert first.after_deadline
    assert first.counsellor == counsellor


def test_no_opening_hours_means_no_first_free_time(service, counsellor):
    assert (
        first_free_slot(service=service, counsellors=[counsellor], length=LENGTH, deadline=MONDAY, after=at(MONDAY, 0))
        is None
    )


def test_a_week_for_any_number_of_counsellors_takes_four_queries(service, counsellor, location):
    """Opening hours, meetings, absences, and what the floors above say holds the counsellors' time (attendance's
    announced drug tests, through scheduling.selectors.busy_time_provider): once each, however many counsellors."""
    counsellors = [counsellor, *(StaffMembershipFactory(service=service).user for _ in range(4))]
    for user in counsellors:
        open_weekdays(service, user, location)
    for group in (counsellors[:1], counsellors):
        with CaptureQueriesContext(connection) as queries:
            days = week(service, group)
            assert days[0].slots[0].location.name  # the place comes with the hours
        assert len(queries) == 4


# The booking page.


def url(service, referral, query=""):
    return reverse("scheduling:book", args=[service.slug, referral.pk]) + query


def test_the_booking_page_opens_on_the_week_of_the_first_bookable_time_with_the_cases_counsellor(
    client, service, counsellor, lead, case
):
    client.force_login(lead)
    page = client.get(url(service, case))
    week_shown = page.context["week"]
    assert week_shown["monday"] == MONDAY
    assert page.context["form"]["counsellor"].value() == str(counsellor.pk)
    assert [entry["day"].too_soon for entry in week_shown["days"][:3]] == [True, True, False]
    html = page.content.decode()
    assert 'data-testid="day-2030-09-11"' in html
    assert f"?counsellor={counsellor.pk}&amp;length_minutes=45&amp;week=2030-09-16" in html
    assert f"?counsellor={counsellor.pk}&amp;length_minutes=45&amp;week=2030-09-02" in html


def test_the_booking_page_leaves_the_services_minimum_notice_before_the_first_time(client, service, counsellor, case):
    SummonsPolicy.objects.filter(service=service).update(minimum_notice_days=7)
    client.force_login(counsellor)
    page = client.get(url(service, case))
    assert page.context["week"]["monday"] == NEXT_MONDAY
    assert page.context["slots"][0].starts_at == at(NEXT_MONDAY + datetime.timedelta(days=1), 9)


def test_without_an_assigned_counsellor_the_page_offers_the_users_own_times(client, service, lead, case):
    case.assigned_counsellor = None
    case.save()
    client.force_login(lead)
    assert client.get(url(service, case)).context["form"]["counsellor"].value() == str(lead.pk)


def test_the_week_and_length_come_from_the_query_string(client, service, counsellor, case):
    client.force_login(counsellor)
    page = client.get(url(service, case, f"?counsellor={counsellor.pk}&length_minutes=90&week=2030-09-19"))
    assert page.context["week"]["monday"] == NEXT_MONDAY
    slot = page.context["slots"][0]
    assert slot.ends_at - slot.starts_at == datetime.timedelta(minutes=90)
    assert page.context["week"]["asked_day"] == datetime.date(2030, 9, 19)


@pytest.mark.parametrize(
    "query",
    [
        "?week=not-a-day",
        "?week=99999-01-01",
        "?week=2101-01-01",
        "?counsellor=999999",
        "?counsellor=any%00",
        "?length_minutes=100000000000",
        "?length_minutes=-5&week=2030-02-30",
    ],
)
def test_bad_parameters_give_a_clear_message_and_the_first_bookable_week(client, service, counsellor, case, query):
    client.force_login(counsellor)
    page = client.get(url(service, case, query))
    assert page.status_code == 200
    assert page.context["week"]["monday"] == MONDAY
    assert page.context["week"]["problems"]
    assert 'data-testid="week-problems"' in page.content.decode()


def test_next_free_time_jumps_to_its_week_and_preselects_it(client, service, counsellor, location, case):
    for day in range(3):  # Wednesday to Friday full: the first free time is on the Monday after
        for hour in (9, 10, 11):
            MeetingFactory(
                referral__service=service,
                counsellor=counsellor,
                location=location,
                starts_at=at(WEDNESDAY + datetime.timedelta(days=day), hour),
            )
    client.force_login(counsellor)
    page = client.get(url(service, case, "?first=1"))
    assert page.context["week"]["monday"] == NEXT_MONDAY
    first = page.context["slots"][0]
    assert first.starts_at == at(NEXT_MONDAY, 9)
    assert page.context["form"]["slot"].value() == first.value
    checked = rf'<input type="radio" name="slot" value="{re.escape(first.value)}"[^>]*checked'
    assert re.search(checked, page.content.decode())


def test_next_free_time_with_none_to_find_says_so(client, service, counsellor, case):
    client.force_login(counsellor)
    service.opening_hours.all().delete()
    page = client.get(url(service, case, "?first=1"))
    assert page.status_code == 200
    assert page.context["week"]["monday"] == MONDAY
    assert page.context["week"]["problems"]


def test_two_clicks_a_time_and_book_with_the_place_and_default_length(client, service, counsellor, case):
    client.force_login(counsellor)
    page = client.get(url(service, case))
    slot = page.context["slots"][0]
    form = page.context["form"]
    response = client.post(
        url(service, case),
        {
            "counsellor": form["counsellor"].value(),
            "length_minutes": form["length_minutes"].value(),
            "slot": slot.value,
            "action": "book",
        },
    )
    meeting = Meeting.objects.get()
    assert response.status_code == 302
    assert (meeting.starts_at, meeting.length_minutes, meeting.location) == (slot.starts_at, 45, slot.location)


def test_booking_with_any_counsellor_books_with_the_counsellor_of_the_time(
    client, service, counsellor, colleague, location, case
):
    open_weekdays(service, colleague, location, starts=13, ends=15)
    client.force_login(counsellor)
    page = client.get(url(service, case, "?counsellor=any&week=2030-09-12"))
    html = page.content.decode()
    theirs = next(slot for slot in page.context["slots"] if slot.counsellor == colleague)
    assert colleague.get_full_name() in html
    response = client.post(
        url(service, case, "?counsellor=any&week=2030-09-12"),
        {"counsellor": "any", "length_minutes": 45, "slot": theirs.value, "action": "book"},
    )
    assert response.status_code == 302
    meeting = Meeting.objects.get()
    assert (meeting.counsellor, meeting.starts_at) == (colleague, theirs.starts_at)


def test_another_time_with_any_counsellor_says_whom_it_is_with(client, service, counsellor, colleague, location, case):
    client.force_login(counsellor)
    data = {
        "counsellor": "any",
        "length_minutes": 45,
        "other_time": "2030-09-13T15:00",
        "location": location.pk,
        "action": "book",
    }
    response = client.post(url(service, case, "?counsellor=any"), {**data, "other_counsellor": ""})
    assert "other_counsellor" in response.context["form"].errors
    assert not Meeting.objects.exists()
    response = client.post(url(service, case, "?counsellor=any"), {**data, "other_counsellor": colleague.pk})
    assert response.status_code == 302
    assert Meeting.objects.get().counsellor == colleague


def test_a_counsellor_of_another_service_cannot_be_chosen_and_the_service_refuses_one(
    client, service, counsellor, location, case, stranger
):
    client.force_login(counsellor)
    slot = client.get(url(service, case)).context["slots"][0]
    stranger_slot = slot.value.rsplit("|", 1)[0] + f"|{stranger.pk}"
    response = client.post(
        url(service, case), {"counsellor": stranger.pk, "length_minutes": 45, "slot": stranger_slot, "action": "book"}
    )
    assert response.status_code == 200
    assert not Meeting.objects.exists()
    with pytest.raises(ValidationError) as refused:
        meeting_book(actor=counsellor, referral=case, counsellor=stranger, location=location, starts_at=slot.starts_at)
    assert "counsellor" in refused.value.message_dict


def test_the_service_refuses_a_time_that_is_no_longer_free_for_the_counsellor_of_the_slot(
    client, service, counsellor, location, case
):
    client.force_login(counsellor)
    slot = client.get(url(service, case)).context["slots"][0]
    AvailabilityException.objects.create(
        service=service, counsellor=counsellor, kind="sick", starts_at=slot.starts_at, ends_at=slot.ends_at
    )
    with pytest.raises(ValidationError) as refused:
        meeting_book(
            actor=counsellor, referral=case, counsellor=counsellor, location=location, starts_at=slot.starts_at
        )
    assert "starts_at" in refused.value.message_dict


def _page_queries(client, service, case, query) -> int:
    client.get(url(service, case, query))  # sessions and caches warmed
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url(service, case, query)).status_code == 200
    return len(queries)


# Session, user, second factor, service, the case (and its seizure), the service's counsellors, its summons policy
# (twice), the week (opening hours, meetings, absences, announced drug tests: once each), guardians, memberships,
# places, the session's save and its savepoints.
BOOKING_PAGE_QUERIES = 21


def test_the_booking_page_takes_a_fixed_number_of_queries_whatever_the_number_of_counsellors(
    client, service, counsellor, location, case, django_assert_num_queries
):
    client.force_login(counsellor)
    one = _page_queries(client, service, case, "")
    anyone = _page_queries(client, service, case, "?counsellor=any")
    for _ in range(4):
        open_weekdays(service, StaffMembershipFactory(service=service, role=Role.COUNSELLOR).user, location)
    assert _page_queries(client, service, case, "?counsellor=any") == anyone == one
    with django_assert_num_queries(BOOKING_PAGE_QUERIES):
        client.get(url(service, case, "?counsellor=any"))
    with django_assert_num_queries(BOOKING_PAGE_QUERIES):
        client.get(url(service, case))


# Errors announced, labels visible.


class _Inputs(HTMLParser):
    """The form's inputs, the labels' targets and the ids of the page."""

    def __init__(self):
        super().__init__()
        self.inputs, self.labels, self.ids = [], set(), {}

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if "id" in attrs:
            self.ids[attrs["id"]] = attrs
        if tag == "label" and attrs.get("for"):
            self.labels.add(attrs["for"])
        if tag in ("input", "select", "textarea") and attrs.get("type") not in ("hidden", "submit"):
            self.inputs.append(attrs)


def test_every_input_of_the_booking_page_has_a_visible_label(client, service, counsellor, case):
    client.force_login(counsellor)
    parsed = _Inputs()
    parsed.feed(client.get(url(service, case, "?counsellor=any")).content.decode())
    assert len(parsed.inputs) > 20
    unlabelled = [i.get("name") for i in parsed.inputs if i.get("id") not in parsed.labels]
    assert unlabelled == []


def test_errors_are_announced_and_tied_to_their_inputs(client, service, counsellor, case):
    client.force_login(counsellor)
    html = client.post(
        url(service, case, "?counsellor=any"),
        {"counsellor": "any", "length_minutes": 45, "other_time": "tomorrow", "action": "book"},
    ).content.decode()
    parsed = _Inputs()
    parsed.feed(html)
    other_time = parsed.ids["id_other_time"]
    assert other_time["aria-invalid"] == "true"
    assert "is-invalid" in other_time["class"]
    assert other_time["aria-describedby"] == "id_other_time_error"
    assert parsed.ids["id_other_time_error"]["role"] == "alert"
    nothing = client.post(
        url(service, case), {"counsellor": counsellor.pk, "length_minutes": 45, "action": "book"}
    ).content.decode()
    assert re.search(r'<div class="alert alert-danger" role="alert" data-testid="form-errors">\s*Velg', nothing)


# Moving a meeting shares the week.


def test_moving_a_meeting_offers_the_week_and_moves_it(client, service, counsellor, location, case):
    meeting = meeting_book(
        actor=counsellor, referral=case, counsellor=counsellor, location=location, starts_at=at(WEDNESDAY, 10)
    )
    client.force_login(counsellor)
    move = reverse("scheduling:reschedule", args=[service.slug, meeting.pk])
    page = client.get(move + "?week=2030-09-18")
    assert page.context["week"]["monday"] == NEXT_MONDAY
    slot = page.context["slots"][0]
    response = client.post(
        move + "?week=2030-09-18",
        {
            "counsellor": counsellor.pk,
            "length_minutes": 45,
            "slot": slot.value,
            "requested_by": "person",
            "reason": "Eksamen.",
            "action": "book",
        },
    )
    assert response.status_code == 302
    new = Meeting.objects.get(status=MeetingStatus.BOOKED)
    assert new.starts_at == slot.starts_at and new.replaces == meeting


def test_the_move_page_does_not_offer_the_time_the_meeting_holds(client, service, counsellor, location, case):
    meeting = meeting_book(
        actor=counsellor, referral=case, counsellor=counsellor, location=location, starts_at=at(WEDNESDAY, 10)
    )
    client.force_login(counsellor)
    page = client.get(reverse("scheduling:reschedule", args=[service.slug, meeting.pk]))
    wednesday = page.context["week"]["days"][2]["day"]
    assert times(wednesday) == ["10:45", "11:00", "11:15"]


def test_the_weeks_free_times_keep_wall_clock_hours_across_the_change_to_summer_time(service, counsellor, location):
    open_weekdays(service, counsellor, location, starts=9, ends=10)
    for weekday in (5, 6):
        OpeningHoursFactory(
            service=service,
            counsellor=counsellor,
            location=location,
            weekday=weekday,
            starts=datetime.time(9),
            ends=datetime.time(10),
        )
    days = week(service, [counsellor], monday=datetime.date(2030, 3, 25))  # summer time from Sunday the 31st
    assert [times(d) for d in days[4:]] == [["09:00", "09:15"]] * 3  # Friday, Saturday, and the Sunday of the change


def test_late_on_a_saturday_the_page_opens_on_the_week_that_still_has_free_times(client, service, counsellor, location):
    open_every_day(service=service, counsellor=counsellor, location=location)  # until 23:45
    with time_machine.travel(datetime.datetime(2030, 9, 14, 23, 30, tzinfo=OSLO), tick=False):
        referral = ReferralFactory(service=service, assigned_counsellor=counsellor, created_by=counsellor)
        client.force_login(counsellor)
        page = client.get(url(service, referral))
    assert page.context["week"]["monday"] == NEXT_MONDAY
    assert page.context["slots"][0].starts_at == at(NEXT_MONDAY, 0)


def test_the_booking_page_has_no_id_twice(client, service, counsellor, case):
    client.force_login(counsellor)
    html = client.get(url(service, case, "?counsellor=any")).content.decode()
    ids = re.findall(r'\sid="([^"]+)"', html)
    assert len(ids) == len(set(ids))
