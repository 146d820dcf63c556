"""Booking, moving and cancelling the meeting: the rules a counsellor meets, and that no one is double-booked."""

import datetime
import threading

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils import timezone, translation

from counselling.scheduling.models import Letter, Meeting, MeetingStatus, RequestedBy
from counselling.scheduling.services import meeting_book, meeting_cancel, meeting_reschedule
from referrals.models import ReferralStatus
from tests.counselling.conftest import pdf_text, soon
from tests.factories import LocationFactory, MeetingFactory, ReferralFactory, StaffMembershipFactory


def book(referral, counsellor, location, starts_at=None, **kwargs):
    return meeting_book(
        actor=counsellor,
        referral=referral,
        counsellor=counsellor,
        location=location,
        starts_at=starts_at or soon(),
        **kwargs,
    )


def test_booking_makes_the_meeting_the_summons_and_moves_the_case(referral, counsellor, location):
    meeting = book(referral, counsellor, location)
    referral.refresh_from_db()
    assert meeting.status == MeetingStatus.BOOKED
    assert meeting.length_minutes == 45
    assert referral.status == ReferralStatus.BOOKED
    assert [letter.recipient_kind for letter in meeting.letters.all()] == ["person"]
    assert referral.events.filter(kind="meeting.booked").count() == 1


def test_a_minor_is_summoned_with_a_copy_to_each_guardian(minor_referral, counsellor, location):
    meeting = book(minor_referral, counsellor, location)
    letters = list(meeting.letters.order_by("recipient_kind", "recipient_name"))
    assert [(letter.recipient_kind, letter.recipient_name) for letter in letters] == [
        ("guardian", "Kari Testesen"),
        ("guardian", "Per Testesen"),
        ("person", "Ola Testesen"),
    ]
    person_letter = pdf_text(letters[2].pdf)
    for name in ("Ola Testesen", "Kari Testesen", "Per Testesen"):
        assert name in person_letter
    assert "obligatorisk" in person_letter
    assert "melder vi fra til politiet" in person_letter  # the condition route's consequence
    to_father = pdf_text(letters[1].pdf)
    assert "Til Per Testesen (far), foresatt for Ola Testesen" in to_father
    # The guardian is summoned to come along; the duty and its consequences are the young person's.
    assert "Ola kalles inn" in to_father and "Du kalles" not in to_father


def test_the_summons_is_emailed_with_an_invitation_after_commit(
    minor_referral, counsellor, location, django_capture_on_commit_callbacks
):
    from counselling.scheduling.services import letter_email_send

    meeting = book(minor_referral, counsellor, location)
    emailed = [letter for letter in meeting.letters.all() if letter.email]
    for letter in emailed:
        letter_email_send(letter_id=letter.pk)
        letter_email_send(letter_id=letter.pk)  # a redelivered task sends nothing more
    assert sorted(message.to[0] for message in mail.outbox) == ["kari@example.org", "ola@example.org"]
    to_person = next(message for message in mail.outbox if message.to == ["ola@example.org"])
    assert sorted(name for name, _content, _type in to_person.attachments)[-1] == "innkalling.ics"
    assert Letter.objects.filter(emailed_at__isnull=False).count() == 2


def test_an_order_summons_promises_no_fee_where_the_service_charges_none(service, counsellor, location):
    referral = ReferralFactory(
        service=service,
        route="order",
        seizure_unknown=False,
        classification="exempt",
        attendance_deadline=timezone.localdate() + datetime.timedelta(days=30),
    )
    meeting = book(referral, counsellor, location)
    text = pdf_text(meeting.letters.get().pdf)
    assert "Politiet har pålagt deg å møte til denne samtalen." in text
    assert "gebyr" not in text and "rettsgebyr" not in text  # fees are off until a legal basis is recorded (fees)


def test_a_counsellor_cannot_be_double_booked(service, referral, counsellor, location):
    book(referral, counsellor, location, starts_at=soon(hour=10))
    other = ReferralFactory(service=service, attendance_deadline=referral.attendance_deadline)
    with pytest.raises(ValidationError) as excinfo:
        book(other, counsellor, location, starts_at=soon(hour=10) + datetime.timedelta(minutes=30))
    assert "already has a meeting" in excinfo.value.message_dict["starts_at"][0]
    assert not other.meetings.exists()


def test_back_to_back_meetings_fit(service, referral, counsellor, location):
    book(referral, counsellor, location, starts_at=soon(hour=10))
    other = ReferralFactory(service=service, attendance_deadline=referral.attendance_deadline)
    assert book(other, counsellor, location, starts_at=soon(hour=10) + datetime.timedelta(minutes=45))


def test_a_time_in_the_past_is_refused(referral, counsellor, location):
    with pytest.raises(ValidationError) as excinfo:
        book(referral, counsellor, location, starts_at=timezone.now() - datetime.timedelta(hours=1))
    assert "starts_at" in excinfo.value.message_dict


def test_a_time_after_the_deadline_needs_a_reason(referral, counsellor, location):
    late = soon(days=40)
    with pytest.raises(ValidationError) as excinfo:
        book(referral, counsellor, location, starts_at=late)
    assert "late_reason" in excinfo.value.message_dict
    meeting = book(referral, counsellor, location, starts_at=late, late_reason="Innlagt på sykehus til januar.")
    assert meeting.late_reason == "Innlagt på sykehus til januar."


def test_another_services_counsellor_or_place_cannot_be_used(referral, counsellor, location, other_service, stranger):
    with pytest.raises(ValidationError) as excinfo:
        book(referral, stranger, LocationFactory(service=other_service))
    assert set(excinfo.value.message_dict) == {"counsellor", "location"}


def test_a_case_has_one_booked_meeting_at_a_time(referral, counsellor, location):
    book(referral, counsellor, location)
    with pytest.raises(ValidationError, match="move it instead"):
        book(referral, counsellor, location, starts_at=soon(days=3))


def test_moving_keeps_the_old_meeting_with_who_asked_and_why(referral, counsellor, location):
    old = book(referral, counsellor, location)
    new = meeting_reschedule(
        actor=counsellor,
        meeting=old,
        starts_at=soon(days=5),
        location=location,
        requested_by=RequestedBy.PERSON,
        reason="Eksamen den dagen.",
    )
    old.refresh_from_db()
    assert old.status == MeetingStatus.RESCHEDULED
    assert (old.change_requested_by, old.change_reason, old.changed_by) == ("person", "Eksamen den dagen.", counsellor)
    assert new.replaces == old
    assert new.letters.count() == 1
    assert referral.events.filter(kind="meeting.rescheduled").count() == 1


def test_moving_needs_a_reason_and_changes_nothing_without_one(referral, counsellor, location):
    old = book(referral, counsellor, location)
    with pytest.raises(ValidationError) as excinfo:
        meeting_reschedule(
            actor=counsellor, meeting=old, starts_at=soon(days=5), location=location, requested_by="person", reason=" "
        )
    assert "reason" in excinfo.value.message_dict
    old.refresh_from_db()
    assert old.status == MeetingStatus.BOOKED
    assert Meeting.objects.count() == 1


def test_moving_to_the_same_counsellors_overlapping_time_is_allowed(referral, counsellor, location):
    old = book(referral, counsellor, location, starts_at=soon(hour=10))
    new = meeting_reschedule(
        actor=counsellor,
        meeting=old,
        starts_at=soon(hour=10) + datetime.timedelta(minutes=15),
        location=location,
        requested_by="service",
        reason="Møterommet er opptatt.",
    )
    assert new.status == MeetingStatus.BOOKED


def test_cancelling_needs_a_reason_and_the_case_waits_for_a_new_meeting(referral, counsellor, location):
    meeting = book(referral, counsellor, location)
    with pytest.raises(ValidationError):
        meeting_cancel(actor=counsellor, meeting=meeting, requested_by="person", reason="")
    meeting_cancel(actor=counsellor, meeting=meeting, requested_by="person", reason="Flyttet til Bergen.")
    referral.refresh_from_db()
    assert referral.status == ReferralStatus.RECEIVED
    assert book(referral, counsellor, location, starts_at=soon(days=4))  # the time is free again


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_bookings_of_one_slot_at_the_same_moment_end_with_exactly_one_meeting(service, counsellor, location):
    """Two counsellors book the same counsellor's slot for two cases at once, each in its own database
    connection. The first holds its transaction open past the moment the second checks for clashes, so the
    second's friendly check cannot see the first: only the exclusion constraint can stop it."""
    if connection.vendor != "postgresql":
        pytest.skip("the exclusion constraint is PostgreSQL's")
    deadline = timezone.localdate() + datetime.timedelta(days=30)
    first_case = ReferralFactory(service=service, attendance_deadline=deadline)
    second_case = ReferralFactory(service=service, attendance_deadline=deadline)
    colleague = StaffMembershipFactory(service=service).user
    starts_at = soon(hour=11)
    first_inserted = threading.Event()
    results = {}

    def first():
        try:
            with transaction.atomic():
                results["first"] = book(first_case, counsellor, location, starts_at=starts_at)
                first_inserted.set()
                threading.Event().wait(0.5)  # the second booking starts while this one is uncommitted
        finally:
            connection.close()

    def second():
        first_inserted.wait(30)
        translation.activate("en")  # a thread starts in the default language
        try:
            meeting_book(
                actor=colleague, referral=second_case, counsellor=counsellor, location=location, starts_at=starts_at
            )
            results["second"] = "booked"
        except ValidationError as error:
            results["second"] = error.message_dict["starts_at"][0]
        finally:
            connection.close()

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(20)
    assert Meeting.objects.filter(counsellor=counsellor, status=MeetingStatus.BOOKED).count() == 1
    assert results["second"].startswith("That time was just taken")
    assert not second_case.meetings.exists()


def test_a_meeting_written_past_the_service_still_cannot_overlap(service, counsellor, location):
    """The database itself refuses a second meeting in the same time, whoever writes it."""
    if connection.vendor != "postgresql":
        pytest.skip("the exclusion constraint is PostgreSQL's")
    from django.db import IntegrityError

    meeting = MeetingFactory(referral__service=service, counsellor=counsellor, location=location)
    with pytest.raises(IntegrityError), transaction.atomic():
        MeetingFactory(referral__service=service, counsellor=counsellor, location=location, starts_at=meeting.starts_at)


def test_a_time_in_the_counsellors_absence_is_refused(referral, counsellor, location):
    from counselling.scheduling.models import AvailabilityException

    AvailabilityException.objects.create(
        service=referral.service,
        counsellor=counsellor,
        kind="holiday",
        starts_at=soon(hour=8),
        ends_at=soon(hour=16),
    )
    with pytest.raises(ValidationError) as excinfo:
        book(referral, counsellor, location, starts_at=soon(hour=10))
    assert "away" in excinfo.value.message_dict["starts_at"][0]
    assert not referral.meetings.exists()
