"""Reminders as rows: made with the meeting, at Norwegian wall-clock times, sent once, dropped when the meeting
moves, retried and then failed visibly."""

import datetime
import zoneinfo

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from counselling.scheduling.models import Flag, Meeting, MeetingStatus, Reminder, ReminderRule, ReminderState
from counselling.scheduling.services import meeting_book, meeting_cancel, meeting_reschedule
from counselling.scheduling.services.reminders import MAX_ATTEMPTS, reminders_schedule, reminders_send_due
from portal import sms
from referrals.identity import example_national_id
from referrals.services import GuardianDetails, PersonDetails, ReferralDetails, referral_register
from tests.conftest import default_reminders_install
from tests.counselling.conftest import soon
from tests.factories import MeetingFactory, ReferralFactory

OSLO = zoneinfo.ZoneInfo("Europe/Oslo")


@pytest.fixture(autouse=True)
def rules(db):
    """The shipped rules (3 and 1 days before, email and SMS, 10:00); browser tests may have flushed them."""
    ReminderRule.objects.all().delete()
    for days in (3, 1):
        for channel in ("email", "sms"):
            ReminderRule.objects.create(days_before=days, channel=channel, send_at=datetime.time(10))
    default_reminders_install()


@pytest.fixture(autouse=True)
def outbox():
    sms.outbox.clear()
    yield sms.outbox
    sms.outbox.clear()


@pytest.fixture
def reachable(referral):
    person = referral.person
    person.email, person.phone = "ola@example.org", "+4791234567"
    person.save()
    return referral


def book(referral, counsellor, location, days=10):
    starts_at = datetime.datetime.combine(timezone.localdate() + datetime.timedelta(days=days), datetime.time(13), OSLO)
    referral.attendance_deadline = timezone.localdate() + datetime.timedelta(days=days + 5)
    referral.save()
    return meeting_book(
        actor=counsellor, referral=referral, counsellor=counsellor, location=location, starts_at=starts_at
    )


def test_booking_makes_a_reminder_per_rule_channel_and_recipient(reachable, counsellor, location):
    meeting = book(reachable, counsellor, location)
    rows = sorted((r.days_before, r.channel, r.address) for r in meeting.reminders.all())
    assert rows == [
        (1, "email", "ola@example.org"),
        (1, "sms", "+4791234567"),
        (3, "email", "ola@example.org"),
        (3, "sms", "+4791234567"),
    ]
    for reminder in meeting.reminders.all():
        local = timezone.localtime(reminder.due_at)
        assert (local.hour, local.minute) == (10, 0)
        assert (timezone.localdate(meeting.starts_at) - local.date()).days == reminder.days_before


def test_a_minors_guardians_get_reminders_on_the_channels_they_have(minor_referral, counsellor, location):
    minor_referral.guardians.filter(name="Per Testesen").update(phone="+4791234568")
    meeting = book(minor_referral, counsellor, location)
    got = sorted((r.recipient_kind, r.channel, r.address) for r in meeting.reminders.filter(days_before=1))
    assert got == [
        ("guardian", "email", "kari@example.org"),
        ("guardian", "sms", "+4791234568"),
        ("person", "email", "ola@example.org"),
    ]


def test_a_reminder_whose_time_has_passed_is_not_made(reachable, counsellor, location):
    meeting = book(reachable, counsellor, location, days=2)
    assert {r.days_before for r in meeting.reminders.all()} == {1}


@pytest.mark.parametrize(
    ("monday", "friday_utc", "sunday_utc"),
    [
        # Summer time starts on Sunday 29 March 2026: Friday is +01:00, Sunday +02:00.
        (datetime.date(2026, 3, 30), "2026-03-27 09:00", "2026-03-29 08:00"),
        # Summer time ends on Sunday 25 October 2026: Friday is +02:00, Sunday +01:00.
        (datetime.date(2026, 10, 26), "2026-10-23 08:00", "2026-10-25 09:00"),
    ],
)
def test_reminders_keep_the_wall_clock_time_across_the_change_of_summer_time(
    service, counsellor, location, monday, friday_utc, sunday_utc
):
    referral = ReferralFactory(service=service, person__email="ola@example.org")
    meeting = MeetingFactory(
        referral=referral,
        counsellor=counsellor,
        location=location,
        starts_at=datetime.datetime.combine(monday, datetime.time(9), OSLO),
    )
    reminders_schedule(
        meeting=meeting, now=datetime.datetime.combine(monday, datetime.time(), OSLO) - datetime.timedelta(days=20)
    )
    due = {r.days_before: r.due_at.astimezone(datetime.UTC).strftime("%Y-%m-%d %H:%M") for r in meeting.reminders.all()}
    assert due == {3: friday_utc, 1: sunday_utc}
    assert {timezone.localtime(r.due_at).strftime("%H:%M") for r in meeting.reminders.all()} == {"10:00"}


def due_now(meeting):
    Reminder.objects.filter(meeting=meeting).update(due_at=timezone.now() - datetime.timedelta(minutes=1))


def test_due_reminders_are_sent_once_however_often_the_sweep_runs(reachable, counsellor, location, outbox):
    meeting = book(reachable, counsellor, location)
    due_now(meeting)
    assert reminders_send_due() == 4
    assert reminders_send_due() == 0
    assert len(outbox) == 2 and len(mail.outbox) == 2
    assert {r.state for r in meeting.reminders.all()} == {ReminderState.SENT}
    assert all(r.provider_message_id for r in meeting.reminders.all())
    assert outbox[0].reference.startswith("reminder-")
    message = mail.outbox[0]
    assert "Påminnelse" in message.subject
    assert [name for name, _c, _t in message.attachments] == ["samtale.ics"]
    assert message.alternatives[0][1] == "text/html"


def test_the_person_gets_the_reminder_in_their_language(reachable, counsellor, location, outbox):
    reachable.person.preferred_language = "en"
    reachable.person.save()
    meeting = book(reachable, counsellor, location)
    due_now(meeting)
    reminders_send_due()
    assert outbox[0].body.startswith("Reminder: appointment with")


def test_a_moved_meeting_never_gets_a_reminder_for_its_old_time(reachable, counsellor, location, outbox):
    old = book(reachable, counsellor, location)
    new = meeting_reschedule(
        actor=counsellor,
        meeting=old,
        starts_at=old.starts_at + datetime.timedelta(days=2),
        location=location,
        requested_by="person",
        reason="Jobb.",
    )
    assert {r.state for r in old.reminders.all()} == {ReminderState.CANCELLED}
    assert new.reminders.filter(state=ReminderState.PENDING).count() == 4
    Reminder.objects.update(due_at=timezone.now() - datetime.timedelta(minutes=1))
    reminders_send_due()
    assert {r.meeting_id for r in Reminder.objects.filter(state=ReminderState.SENT)} == {new.pk}


def test_a_cancelled_meeting_sends_nothing(reachable, counsellor, location, outbox):
    meeting = book(reachable, counsellor, location)
    meeting_cancel(actor=counsellor, meeting=meeting, requested_by="person", reason="Flyttet.")
    due_now(meeting)
    assert reminders_send_due() == 0
    assert outbox == [] and mail.outbox == []


def test_a_reminder_is_checked_again_when_it_is_sent(reachable, counsellor, location, outbox):
    meeting = book(reachable, counsellor, location)
    due_now(meeting)
    Meeting.objects.filter(pk=meeting.pk).update(status=MeetingStatus.RESCHEDULED, change_reason="x")
    reminders_send_due()
    assert {r.state for r in meeting.reminders.all()} == {ReminderState.CANCELLED}
    assert outbox == []


def test_a_gateway_that_is_down_is_retried_later_then_the_reminder_fails_visibly(
    reachable, counsellor, location, settings
):
    settings.SMS_BACKEND = "portal.sms.backends.http.SmsBackend"
    settings.SMS_GATEWAY_URL = "http://127.0.0.1:9/sms"  # the discard port: nothing answers
    settings.SMS_GATEWAY_TOKEN = "x"
    meeting = book(reachable, counsellor, location)
    meeting.reminders.exclude(channel="sms", days_before=1).update(state=ReminderState.CANCELLED)
    reminder = meeting.reminders.get(channel="sms", days_before=1)
    for attempt in range(1, MAX_ATTEMPTS + 1):
        Reminder.objects.filter(pk=reminder.pk).update(due_at=timezone.now() - datetime.timedelta(seconds=1))
        reminders_send_due()
        reminder.refresh_from_db()
        assert reminder.attempts == attempt
        assert reminder.last_error
        if attempt < MAX_ATTEMPTS:
            assert reminder.state == ReminderState.PENDING
            assert reminder.due_at > timezone.now()  # tried again later by the sweep, not by a timed task
    assert reminder.state == ReminderState.FAILED
    flag = Flag.objects.get(kind="reminder_failed")
    assert flag.reminder == reminder and flag.referral == reachable


def test_one_bad_reminder_never_stops_the_batch(reachable, counsellor, location, outbox):
    meeting = book(reachable, counsellor, location)
    broken = meeting.reminders.get(channel="sms", days_before=3)
    Reminder.objects.filter(pk=broken.pk).update(address="not a number")
    due_now(meeting)
    assert reminders_send_due() == 4
    broken.refresh_from_db()
    assert broken.state == ReminderState.FAILED
    assert meeting.reminders.filter(state=ReminderState.SENT).count() == 3


def _turning_18(service, counsellor, *, in_days: int):
    """A case from when the person was 17, with a guardian who can be reached; the person turns 18 in `in_days`."""
    today = timezone.localdate()
    birthday = today + datetime.timedelta(days=in_days)
    born = birthday.replace(year=birthday.year - 18)
    return referral_register(
        actor=counsellor,
        service=service,
        person_details=PersonDetails(
            national_id=example_national_id(born, 600), first_name="Ola", last_name="Testesen", email="ola@example.org"
        ),
        details=ReferralDetails(
            route="condition",
            police_district="oslo",
            police_reference="2026-004712",
            incident_date=today - datetime.timedelta(days=20),
            decision_date=today - datetime.timedelta(days=10),
            attendance_deadline=today + datetime.timedelta(days=30),
            seizure_unknown=True,
            guardians=[GuardianDetails(name="Kari Testesen", relation="mor", email="kari@example.org")],
        ),
    )


def _recipients(meeting):
    letters = sorted(meeting.letters.values_list("recipient_kind", flat=True))
    reminders = sorted(set(meeting.reminders.values_list("days_before", "recipient_kind")))
    return letters, reminders


def test_from_the_18th_birthday_the_guardians_get_neither_summons_nor_reminders(service, counsellor, location):
    referral = _turning_18(service, counsellor, in_days=5)
    assert referral.was_minor_at_incident  # a minor when it happened
    meeting = meeting_book(
        actor=counsellor, referral=referral, counsellor=counsellor, location=location, starts_at=soon(days=10)
    )
    assert _recipients(meeting) == (["person"], [(1, "person"), (3, "person")])


def test_a_minor_on_the_day_of_the_meeting_has_the_guardian_summoned_and_reminded(service, counsellor, location):
    referral = _turning_18(service, counsellor, in_days=8)
    meeting = meeting_book(
        actor=counsellor, referral=referral, counsellor=counsellor, location=location, starts_at=soon(days=7)
    )
    assert _recipients(meeting) == (
        ["guardian", "person"],
        [(1, "guardian"), (1, "person"), (3, "guardian"), (3, "person")],
    )


def test_a_reminder_before_the_birthday_reaches_the_guardian_and_one_after_it_does_not(service, counsellor, location):
    referral = _turning_18(service, counsellor, in_days=8)
    meeting = meeting_book(
        actor=counsellor, referral=referral, counsellor=counsellor, location=location, starts_at=soon(days=9)
    )
    # 18 at the meeting: only the person is summoned; the reminder three days before is due while still 17.
    assert _recipients(meeting) == (["person"], [(1, "person"), (3, "guardian"), (3, "person")])


def test_scheduling_a_minors_reminders_reads_the_guardians_once(service, counsellor, location):
    referral = _turning_18(service, counsellor, in_days=30)
    meeting = MeetingFactory(referral=referral, counsellor=counsellor, location=location, starts_at=soon(days=7))
    meeting = Meeting.objects.select_related("referral__person").get(pk=meeting.pk)
    with CaptureQueriesContext(connection) as queries:
        reminders = reminders_schedule(meeting=meeting)
    assert {r.recipient_kind for r in reminders} == {"person", "guardian"}
    assert sum('"referrals_guardian"' in q["sql"] and q["sql"].startswith("SELECT") for q in queries) == 1
