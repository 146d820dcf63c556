"""Flags: raised by the sweep once each, never deciding for the counsellor, resolved by the action they ask for."""

import datetime

from django.utils import timezone

from counselling.attendance.services import AttendanceDetails, attendance_record
from counselling.scheduling.models import Flag
from counselling.scheduling.services import meeting_book
from counselling.scheduling.services.flags import flags_raise
from counselling.scheduling.services.letters import letter_email_send
from referrals.models import ReferralStatus
from tests.factories import LetterFactory, MeetingFactory, ReferralFactory


def test_a_meeting_over_without_attendance_is_flagged_once_and_never_decided(service, counsellor, location, referral):
    meeting = MeetingFactory(
        referral=referral,
        counsellor=counsellor,
        location=location,
        starts_at=timezone.now() - datetime.timedelta(hours=4),
    )
    assert flags_raise() == 1
    assert flags_raise() == 0
    flag = Flag.objects.get()
    assert (flag.kind, flag.meeting, flag.resolved_at) == ("attendance_not_recorded", meeting, None)
    referral.refresh_from_db()
    assert referral.status == ReferralStatus.RECEIVED  # the job does not decide a no-show
    assert not hasattr(meeting, "attendance") or meeting.attendance is None


def test_within_the_grace_period_nothing_is_flagged(counsellor, location, referral):
    MeetingFactory(
        referral=referral,
        counsellor=counsellor,
        location=location,
        starts_at=timezone.now() - datetime.timedelta(hours=1),
    )
    assert flags_raise() == 0


def test_recording_attendance_resolves_the_flag(counsellor, location, referral):
    meeting = MeetingFactory(
        referral=referral,
        counsellor=counsellor,
        location=location,
        starts_at=timezone.now() - datetime.timedelta(hours=4),
    )
    flags_raise()
    attendance_record(actor=counsellor, meeting=meeting, details=AttendanceDetails(outcome="attended", consent=False))
    flag = Flag.objects.get()
    assert flag.resolved_at is not None and flag.resolved_by == counsellor


def test_a_passed_deadline_without_a_meeting_held_is_flagged_once_and_resolved_by_booking(
    service, counsellor, location
):
    today = timezone.localdate()
    referral = ReferralFactory(
        service=service,
        incident_date=today - datetime.timedelta(days=60),
        decision_date=today - datetime.timedelta(days=50),
        attendance_deadline=today - datetime.timedelta(days=1),
    )
    ReferralFactory(service=service, attendance_deadline=today + datetime.timedelta(days=1))  # not yet
    assert flags_raise() == 1
    assert flags_raise() == 0
    meeting_book(
        actor=counsellor,
        referral=referral,
        counsellor=counsellor,
        location=location,
        starts_at=timezone.now() + datetime.timedelta(days=2),
        late_reason="Personen var på sykehus.",
    )
    assert Flag.objects.get(kind="deadline_passed").resolved_at is not None


def test_a_closed_case_is_not_flagged_for_its_deadline(service):
    ReferralFactory(
        service=service, status="closed", attendance_deadline=timezone.localdate() - datetime.timedelta(days=3)
    )
    assert flags_raise() == 0


def test_a_letter_that_could_not_be_emailed_is_flagged_and_resolved_when_it_goes(service, settings):
    letter = LetterFactory(meeting__referral__service=service, email="ola@example.org", email_error="SMTP 451")
    assert flags_raise() == 1
    assert flags_raise() == 0
    letter_email_send(letter_id=letter.pk)
    assert Flag.objects.get(kind="letter_failed").resolved_at is not None


def test_flags_show_on_the_case_with_the_action_they_ask_for(client, service, counsellor, location, referral):
    from django.urls import reverse

    meeting = MeetingFactory(
        referral=referral,
        counsellor=counsellor,
        location=location,
        starts_at=timezone.now() - datetime.timedelta(hours=4),
    )
    flags_raise()
    client.force_login(counsellor)
    page = client.get(reverse("referrals:detail", args=[service.slug, referral.pk])).content.decode()
    assert 'data-testid="flags"' in page
    assert reverse("attendance:attendance", args=[service.slug, meeting.pk]) in page


def test_a_failed_letter_flag_is_resolved_by_saying_it_went_by_post(client, service, counsellor):
    from django.urls import reverse

    letter = LetterFactory(
        meeting__referral__service=service,
        meeting__referral__assigned_counsellor=counsellor,  # their own case: no break-the-glass reason needed
        email="ola@example.org",
        email_error="SMTP 550",
    )
    flags_raise()
    flag = Flag.objects.get()
    client.force_login(counsellor)
    client.post(reverse("scheduling:flag_resolve", args=[service.slug, flag.pk]))
    flag.refresh_from_db()
    assert flag.resolved_by == counsellor
    assert letter.meeting.referral.events.filter(kind="flag.resolved").count() == 1


def test_an_attendance_flag_cannot_be_waved_away(client, service, counsellor, location, referral):
    from django.urls import reverse

    MeetingFactory(
        referral=referral,
        counsellor=counsellor,
        location=location,
        starts_at=timezone.now() - datetime.timedelta(hours=4),
    )
    flags_raise()
    flag = Flag.objects.get()
    client.force_login(counsellor)
    client.post(reverse("scheduling:flag_resolve", args=[service.slug, flag.pk]))
    flag.refresh_from_db()
    assert flag.resolved_at is None


def test_a_deadline_flag_comes_back_when_the_late_meeting_is_cancelled(service, counsellor, location):
    from counselling.scheduling.services import meeting_cancel

    today = timezone.localdate()
    referral = ReferralFactory(
        service=service,
        incident_date=today - datetime.timedelta(days=60),
        decision_date=today - datetime.timedelta(days=50),
        attendance_deadline=today - datetime.timedelta(days=1),
    )
    flags_raise()
    meeting = meeting_book(
        actor=counsellor,
        referral=referral,
        counsellor=counsellor,
        location=location,
        starts_at=timezone.now() + datetime.timedelta(days=2),
        late_reason="Personen var på sykehus.",
    )
    assert flags_raise() == 0  # the booked meeting answers it
    meeting_cancel(actor=counsellor, meeting=meeting, requested_by="person", reason="Flyttet.")
    assert flags_raise() == 1
    assert referral.flags.filter(kind="deadline_passed", resolved_at__isnull=True).count() == 1
