"""The attendance form asks which guardians came only while the person is under 18 on the day of the meeting:
from the 18th birthday the guardians are no longer part of the case (helsepersonelloven § 21)."""

import datetime
import zoneinfo

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.urls import reverse

from counselling.attendance.models import Attendance
from counselling.attendance.services import AttendanceDetails, attendance_record
from tests.factories import MeetingFactory, ReferralFactory

OSLO = zoneinfo.ZoneInfo("Europe/Oslo")
MEETING_DAY = datetime.date(2026, 6, 10)  # a Wednesday


@pytest.fixture(autouse=True)
def afternoon_of_the_meeting_day():
    with time_machine.travel(datetime.datetime(2026, 6, 10, 14, tzinfo=OSLO), tick=False):
        yield


def _held_meeting(service, counsellor, location, *, born):
    referral = ReferralFactory(
        service=service,
        created_by=counsellor,
        person__date_of_birth=born,
        incident_date=datetime.date(2026, 3, 1),
        decision_date=datetime.date(2026, 3, 10),
        attendance_deadline=datetime.date(2026, 7, 1),
    )
    referral.guardians.create(name="Kari Testesen", relation="mor")
    start = datetime.datetime.combine(MEETING_DAY, datetime.time(10), OSLO)
    return MeetingFactory(
        referral=referral, counsellor=counsellor, location=location, starts_at=start, booked_by=counsellor
    )


BIRTHDAY_TOMORROW = datetime.date(2008, 6, 11)  # 17 on the meeting day
BIRTHDAY_TODAY = datetime.date(2008, 6, 10)  # 18 on the meeting day


def _form(client, counsellor, meeting):
    client.force_login(counsellor)
    url = reverse(
        "attendance:attendance", kwargs={"service_slug": meeting.referral.service.slug, "meeting_pk": meeting.pk}
    )
    return client.get(url).content.decode()


def test_the_day_before_the_18th_birthday_the_form_asks_which_guardians_came(client, service, counsellor, location):
    meeting = _held_meeting(service, counsellor, location, born=BIRTHDAY_TOMORROW)
    assert "Kari Testesen (mor)" in _form(client, counsellor, meeting)


def test_on_the_18th_birthday_the_form_no_longer_asks_for_the_guardians(client, service, counsellor, location):
    meeting = _held_meeting(service, counsellor, location, born=BIRTHDAY_TODAY)
    assert meeting.referral.was_minor_at_incident  # registered with a guardian at intake
    assert "Kari Testesen" not in _form(client, counsellor, meeting)


def test_a_guardian_is_recorded_as_present_the_day_before_the_18th_birthday(service, counsellor, location):
    meeting = _held_meeting(service, counsellor, location, born=BIRTHDAY_TOMORROW)
    mother = meeting.referral.guardians.get()
    attendance = attendance_record(
        actor=counsellor,
        meeting=meeting,
        details=AttendanceDetails(outcome="attended", consent=False, guardian_ids=[mother.pk]),
    )
    assert list(attendance.guardians_present.all()) == [mother]


def test_on_the_18th_birthday_a_guardian_cannot_be_recorded_as_present(service, counsellor, location):
    meeting = _held_meeting(service, counsellor, location, born=BIRTHDAY_TODAY)
    mother = meeting.referral.guardians.get()
    with pytest.raises(ValidationError) as excinfo:
        attendance_record(
            actor=counsellor,
            meeting=meeting,
            details=AttendanceDetails(outcome="attended", consent=False, guardian_ids=[mother.pk]),
        )
    assert "was 18 on the day of the meeting" in excinfo.value.message_dict["guardian_ids"][0]
    assert not Attendance.objects.filter(meeting=meeting).exists()


def test_on_the_18th_birthday_a_guardian_posted_anyway_is_not_recorded(client, service, counsellor, location):
    meeting = _held_meeting(service, counsellor, location, born=BIRTHDAY_TODAY)
    mother = meeting.referral.guardians.get()
    client.force_login(counsellor)
    url = reverse("attendance:attendance", kwargs={"service_slug": service.slug, "meeting_pk": meeting.pk})
    response = client.post(url, {"outcome": "attended", "consent": "no", "guardians": [mother.pk]})
    assert response.status_code == 302
    meeting.refresh_from_db()
    assert meeting.attendance.outcome == "attended"
    assert not meeting.attendance.guardians_present.exists()
