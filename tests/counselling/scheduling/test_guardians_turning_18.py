"""Summons letters, reminders and the booking page go by the person's age on the day: guardians while the person
is under 18 that day, nothing from the 18th birthday on (helsepersonelloven § 21). The clock is fixed, so each
boundary falls on the day it is meant to."""

import datetime
import zoneinfo

import pytest
import time_machine
from django.urls import reverse

from counselling.scheduling.models import ReminderRule, ReminderState
from counselling.scheduling.services import meeting_book
from counselling.scheduling.services.reminders import reminders_send_due
from portal import sms
from tests.conftest import default_reminders_install
from tests.counselling.conftest import pdf_text
from tests.factories import ReferralFactory

OSLO = zoneinfo.ZoneInfo("Europe/Oslo")
NOW = datetime.datetime(2026, 6, 1, 9, tzinfo=OSLO)  # a Monday morning


@pytest.fixture(autouse=True)
def monday_1_june_2026():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture(autouse=True)
def rules(db):
    """Reminders 3 and 1 days before, at 10:00, by e-mail and SMS."""
    ReminderRule.objects.all().delete()
    for days in (3, 1):
        for channel in ("email", "sms"):
            ReminderRule.objects.create(days_before=days, channel=channel, send_at=datetime.time(10))
    default_reminders_install()
    sms.outbox.clear()
    yield
    sms.outbox.clear()


def _case(service, counsellor, *, born: datetime.date):
    """A case from when the person was 17, with a guardian who has an e-mail address."""
    referral = ReferralFactory(
        service=service,
        created_by=counsellor,
        person__first_name="Ola",
        person__date_of_birth=born,
        person__email="ola@example.org",
        incident_date=datetime.date(2026, 3, 1),
        decision_date=datetime.date(2026, 3, 10),
        attendance_deadline=datetime.date(2026, 7, 1),
    )
    referral.guardians.create(name="Kari Testesen", relation="mor", email="kari@example.org")
    return referral


def _book(referral, counsellor, location, day: datetime.date):
    return meeting_book(
        actor=counsellor,
        referral=referral,
        counsellor=counsellor,
        location=location,
        starts_at=datetime.datetime.combine(day, datetime.time(13), OSLO),
    )


def test_a_summons_for_the_day_before_the_18th_birthday_goes_to_the_guardian_too(service, counsellor, location):
    referral = _case(service, counsellor, born=datetime.date(2008, 6, 11))
    meeting = _book(referral, counsellor, location, datetime.date(2026, 6, 10))
    assert sorted(meeting.letters.values_list("recipient_kind", flat=True)) == ["guardian", "person"]
    text = " ".join(pdf_text(meeting.letters.get(recipient_kind="person").pdf).split())
    assert "Fordi Ola er under 18 år" in text and "Kari Testesen" in text


def test_a_summons_for_the_18th_birthday_goes_to_the_person_alone_and_names_no_guardian(service, counsellor, location):
    referral = _case(service, counsellor, born=datetime.date(2008, 6, 10))
    meeting = _book(referral, counsellor, location, datetime.date(2026, 6, 10))
    assert list(meeting.letters.values_list("recipient_kind", flat=True)) == ["person"]
    text = " ".join(pdf_text(meeting.letters.get().pdf).split())
    assert "foresatt" not in text and "Kari Testesen" not in text


def test_a_reminder_due_the_day_before_the_18th_birthday_reaches_the_guardian(service, counsellor, location):
    referral = _case(service, counsellor, born=datetime.date(2008, 6, 10))
    meeting = _book(referral, counsellor, location, datetime.date(2026, 6, 12))  # reminders due 9 and 11 June
    guardian_days = set(meeting.reminders.filter(recipient_kind="guardian").values_list("days_before", flat=True))
    assert guardian_days == {3}


def test_a_reminder_due_on_the_18th_birthday_does_not_reach_the_guardian(service, counsellor, location):
    referral = _case(service, counsellor, born=datetime.date(2008, 6, 9))
    meeting = _book(referral, counsellor, location, datetime.date(2026, 6, 12))
    assert not meeting.reminders.filter(recipient_kind="guardian").exists()
    assert set(meeting.reminders.values_list("days_before", flat=True)) == {1, 3}


def test_a_guardians_reminder_held_up_past_the_18th_birthday_is_dropped(service, counsellor, location):
    referral = _case(service, counsellor, born=datetime.date(2008, 6, 10))
    meeting = _book(referral, counsellor, location, datetime.date(2026, 6, 12))
    guardians_reminder = meeting.reminders.get(recipient_kind="guardian")  # due 9 June, 10:00
    persons_reminder = meeting.reminders.get(recipient_kind="person", days_before=3, channel="email")
    # The sweep is held up (the broker was down) and runs again only after midnight, on the 18th birthday.
    late = datetime.datetime(2026, 6, 10, 0, 30, tzinfo=OSLO)
    with time_machine.travel(late, tick=False):
        reminders_send_due(now=late)
    guardians_reminder.refresh_from_db()
    persons_reminder.refresh_from_db()
    assert guardians_reminder.state == ReminderState.CANCELLED
    assert persons_reminder.state == ReminderState.SENT


def _booking_page(client, counsellor, referral):
    client.force_login(counsellor)
    url = reverse("scheduling:book", kwargs={"service_slug": referral.service.slug, "referral_pk": referral.pk})
    return client.get(url).content.decode()


def test_the_booking_page_says_until_which_day_the_guardians_are_summoned(client, service, counsellor):
    referral = _case(service, counsellor, born=datetime.date(2008, 6, 10))
    page = _booking_page(client, counsellor, referral)
    assert 'data-testid="guardians-badge"' in page
    assert "9. juni 2026" in page


def test_the_booking_page_of_someone_now_18_says_the_guardians_are_no_longer_told(client, service, counsellor):
    referral = _case(service, counsellor, born=datetime.date(2008, 6, 1))  # 18 today, a minor at the incident
    page = _booking_page(client, counsellor, referral)
    assert 'data-testid="guardians-badge"' in page
    assert "9. juni" not in page and "summoned" not in page and "innkalt" not in page
