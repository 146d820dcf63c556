"""The condition route as units work today: a no-show with time left before the prosecution's attendance deadline
keeps the case open for a new meeting; the police hear of non-attendance when the deadline passes without
attendance, or when the person refuses to attend; attendance is reported as soon as it happens."""

import datetime

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from django_celery_beat.models import PeriodicTask

from counselling.attendance.models import PoliceReport, RefusalToAttend
from counselling.attendance.services import AttendanceDetails, attendance_record
from counselling.attendance.services.refusals import refusal_to_attend_record
from counselling.attendance.sweeps import police_reports_for_passed_deadlines
from counselling.attendance.tasks import deadlines_report
from counselling.scheduling.models import MeetingStatus
from counselling.scheduling.selectors import dashboard_of
from counselling.scheduling.services import meeting_book, meeting_cancel
from referrals.models import ReferralStatus
from tests.counselling.conftest import pdf_text
from tests.factories import MeetingFactory, ReferralFactory

OSLO = timezone.get_current_timezone()
# A Wednesday at noon; the deadline is two weeks later.
NOW = datetime.datetime(2026, 12, 2, 12, 0, tzinfo=OSLO)
DEADLINE = datetime.date(2026, 12, 16)
REASON = "Sier i telefonen at han ikke vil komme, og at han heller tar saken i retten."


def at(day: datetime.date, hour: int = 12) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(hour), OSLO)


@pytest.fixture
def clock():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def case(clock, service, counsellor):
    return ReferralFactory(
        service=service,
        created_by=counsellor,
        assigned_counsellor=counsellor,
        status=ReferralStatus.ASSIGNED,
        decision_date=NOW.date() - datetime.timedelta(days=10),
        attendance_deadline=DEADLINE,
    )


def missed_meeting(case, counsellor, location, *, hours_ago=2):
    start = timezone.now() - datetime.timedelta(hours=hours_ago)
    meeting = MeetingFactory(
        referral=case, counsellor=counsellor, location=location, starts_at=start, summons_posted=True
    )
    attendance_record(actor=counsellor, meeting=meeting, details=AttendanceDetails(outcome="no_show"))
    case.refresh_from_db()
    return meeting


def test_a_first_no_show_with_time_left_keeps_the_case_open_for_a_new_meeting(case, counsellor, location):
    missed_meeting(case, counsellor, location)
    assert case.status == ReferralStatus.MISSED
    assert case.waits_for_a_meeting
    assert not PoliceReport.objects.exists()
    assert "book a new meeting before the attendance deadline on 16.12.2026" in " ".join(
        event.description for event in case.events.all()
    )
    new = meeting_book(
        actor=counsellor,
        referral=case,
        counsellor=counsellor,
        location=location,
        starts_at=at(NOW.date() + datetime.timedelta(days=5), 10),
    )
    case.refresh_from_db()
    assert (new.status, case.status) == (MeetingStatus.BOOKED, ReferralStatus.BOOKED)


def test_the_case_page_says_to_book_a_new_meeting_after_a_no_show(client, case, counsellor, location, service):
    missed_meeting(case, counsellor, location)
    client.force_login(counsellor)
    page = client.get(reverse("referrals:detail", kwargs={"service_slug": service.slug, "referral_pk": case.pk}))
    assert page.context["next_action"] == "new_meeting_after_no_show"
    assert page.context["can_book"] is True
    text = page.content.decode()
    assert "Personen møtte ikke: sett opp en ny samtale før fristen for oppmøte" in text


def test_the_dashboard_lists_the_deadline_of_a_case_waiting_for_a_new_meeting_after_a_no_show(
    clock, case, counsellor, location, service
):
    missed_meeting(case, counsellor, location)
    clock.move_to(at(DEADLINE - datetime.timedelta(days=3)))
    membership = counsellor.memberships.get(service=service)
    assert list(dashboard_of(service, counsellor, membership)["deadlines"]) == [case]


def test_a_no_show_after_the_attendance_deadline_is_reported_at_once_and_closes_the_case(
    clock, case, counsellor, location
):
    clock.move_to(at(DEADLINE + datetime.timedelta(days=2)))
    meeting = missed_meeting(case, counsellor, location)
    assert case.status == ReferralStatus.CLOSED
    report = PoliceReport.objects.get()
    assert (report.kind, report.meeting, report.sent_at) == ("not_attended", meeting, None)


def test_the_police_hear_of_non_attendance_when_the_deadline_passes_without_attendance(
    clock, case, counsellor, location
):
    meeting = missed_meeting(case, counsellor, location)
    clock.move_to(at(DEADLINE, 23))
    assert police_reports_for_passed_deadlines() == 0  # the deadline day itself is still in time
    case.refresh_from_db()
    assert case.status == ReferralStatus.MISSED

    clock.move_to(at(DEADLINE + datetime.timedelta(days=1), 1))
    assert police_reports_for_passed_deadlines() == 1
    case.refresh_from_db()
    assert case.status == ReferralStatus.CLOSED
    report = PoliceReport.objects.get()
    assert (report.kind, report.meeting, report.sent_at, report.created_by) == ("not_attended", meeting, None, None)
    text = pdf_text(report.pdf)
    assert "Melding om manglende oppmøte" in text
    assert "Møtte ikke til samtale 2. desember 2026." in text
    assert "deadline 16.12.2026 passed without attendance" in " ".join(event.description for event in case.events.all())

    # Running it again, or by the beat task, changes nothing.
    assert police_reports_for_passed_deadlines() == 0
    assert deadlines_report() == 0
    assert PoliceReport.objects.count() == 1


def test_the_deadline_sweep_leaves_a_case_with_a_new_meeting_booked_and_the_order_route(
    clock, case, service, counsellor, location
):
    missed_meeting(case, counsellor, location)
    meeting_book(
        actor=counsellor,
        referral=case,
        counsellor=counsellor,
        location=location,
        starts_at=at(DEADLINE + datetime.timedelta(days=5), 10),
        late_reason="Personen var på reise; politiet er kjent med det.",
    )
    order = ReferralFactory(
        service=service, route="order", seizure_unknown=False, classification="exempt", attendance_deadline=DEADLINE
    )
    missed_meeting(order, counsellor, location, hours_ago=4)
    clock.move_to(at(DEADLINE + datetime.timedelta(days=1)))
    assert police_reports_for_passed_deadlines() == 0
    assert not PoliceReport.objects.exists()


def test_a_new_meeting_cancelled_after_a_no_show_still_lets_the_police_hear_when_the_deadline_passes(
    clock, case, counsellor, location
):
    missed_meeting(case, counsellor, location)
    new = meeting_book(
        actor=counsellor,
        referral=case,
        counsellor=counsellor,
        location=location,
        starts_at=at(NOW.date() + datetime.timedelta(days=5), 10),
    )
    meeting_cancel(actor=counsellor, meeting=new, requested_by="person", reason="Kan ikke den dagen.")
    case.refresh_from_db()
    assert case.status == ReferralStatus.ASSIGNED
    clock.move_to(at(DEADLINE + datetime.timedelta(days=1)))
    assert police_reports_for_passed_deadlines() == 1
    case.refresh_from_db()
    assert case.status == ReferralStatus.CLOSED
    assert PoliceReport.objects.get().kind == "not_attended"


def test_attendance_at_the_new_meeting_is_reported_at_once(clock, case, counsellor, location):
    missed_meeting(case, counsellor, location)
    new = meeting_book(
        actor=counsellor,
        referral=case,
        counsellor=counsellor,
        location=location,
        starts_at=at(NOW.date() + datetime.timedelta(days=2), 10),
    )
    clock.move_to(at(NOW.date() + datetime.timedelta(days=2), 11))
    attendance_record(actor=counsellor, meeting=new, details=AttendanceDetails(outcome="attended", consent=False))
    case.refresh_from_db()
    assert case.status == ReferralStatus.CLOSED
    report = PoliceReport.objects.get()
    assert (report.kind, report.meeting) == ("attended", new)
    assert "Møtte til samtale 4. desember 2026." in pdf_text(report.pdf)


def test_a_refusal_to_attend_tells_the_police_only_that_the_person_did_not_attend(case, counsellor, location):
    booked = meeting_book(
        actor=counsellor,
        referral=case,
        counsellor=counsellor,
        location=location,
        starts_at=at(NOW.date() + datetime.timedelta(days=3), 10),
    )
    refusal = refusal_to_attend_record(actor=counsellor, referral=case, reason=REASON)
    case.refresh_from_db()
    booked.refresh_from_db()
    assert (refusal.reason, refusal.recorded_by) == (REASON, counsellor)
    assert booked.status == MeetingStatus.CANCELLED
    assert case.status == ReferralStatus.CLOSED
    report = PoliceReport.objects.get()
    assert (report.kind, report.meeting, report.meeting_date, report.sent_at) == ("not_attended", None, None, None)
    text = pdf_text(report.pdf)
    assert "Møtte ikke til samtale." in text
    assert "retten" not in text and "telefonen" not in text
    assert "retten" not in " ".join(event.description for event in case.events.all())


def test_a_refusal_needs_a_reason_and_is_recorded_once_under_the_condition_route_only(case, service, counsellor):
    with pytest.raises(ValidationError) as raised:
        refusal_to_attend_record(actor=counsellor, referral=case, reason="  ")
    assert "reason" in raised.value.message_dict
    assert not RefusalToAttend.objects.exists() and not PoliceReport.objects.exists()
    refusal_to_attend_record(actor=counsellor, referral=case, reason=REASON)
    with pytest.raises(ValidationError, match="closed"):
        refusal_to_attend_record(actor=counsellor, referral=case, reason=REASON)
    order = ReferralFactory(service=service, route="order", seizure_unknown=False, classification="exempt")
    with pytest.raises(ValidationError, match="only under the condition route"):
        refusal_to_attend_record(actor=counsellor, referral=order, reason=REASON)
    assert PoliceReport.objects.count() == 1


def test_the_refusal_form_asks_for_the_reason_beside_the_field_and_saves_nothing_without_it(
    client, case, service, counsellor
):
    address = reverse("attendance:refusal", kwargs={"service_slug": service.slug, "referral_pk": case.pk})
    client.force_login(counsellor)
    detail = client.get(reverse("referrals:detail", kwargs={"service_slug": service.slug, "referral_pk": case.pk}))
    assert address in detail.content.decode()
    page = client.post(address, {"reason": ""})
    assert page.status_code == 200
    assert "Skriv hva personen sa" in str(page.context["form"].errors["reason"])
    assert not RefusalToAttend.objects.exists()
    assert client.post(address, {"reason": REASON}).status_code == 302
    assert RefusalToAttend.objects.get().reason == REASON
    detail = client.get(reverse("referrals:detail", kwargs={"service_slug": service.slug, "referral_pk": case.pk}))
    assert address not in detail.content.decode()
    assert REASON in detail.content.decode()


def test_the_deadline_sweep_is_installed_on_beat(db):
    call_command("setup_schedules")
    assert PeriodicTask.objects.filter(task="attendance.deadlines_report").exists()
