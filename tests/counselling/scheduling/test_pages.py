"""The scheduling pages: booking from the free times, letters, absences and calendars."""

import datetime

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar

from counselling.scheduling.models import AvailabilityException, CalendarFeed, Meeting, MeetingStatus
from counselling.scheduling.selectors import free_slots
from counselling.scheduling.services import meeting_book
from portal.models import AuditEvent
from tests.factories import MeetingFactory, ReferralFactory, open_every_day


def url(name, service, **kwargs):
    # The meeting page, where a booking lands, is attendance's.
    app = "attendance" if name == "meeting" else "scheduling"
    return reverse(f"{app}:{name}", kwargs={"service_slug": service.slug, **kwargs})


def at(day: datetime.date, hour: int, minute: int = 0) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(hour, minute), timezone.get_current_timezone())


# Free times.


def test_free_times_follow_opening_hours_and_skip_meetings_absences_and_holidays(service, counsellor, location):
    open_every_day(
        service=service, counsellor=counsellor, location=location, starts=datetime.time(9), ends=datetime.time(11)
    )
    christmas_eve = datetime.date(2030, 12, 24)  # a Tuesday, open; the 25th and 26th are public holidays
    MeetingFactory(
        referral__service=service, counsellor=counsellor, location=location, starts_at=at(christmas_eve, 9, 30)
    )
    AvailabilityException.objects.create(
        service=service,
        counsellor=counsellor,
        kind="sick",
        starts_at=at(christmas_eve, 10, 30),
        ends_at=at(christmas_eve, 23),
    )
    slots = free_slots(
        service=service,
        counsellor=counsellor,
        length=datetime.timedelta(minutes=45),
        deadline=datetime.date(2030, 12, 31),
        after=at(christmas_eve, 0),
        limit=3,
    )
    starts = [timezone.localtime(slot.starts_at).strftime("%d %H:%M") for slot in slots]
    # 09:00 would run into the 09:30 meeting; 10:15 until 10:30 ends in the absence; then the holidays.
    assert starts == ["27 09:00", "27 09:15", "27 09:30"]
    assert not any(slot.after_deadline for slot in slots)


def test_with_no_free_time_before_the_deadline_later_times_are_offered_and_marked(service, counsellor, location):
    open_every_day(
        service=service, counsellor=counsellor, location=location, starts=datetime.time(9), ends=datetime.time(10)
    )
    monday = datetime.date(2030, 6, 3)
    slots = free_slots(
        service=service,
        counsellor=counsellor,
        length=datetime.timedelta(minutes=45),
        deadline=monday - datetime.timedelta(days=1),
        after=at(monday, 0),
        limit=2,
    )
    assert [slot.after_deadline for slot in slots] == [True, True]


def test_free_times_keep_wall_clock_hours_across_the_change_to_summer_time(service, counsellor, location):
    open_every_day(
        service=service, counsellor=counsellor, location=location, starts=datetime.time(9), ends=datetime.time(10)
    )
    sunday_of_change = datetime.date(2030, 3, 31)
    slots = free_slots(
        service=service,
        counsellor=counsellor,
        length=datetime.timedelta(minutes=60),
        deadline=datetime.date(2030, 4, 30),
        after=at(sunday_of_change - datetime.timedelta(days=1), 0),
        limit=3,
    )
    assert [timezone.localtime(slot.starts_at).strftime("%d %H:%M") for slot in slots] == [
        "30 09:00",
        "31 09:00",
        "01 09:00",
    ]


# Booking on the page.


def test_a_counsellor_books_one_of_the_free_times_on_the_page(client, service, counsellor, referral, location):
    open_every_day(service=service, counsellor=counsellor, location=location)
    client.force_login(counsellor)
    page = client.get(url("book", service, referral_pk=referral.pk))
    slot = page.context["slots"][0]
    response = client.post(
        url("book", service, referral_pk=referral.pk),
        {"counsellor": counsellor.pk, "length_minutes": 45, "slot": slot.value, "action": "book"},
    )
    meeting = Meeting.objects.get()
    assert response.status_code == 302
    assert response.url == url("meeting", service, meeting_pk=meeting.pk)
    assert meeting.starts_at == slot.starts_at


def test_a_time_taken_meanwhile_is_refused_on_the_page_with_nothing_booked(
    client, service, counsellor, referral, location
):
    open_every_day(service=service, counsellor=counsellor, location=location)
    client.force_login(counsellor)
    slot = client.get(url("book", service, referral_pk=referral.pk)).context["slots"][0]
    other = ReferralFactory(service=service, attendance_deadline=referral.attendance_deadline)
    meeting_book(actor=counsellor, referral=other, counsellor=counsellor, location=location, starts_at=slot.starts_at)
    response = client.post(
        url("book", service, referral_pk=referral.pk),
        {"counsellor": counsellor.pk, "length_minutes": 45, "slot": slot.value, "action": "book"},
    )
    assert response.status_code == 200
    assert not referral.meetings.exists()


def test_another_time_needs_a_place(client, service, counsellor, referral, location):
    client.force_login(counsellor)
    other_time = (timezone.localtime() + datetime.timedelta(days=3)).strftime("%Y-%m-%dT10:00")
    response = client.post(
        url("book", service, referral_pk=referral.pk),
        {"counsellor": counsellor.pk, "length_minutes": 45, "other_time": other_time, "action": "book"},
    )
    assert "location" in response.context["form"].errors
    response = client.post(
        url("book", service, referral_pk=referral.pk),
        {
            "counsellor": counsellor.pk,
            "length_minutes": 60,
            "other_time": other_time,
            "location": location.pk,
            "action": "book",
        },
    )
    assert response.status_code == 302
    assert Meeting.objects.get().length_minutes == 60


# Letters and police reports.


def test_a_letter_downloads_as_pdf_and_the_download_is_logged(client, service, counsellor, referral, location):
    meeting = meeting_book(
        actor=counsellor,
        referral=referral,
        counsellor=counsellor,
        location=location,
        starts_at=timezone.now() + datetime.timedelta(days=2),
    )
    letter = meeting.letters.get()
    client.force_login(counsellor)
    response = client.get(url("letter_pdf", service, letter_pk=letter.pk))
    assert response["Content-Type"] == "application/pdf"
    assert b"".join(response.streaming_content).startswith(b"%PDF")
    assert AuditEvent.objects.filter(action="letter.downloaded", person_id=referral.person_id).count() == 1


# Calendars.


def test_the_private_feed_shows_times_and_case_numbers_but_no_names(client, service, counsellor, referral, location):
    meeting_book(
        actor=counsellor,
        referral=referral,
        counsellor=counsellor,
        location=location,
        starts_at=timezone.now() + datetime.timedelta(days=2),
    )
    client.force_login(counsellor)
    client.post(url("calendar_feed_settings", service))
    token = CalendarFeed.objects.get(user=counsellor).token
    client.logout()
    response = client.get(reverse("calendar_feed", args=[token]))
    body = response.content.decode()
    events = Calendar.from_ical(response.content).walk("VEVENT")
    assert len(events) == 1
    assert referral.police_reference in str(events[0]["SUMMARY"])
    assert referral.person.last_name not in body and referral.person.first_name not in body
    assert referral.person.national_id not in body


def test_a_new_feed_address_ends_the_old_one(client, service, counsellor):
    client.force_login(counsellor)
    client.post(url("calendar_feed_settings", service))
    old = CalendarFeed.objects.get(user=counsellor).token
    client.post(url("calendar_feed_settings", service))
    assert client.get(reverse("calendar_feed", args=[old])).status_code == 404


def test_the_feed_of_a_deactivated_user_is_gone(client, service, counsellor):
    CalendarFeed.objects.create(user=counsellor, token="t" * 43)
    counsellor.is_active = False
    counsellor.save()
    assert client.get(reverse("calendar_feed", args=["t" * 43])).status_code == 404


def test_the_week_calendar_shows_the_counsellors_meetings(client, service, counsellor, referral, location):
    starts_at = timezone.now() + datetime.timedelta(days=1)
    meeting_book(actor=counsellor, referral=referral, counsellor=counsellor, location=location, starts_at=starts_at)
    client.force_login(counsellor)
    week = timezone.localdate(starts_at).isoformat()
    page = client.get(url("calendar", service) + f"?counsellor={counsellor.pk}&week={week}")
    shown = [m for day in page.context["week"]["days"] for m in day["meetings"]]
    assert [m.referral for m in shown] == [referral]
    assert str(referral) in page.content.decode()
    assert referral.person.full_name in page.content.decode()  # staff see whom they meet (the iCal feed does not)


@pytest.mark.parametrize(
    ("now", "opens_on", "coming_week"),
    [
        ("2026-12-02T09:00:00+01:00", "2026-11-30", False),  # a Wednesday: this week
        ("2026-12-05T09:00:00+01:00", "2026-12-07", True),  # a Saturday: the coming week
        ("2026-12-06T22:00:00+01:00", "2026-12-07", True),  # a Sunday night: the coming week, not the one ending
    ],
)
def test_the_calendar_opens_on_this_week_and_at_the_weekend_on_the_coming_one(
    client, service, counsellor, now, opens_on, coming_week
):
    with time_machine.travel(datetime.datetime.fromisoformat(now), tick=False):
        client.force_login(counsellor)  # at that time: a session from another day has expired there
        page = client.get(url("calendar", service))
    assert page.context["week"]["monday"].isoformat() == opens_on
    content = page.content.decode()
    assert f"date={now[:10]}" in content  # "Today": the week that holds today
    assert ('data-testid="calendar-coming-week"' in content) is coming_week


def test_a_cancelled_meeting_frees_the_week(client, service, counsellor, referral, location):
    meeting = MeetingFactory(
        referral=referral, counsellor=counsellor, location=location, status=MeetingStatus.CANCELLED, change_reason="x"
    )
    client.force_login(counsellor)
    page = client.get(url("calendar", service) + f"?week={timezone.localdate(meeting.starts_at).isoformat()}")
    assert not [m for day in page.context["week"]["days"] for m in day["meetings"]]


def test_a_counsellor_registers_a_sick_day_and_is_told_which_meetings_need_moving(
    client, service, counsellor, referral, location
):
    day = timezone.localdate() + datetime.timedelta(days=2)
    # Mid-morning, so the meeting lies inside the sick day whatever the hour the test runs at.
    meeting_book(actor=counsellor, referral=referral, counsellor=counsellor, location=location, starts_at=at(day, 10))
    client.force_login(counsellor)
    response = client.post(
        url("absences", service),
        {
            "counsellor": counsellor.pk,
            "kind": "sick",
            "starts_at": f"{day:%Y-%m-%d}T00:00",
            "ends_at": f"{day:%Y-%m-%d}T23:59",
        },
        follow=True,
    )
    warnings = [str(m) for m in response.context["messages"]]
    assert any(referral.person.full_name in w for w in warnings)
    absence = AvailabilityException.objects.get()
    assert absence.counsellor == counsellor
    # The clash stays visible on the case until the meeting is moved, or the absence removed.
    flag = referral.flags.get(kind="meeting_in_absence")
    assert flag.resolved_at is None
    client.post(url("absence_delete", service, absence_pk=absence.pk))
    flag.refresh_from_db()
    assert flag.resolved_at is not None


def test_a_counsellor_cannot_register_or_remove_a_colleagues_absence(client, service, counsellor, colleague):
    client.force_login(counsellor)
    form = client.get(url("absences", service)).context["form"]
    assert [value for value, _label in form.fields["counsellor"].choices] == [counsellor.pk]
    theirs = AvailabilityException.objects.create(
        service=service,
        counsellor=colleague,
        kind="holiday",
        starts_at=timezone.now(),
        ends_at=timezone.now() + datetime.timedelta(days=1),
    )
    assert client.post(url("absence_delete", service, absence_pk=theirs.pk)).status_code == 403
    assert AvailabilityException.objects.filter(pk=theirs.pk).exists()


def test_free_times_on_the_page_leave_a_day_for_the_summons_to_arrive(client, service, counsellor, referral, location):
    open_every_day(service=service, counsellor=counsellor, location=location)
    client.force_login(counsellor)
    slots = client.get(url("book", service, referral_pk=referral.pk)).context["slots"]
    assert slots and slots[0].starts_at >= timezone.now() + datetime.timedelta(hours=23, minutes=59)


def test_a_length_or_week_out_of_range_is_not_a_server_error(client, service, counsellor, referral, location):
    client.force_login(counsellor)
    page = client.post(
        url("book", service, referral_pk=referral.pk),
        {"counsellor": counsellor.pk, "length_minutes": "100000000000", "action": "refresh"},
    )
    assert page.status_code == 200
    assert client.get(url("calendar", service) + "?week=9999-12-31").status_code == 200


def test_calendar_files_carry_the_time_zone_they_name(service, counsellor, referral, location):
    from counselling.scheduling.calendar import counsellor_feed, meeting_invitation

    meeting = meeting_book(
        actor=counsellor,
        referral=referral,
        counsellor=counsellor,
        location=location,
        starts_at=timezone.now() + datetime.timedelta(days=2),
    )
    for ics in (meeting_invitation(meeting), counsellor_feed(counsellor)):
        text = ics.decode()
        assert "TZID=Europe/Oslo" in text
        assert "BEGIN:VTIMEZONE" in text and "TZID:Europe/Oslo" in text


def _feed_events(client, token):
    response = client.get(reverse("calendar_feed", args=[token]))
    if response.status_code == 404:
        return None
    return [str(event["SUMMARY"]) for event in Calendar.from_ical(response.content).walk("VEVENT")]


def test_the_feed_stops_showing_a_service_the_moment_the_membership_there_ends(
    client, service, other_service, counsellor
):
    from portal.memberships import membership_deactivate, membership_grant
    from portal.models import StaffMembership

    here = MeetingFactory(referral__service=service, counsellor=counsellor, starts_at=timezone.now())
    membership_grant(actor=None, user=counsellor, service=other_service, role="counsellor")
    there = MeetingFactory(
        referral__service=other_service, counsellor=counsellor, starts_at=timezone.now() + datetime.timedelta(days=1)
    )
    CalendarFeed.objects.create(user=counsellor, token="f" * 43)
    summaries = _feed_events(client, "f" * 43)
    assert len(summaries) == 2

    membership_deactivate(actor=None, membership=StaffMembership.objects.get(user=counsellor, service=other_service))
    summaries = _feed_events(client, "f" * 43)
    assert summaries == [f"Samtale – sak {here.referral}"]
    assert str(there.referral) not in " ".join(summaries)

    membership_deactivate(actor=None, membership=StaffMembership.objects.get(user=counsellor, service=service))
    assert _feed_events(client, "f" * 43) is None  # works nowhere: the address answers like a wrong one


def test_the_feed_follows_the_service_permission_as_the_service_gate_does(client, service, counsellor):
    from guardian.shortcuts import remove_perm

    from portal.selectors import SERVICE_ACCESS_PERMISSION

    MeetingFactory(referral__service=service, counsellor=counsellor, starts_at=timezone.now())
    CalendarFeed.objects.create(user=counsellor, token="g" * 43)
    assert len(_feed_events(client, "g" * 43)) == 1
    remove_perm(SERVICE_ACCESS_PERMISSION, counsellor, service)  # membership and permission must both agree
    assert _feed_events(client, "g" * 43) is None
