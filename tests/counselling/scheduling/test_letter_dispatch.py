"""How and when a summons left and reached the person: posted (with the service's presumption of arrival), e-mailed,
or digital post with its receipt; the minimum notice before the meeting; and what a no-show without proof of
dispatch cannot start."""

import datetime
import zoneinfo

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from counselling.attendance.services import AttendanceDetails, attendance_record
from counselling.attendance.services.police_reports import police_report_refusal
from counselling.attendance.sweeps import police_reports_for_passed_deadlines
from counselling.scheduling.models import SummonsPolicy
from counselling.scheduling.services import (
    letter_email_send,
    meeting_book,
    summons_letter_dispatch,
    summons_letter_receipt,
)
from referrals.models import LetterPolicy
from tests.counselling.conftest import soon
from tests.factories import LetterFactory, MeetingFactory

OSLO = zoneinfo.ZoneInfo("Europe/Oslo")


def at(day: datetime.date, hour=10) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(hour), OSLO)


def summons(service, counsellor=None, **person):
    values = {"street_address": "Gata 2", "postal_code": "0150", "postal_town": "Oslo", **person}
    return LetterFactory(
        meeting__referral__service=service,
        meeting__referral__assigned_counsellor=counsellor,
        **{f"meeting__referral__person__{k}": v for k, v in values.items()},
    )


FRIDAY = datetime.date(2026, 12, 4)


def test_a_posted_summons_is_taken_to_arrive_three_working_days_after_the_posting_day(service, counsellor):
    with time_machine.travel(at(FRIDAY), tick=False):
        letter = summons(service)
        letter = summons_letter_dispatch(actor=counsellor, letter=letter, method="posted", sent_on=FRIDAY)
    assert (letter.dispatch_method, letter.sent_on, letter.sent_by) == ("posted", FRIDAY, counsellor)
    assert letter.delivered_on == datetime.date(2026, 12, 9)  # Mon, Tue, Wed
    event = letter.meeting.referral.events.get(kind="letter.dispatched")
    assert "taken to have arrived on 09.12.2026" in event.description


def test_the_presumption_of_arrival_is_the_services_and_skips_christmas(service, counsellor):
    LetterPolicy.objects.create(service=service, posted_arrival_working_days=2)
    posted = datetime.date(2026, 12, 23)  # Wednesday; the 24th is a working day, the 25th and 26th holidays
    with time_machine.travel(at(posted), tick=False):
        letter = summons_letter_dispatch(actor=counsellor, letter=summons(service), method="posted", sent_on=posted)
    assert letter.delivered_on == datetime.date(2026, 12, 28)


def test_an_emailed_summons_records_itself_as_sent_and_arrived_the_same_day(service, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    with time_machine.travel(at(FRIDAY), tick=False):
        letter = summons(service, email="ola@example.org")
        letter.email = "ola@example.org"
        letter.save()
        letter = letter_email_send(letter_id=letter.pk)
    letter.refresh_from_db()
    assert (letter.dispatch_method, letter.sent_on, letter.delivered_on) == ("emailed", FRIDAY, FRIDAY)


def test_digital_post_reaches_the_person_on_the_day_of_its_receipt_not_before(service, counsellor):
    with time_machine.travel(at(FRIDAY), tick=False):
        letter = summons_letter_dispatch(actor=counsellor, letter=summons(service), method="digital", sent_on=FRIDAY)
    assert letter.is_dispatched and letter.awaits_receipt and letter.delivered_on is None
    monday = datetime.date(2026, 12, 7)
    with time_machine.travel(at(monday), tick=False):
        with pytest.raises(ValidationError) as refused:
            summons_letter_receipt(actor=counsellor, letter=letter, delivered_on=FRIDAY - datetime.timedelta(days=1))
        assert "delivered_on" in refused.value.error_dict
        letter = summons_letter_receipt(actor=counsellor, letter=letter, delivered_on=monday, receipt="SvarUt 42")
    assert (letter.delivered_on, letter.delivery_receipt) == (monday, "SvarUt 42")


def test_a_letter_to_someone_without_a_postal_address_cannot_be_marked_posted(service, counsellor):
    letter = summons(service, street_address="", postal_code="", postal_town="")
    with pytest.raises(ValidationError) as refused:
        summons_letter_dispatch(actor=counsellor, letter=letter, method="posted", sent_on=timezone.localdate())
    assert "cannot be posted" in refused.value.message_dict["method"][0]
    letter.refresh_from_db()
    assert letter.sent_on is None and not letter.meeting.referral.events.filter(kind="letter.dispatched").exists()


def test_a_summons_is_recorded_as_sent_once(service, counsellor, lead):
    letter = summons_letter_dispatch(
        actor=counsellor, letter=summons(service), method="posted", sent_on=timezone.localdate()
    )
    again = summons_letter_dispatch(actor=lead, letter=letter, method="digital", sent_on=timezone.localdate())
    assert (again.dispatch_method, again.sent_by) == ("posted", counsellor)


# The minimum notice before the meeting.


def test_booking_refuses_a_meeting_sooner_than_the_minimum_notice_unless_a_reason_is_given(
    service, referral, counsellor, location
):
    SummonsPolicy.objects.filter(service=service).update(minimum_notice_days=7)
    with pytest.raises(ValidationError) as refused:
        meeting_book(actor=counsellor, referral=referral, counsellor=counsellor, location=location, starts_at=soon(6))
    assert "at least 7 days" in refused.value.message_dict["short_notice_reason"][0]
    assert not referral.meetings.exists()
    meeting = meeting_book(
        actor=counsellor,
        referral=referral,
        counsellor=counsellor,
        location=location,
        starts_at=soon(6),
        short_notice_reason="Avtalt på telefon med Ola.",
    )
    assert meeting.short_notice_reason == "Avtalt på telefon med Ola."
    event = referral.events.get(kind="meeting.short_notice")
    assert "6 days' notice" in event.description and "Avtalt på telefon med Ola." in event.description


def test_a_meeting_at_the_minimum_notice_needs_no_reason(service, referral, counsellor, location):
    SummonsPolicy.objects.filter(service=service).update(minimum_notice_days=7)
    meeting = meeting_book(
        actor=counsellor, referral=referral, counsellor=counsellor, location=location, starts_at=soon(7)
    )
    assert meeting.short_notice_reason == "" and not referral.events.filter(kind="meeting.short_notice").exists()


def test_a_service_without_a_summons_policy_gives_seven_days_notice(service, referral, counsellor, location):
    SummonsPolicy.objects.filter(service=service).delete()
    with pytest.raises(ValidationError) as refused:
        meeting_book(actor=counsellor, referral=referral, counsellor=counsellor, location=location, starts_at=soon(6))
    assert "short_notice_reason" in refused.value.error_dict


def test_the_booking_page_refuses_a_short_notice_beside_the_reason_field(
    client, service, referral, counsellor, location
):
    SummonsPolicy.objects.filter(service=service).update(minimum_notice_days=7)
    client.force_login(counsellor)
    client.cookies["portal_language"] = "en"
    moment = timezone.localtime(soon(3))
    response = client.post(
        reverse("scheduling:book", args=[service.slug, referral.pk]),
        {
            "action": "book",
            "counsellor": counsellor.pk,
            "length_minutes": 45,
            "other_time": moment.strftime("%Y-%m-%dT%H:%M"),
            "location": location.pk,
        },
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "at least 7 days before the meeting" in page
    assert 'name="short_notice_reason"' in page
    assert not referral.meetings.exists()


def test_the_booking_page_warns_before_booking_when_the_person_has_no_address_and_no_email(
    client, service, referral, counsellor
):
    person = referral.person
    person.street_address = person.postal_code = person.postal_town = person.email = ""
    person.save()
    client.force_login(counsellor)
    page = client.get(reverse("scheduling:book", args=[service.slug, referral.pk])).content.decode()
    assert 'data-testid="unreachable-recipients"' in page
    assert person.full_name in page


def test_the_booking_page_does_not_warn_when_the_person_can_be_reached(client, service, referral, counsellor):
    person = referral.person
    person.email = "ola@example.org"
    person.save()
    client.force_login(counsellor)
    page = client.get(reverse("scheduling:book", args=[service.slug, referral.pk])).content.decode()
    assert 'data-testid="unreachable-recipients"' not in page


# The meeting page shows each letter's dispatch and records it.


def test_the_meeting_page_records_how_a_summons_was_sent(client, service, counsellor):
    letter = summons(service, counsellor)
    client.force_login(counsellor)
    meeting_page = reverse("attendance:meeting", args=[service.slug, letter.meeting_id])
    assert f'data-testid="letter-dispatch-{letter.pk}"' in client.get(meeting_page).content.decode()
    response = client.post(
        reverse("scheduling:letter_dispatch", args=[service.slug, letter.pk]),
        {"dispatch-method": "posted", "dispatch-sent_on": timezone.localdate().isoformat()},
        follow=True,
    )
    letter.refresh_from_db()
    assert (letter.dispatch_method, letter.sent_on) == ("posted", timezone.localdate())
    assert response.redirect_chain[-1][0] == meeting_page


def test_the_meeting_page_shows_the_refusal_to_post_a_letter_without_an_address(client, service, counsellor):
    letter = summons(service, counsellor, street_address="", postal_code="", postal_town="")
    client.force_login(counsellor)
    client.cookies["portal_language"] = "en"
    response = client.post(
        reverse("scheduling:letter_dispatch", args=[service.slug, letter.pk]),
        {"dispatch-method": "posted", "dispatch-sent_on": timezone.localdate().isoformat()},
        follow=True,
    )
    assert "cannot be posted" in response.content.decode()
    letter.refresh_from_db()
    assert letter.sent_on is None


# A no-show whose summons has no proof of dispatch.


def test_a_no_show_without_proof_that_the_summons_was_sent_is_not_reported_to_the_police(referral, counsellor):
    meeting = MeetingFactory(
        referral=referral, counsellor=counsellor, starts_at=timezone.now() - datetime.timedelta(hours=2)
    )
    LetterFactory(meeting=meeting)  # made, never recorded as sent
    # With time left the no-show is recorded and the case waits for a new meeting; nothing goes to the police.
    attendance_record(actor=counsellor, meeting=meeting, details=AttendanceDetails(outcome="no_show"))
    assert not meeting.police_reports.exists()

    # When the deadline passes, the sweep reports the others, never this one: the case stays open for staff.
    after_deadline = referral.attendance_deadline + datetime.timedelta(days=1)
    assert police_reports_for_passed_deadlines(today=after_deadline) == 0
    assert not meeting.police_reports.exists()
    referral.refresh_from_db()
    assert referral.status == "missed"
    # ... and flagged, once however often the sweep runs, so that someone records how the summons left.
    assert police_reports_for_passed_deadlines(today=after_deadline) == 0
    assert list(referral.flags.filter(resolved_at__isnull=True).values_list("kind", flat=True)) == ["deadline_passed"]


def test_a_no_show_after_the_deadline_without_proof_of_dispatch_is_refused_with_what_to_record(referral, counsellor):
    referral.attendance_deadline = timezone.localdate() - datetime.timedelta(days=1)
    referral.save()
    meeting = MeetingFactory(
        referral=referral, counsellor=counsellor, starts_at=timezone.now() - datetime.timedelta(hours=2)
    )
    LetterFactory(meeting=meeting)
    with pytest.raises(ValidationError, match="no proof that the summons was sent"):
        attendance_record(actor=counsellor, meeting=meeting, details=AttendanceDetails(outcome="no_show"))
    assert not meeting.police_reports.exists()


def test_the_police_report_refusal_names_the_missing_proof_of_dispatch(referral, counsellor):
    meeting = MeetingFactory(
        referral=referral, counsellor=counsellor, starts_at=timezone.now() - datetime.timedelta(hours=2)
    )
    letter = LetterFactory(meeting=meeting)
    meeting.status = "held"
    meeting.save()
    from counselling.attendance.models import Attendance

    Attendance.objects.create(meeting=meeting, outcome="no_show", recorded_by=counsellor)
    assert "no proof that the summons was sent" in police_report_refusal(meeting)
    summons_letter_dispatch(actor=counsellor, letter=letter, method="digital", sent_on=timezone.localdate())
    meeting.refresh_from_db()
    assert police_report_refusal(meeting) is None


def test_the_case_page_shows_whether_each_summons_has_left(client, service, counsellor):
    letter = summons(service, counsellor)
    client.force_login(counsellor)
    client.cookies["portal_language"] = "en"
    case_page = reverse("referrals:detail", args=[service.slug, letter.meeting.referral_id])
    assert "not sent yet" in client.get(case_page).content.decode()
    summons_letter_dispatch(actor=counsellor, letter=letter, method="posted", sent_on=timezone.localdate())
    page = client.get(case_page).content.decode()
    state = page[page.index(f'data-testid="letter-state-{letter.pk}"') :][:200]
    assert "Posted" in state and timezone.localdate().strftime("%d.%m.%Y") in state


def test_a_summons_emailed_before_letters_kept_their_dispatch_counts_as_emailed_that_day(referral, counsellor):
    import importlib

    from django.apps import apps as django_apps

    meeting = MeetingFactory(referral=referral, counsellor=counsellor, starts_at=soon(days=10))
    emailed_at = timezone.now() - datetime.timedelta(days=3)
    letter = LetterFactory(meeting=meeting, email="ola@example.org")
    type(letter).objects.filter(pk=letter.pk).update(emailed_at=emailed_at)
    importlib.import_module(
        "counselling.scheduling.migrations.0006_emailed_summons_dispatched"
    ).emailed_summons_dispatched(django_apps, None)

    letter.refresh_from_db()
    day = timezone.localdate(emailed_at)
    assert (letter.dispatch_method, letter.sent_on, letter.delivered_on) == ("emailed", day, day)
    meeting.refresh_from_db()
    assert meeting.summons_dispatched
