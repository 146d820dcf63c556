"""The attendance pages: the meeting page's confidentiality, recording attendance, and police reports."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from counselling.attendance.services import (
    AttendanceDetails,
    attendance_record,
    police_report_make,
    police_report_mark_sent,
)
from portal.models import AuditEvent
from referrals.services import referral_assign
from tests.counselling.conftest import pdf_text
from tests.factories import MeetingFactory, PoliceReportFactory, ReferralFactory


def url(name, service, **kwargs):
    return reverse(f"attendance:{name}", kwargs={"service_slug": service.slug, **kwargs})


@pytest.fixture
def assessed_meeting(service, lead, counsellor, referral, location):
    referral_assign(actor=lead, referral=referral, counsellor=counsellor)
    meeting = MeetingFactory(
        referral=referral,
        counsellor=counsellor,
        location=location,
        starts_at=timezone.now() - datetime.timedelta(hours=1),
    )
    attendance_record(
        actor=counsellor,
        meeting=meeting,
        details=AttendanceDetails(
            outcome="attended", consent=True, onward_referrals=["gp"], confidential_note="Sover dårlig."
        ),
    )
    return meeting


@pytest.mark.parametrize("reader", ["counsellor", "lead"])
def test_the_assigned_counsellor_and_the_lead_read_the_assessment_and_each_read_is_logged(
    client, request, service, assessed_meeting, reader
):
    user = request.getfixturevalue(reader)
    client.force_login(user)
    page = client.get(url("meeting", service, meeting_pk=assessed_meeting.pk))
    assert "Sover dårlig." in page.content.decode()
    assert AuditEvent.objects.filter(action="assessment.viewed", actor=user).count() == 1


def test_a_colleague_not_on_the_case_sees_that_an_assessment_exists_but_not_what_it_says(
    client, service, colleague, assessed_meeting
):
    client.force_login(colleague)
    page = client.get(url("meeting", service, meeting_pk=assessed_meeting.pk)).content.decode()
    assert "Sover dårlig." not in page
    assert 'data-testid="assessment"' not in page
    assert not AuditEvent.objects.filter(action="assessment.viewed").exists()


def test_the_attendance_page_says_it_is_not_a_patient_journal(client, service, counsellor, assessed_meeting):
    client.force_login(counsellor)
    meeting = MeetingFactory(referral__service=service, counsellor=counsellor)
    assert "ikke en pasientjournal" in client.get(url("attendance", service, meeting_pk=meeting.pk)).content.decode()
    client.cookies["portal_language"] = "en"
    assert "not a patient journal" in client.get(url("attendance", service, meeting_pk=meeting.pk)).content.decode()


def test_reports_to_send_are_listed_per_police_district_and_marked_sent_once(client, service, counsellor, lead):
    report = PoliceReportFactory(
        meeting__referral__service=service,
        meeting__referral__police_district="vest",
        meeting__referral__assigned_counsellor=counsellor,
    )
    client.force_login(counsellor)
    page = client.get(url("police_reports", service))
    assert list(page.context["districts"]) == ["Vest"]
    client.post(url("police_report_sent", service, report_pk=report.pk))
    report.refresh_from_db()
    first = report.sent_at
    assert report.sent_by == counsellor
    police_report_mark_sent(actor=lead, report=report)
    report.refresh_from_db()
    assert (report.sent_at, report.sent_by) == (first, counsellor)
    assert client.get(url("police_reports", service)).context["districts"] == {}


def test_under_the_order_route_the_lead_may_choose_to_report(client, service, lead, counsellor, location):
    referral = ReferralFactory(service=service, route="order", seizure_unknown=False, classification="exempt")
    meeting = MeetingFactory(
        referral=referral,
        counsellor=counsellor,
        location=location,
        starts_at=timezone.now() - datetime.timedelta(hours=1),
        summons_posted=True,
    )
    attendance_record(actor=counsellor, meeting=meeting, details=AttendanceDetails(outcome="no_show"))
    assert not meeting.police_reports.exists()
    client.force_login(lead)
    client.post(url("police_report_create", service, meeting_pk=meeting.pk), {"legal_basis": BASIS})
    assert meeting.police_reports.get().kind == "not_attended"


BASIS = "Personens skriftlige samtykke til at politiet får vite om oppmøtet, gitt 1. desember."


@pytest.fixture
def order_no_show(service, counsellor, location):
    referral = ReferralFactory(service=service, route="order", seizure_unknown=False, classification="exempt")
    meeting = MeetingFactory(
        referral=referral,
        counsellor=counsellor,
        location=location,
        starts_at=timezone.now() - datetime.timedelta(hours=1),
        summons_posted=True,
    )
    attendance_record(actor=counsellor, meeting=meeting, details=AttendanceDetails(outcome="no_show"))
    return meeting


def test_the_leads_report_under_the_order_route_needs_a_legal_basis_beside_the_field(
    client, service, lead, order_no_show
):
    client.force_login(lead)
    form = client.get(url("police_report_create", service, meeting_pk=order_no_show.pk)).content.decode()
    assert 'name="legal_basis"' in form
    page = client.post(url("police_report_create", service, meeting_pk=order_no_show.pk), {"legal_basis": " "})
    assert page.status_code == 200
    assert "Skriv det rettslige grunnlaget for å gi meldingen til politiet." in str(
        page.context["form"].errors["legal_basis"]
    )
    assert not order_no_show.police_reports.exists()
    assert not AuditEvent.objects.filter(action="police_report.made").exists()


def test_the_leads_report_under_the_order_route_keeps_its_legal_basis_in_the_audit_log(
    client, service, lead, order_no_show
):
    client.force_login(lead)
    response = client.post(url("police_report_create", service, meeting_pk=order_no_show.pk), {"legal_basis": BASIS})
    assert response.status_code == 302
    report = order_no_show.police_reports.get()
    assert report.legal_basis == BASIS
    audit = AuditEvent.objects.get(action="police_report.made", object_id=str(report.pk))
    assert (audit.actor, audit.extra) == (lead, {"legal_basis": BASIS})
    assert "samtykke" not in pdf_text(report.pdf)  # the police get the attendance fact, nothing from the case


def test_the_order_route_report_service_refuses_without_a_legal_basis(lead, order_no_show):
    with pytest.raises(ValidationError) as raised:
        police_report_make(actor=lead, meeting=order_no_show)
    assert "legal_basis" in raised.value.message_dict
    assert not order_no_show.police_reports.exists()


def test_the_latest_sent_police_reports_are_listed_first(client, service, counsellor, lead):
    def sent(days_ago):
        moment = timezone.now() - datetime.timedelta(days=days_ago)
        return PoliceReportFactory(meeting__referral__service=service, sent_at=moment, sent_by=lead)

    older, newer = sent(9), sent(1)
    client.force_login(counsellor)
    assert list(client.get(url("police_reports", service)).context["sent"]) == [newer, older]


def test_a_demonstration_services_police_report_says_it_is_not_real(service, lead, order_no_show):
    service.is_demonstration = True
    service.save()
    report = police_report_make(actor=lead, meeting=order_no_show, legal_basis=BASIS)
    assert "DEMONSTRASJON – oppdiktet sak, ikke en ekte melding" in " ".join(pdf_text(report.pdf).split())


def test_the_attendance_form_is_offered_only_once_the_meeting_has_started(client, service, counsellor):
    """Before the start the page says why instead of taking a form it would refuse; the meeting page says so too."""
    meeting = MeetingFactory(
        referral__service=service,
        referral__assigned_counsellor=counsellor,
        counsellor=counsellor,
        starts_at=timezone.now() + datetime.timedelta(hours=2),
    )
    client.force_login(counsellor)
    client.cookies["portal_language"] = "en"
    form_url = reverse("attendance:attendance", args=[service.slug, meeting.pk])
    page = client.get(form_url)
    assert page.status_code == 200
    assert "Attendance can be recorded once the meeting has started." in page.content.decode()
    assert "data-attendance" not in page.content.decode()
    assert client.post(form_url, {"outcome": "no_show"}).status_code == 200
    meeting.refresh_from_db()
    assert meeting.status == "booked"
    meeting_page = client.get(reverse("attendance:meeting", args=[service.slug, meeting.pk])).content.decode()
    assert form_url not in meeting_page
    assert "Attendance can be recorded once the meeting has started." in meeting_page

    type(meeting).objects.filter(pk=meeting.pk).update(starts_at=timezone.now() - datetime.timedelta(minutes=5))
    assert "data-attendance" in client.get(form_url).content.decode()
    assert form_url in client.get(reverse("attendance:meeting", args=[service.slug, meeting.pk])).content.decode()


def test_the_report_page_of_a_condition_case_speaks_of_the_condition_and_says_when_nothing_new_was_made(
    client, service, lead, counsellor, location
):
    referral = ReferralFactory(service=service, route="condition")
    meeting = MeetingFactory(
        referral=referral,
        counsellor=counsellor,
        location=location,
        starts_at=timezone.now() - datetime.timedelta(hours=1),
    )
    attendance_record(
        actor=counsellor,
        meeting=meeting,
        details=AttendanceDetails(outcome="attended", risk_information_given=True, consent=False),
    )
    report = meeting.police_reports.get()  # the condition route's confirmation, made with the attendance
    client.force_login(lead)
    client.cookies["portal_language"] = "en"
    page = client.get(url("police_report_create", service, meeting_pk=meeting.pk)).content.decode()
    assert "Under the order route" not in page
    assert "condition set by the prosecution" in page
    assert 'data-testid="report-exists"' in page
    answer = client.post(url("police_report_create", service, meeting_pk=meeting.pk), follow=True)
    said = [str(message) for message in answer.context["messages"]]
    assert said == [f"This report was already made: {report.get_kind_display()}. Nothing new was made."]
    assert meeting.police_reports.count() == 1


def test_the_meeting_page_lists_every_reminder_sent_or_scheduled_with_its_channel_and_state(
    client, service, counsellor, location
):
    from counselling.scheduling.models import Reminder

    meeting = MeetingFactory(referral__service=service, referral__assigned_counsellor=counsellor, counsellor=counsellor)
    due = meeting.starts_at - datetime.timedelta(days=1)
    for channel, state, sent_at in (
        ("sms", "sent", timezone.now()),
        ("email", "failed", None),
        ("sms", "pending", None),
    ):
        Reminder.objects.create(
            meeting=meeting,
            days_before=1 if state != "sent" else 3,
            channel=channel,
            recipient_kind="person",
            address="+4791234567" if channel == "sms" else "ola@example.org",
            due_at=due,
            state=state,
            sent_at=sent_at,
        )
    client.force_login(counsellor)
    client.cookies["portal_language"] = "en"
    page = client.get(url("meeting", service, meeting_pk=meeting.pk)).content.decode()
    section = page[page.index('data-testid="reminders"') :][:3000]
    assert [state for state in ("sent", "failed", "pending") if f'data-state="{state}"' in section] == [
        "sent",
        "failed",
        "pending",
    ]
    assert "scheduled for" in section and "Failed" in section and "SMS" in section and "Email" in section
