"""Every read of a person's data leaves exactly one entry in the access log: the case, a meeting with its
confidential assessment, letters and reports, the fee case and its letters, and every export of the privacy
pages. A new page that shows a person must join READS."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from counselling.attendance.models import Attendance, NeedsAssessment
from portal.models import AuditEvent
from referrals.services import referral_assign
from tests.factories import LetterFactory, MeetingFactory, PoliceReportFactory
from tests.fees.factories import FeeCaseFactory, FeeLetterFactory


@pytest.fixture
def case(service, counsellor, lead):
    fee_case = FeeCaseFactory(referral__service=service)
    referral = fee_case.referral
    referral_assign(actor=lead, referral=referral, counsellor=counsellor)
    meeting = MeetingFactory(
        referral=referral, counsellor=counsellor, status="held", starts_at=timezone.now() - datetime.timedelta(days=1)
    )
    attendance = Attendance.objects.create(
        meeting=meeting, outcome="attended", person_present=True, consent=True, recorded_by=counsellor
    )
    NeedsAssessment.objects.create(attendance=attendance, confidential_note="Sover hos venner.")
    return {
        "referral_pk": referral.pk,
        "meeting_pk": meeting.pk,
        "letter_pk": LetterFactory(meeting=meeting).pk,
        "report_pk": PoliceReportFactory(meeting=meeting).pk,
        "fee_case_pk": fee_case.pk,
        "fee_letter_pk": FeeLetterFactory(fee_case=fee_case).pk,
        "person_pk": referral.person_id,
    }


# URL name -> the object kwargs it takes from `case`.
READS = {
    "referrals:detail": ["referral_pk"],
    "attendance:meeting": ["meeting_pk"],
    "scheduling:letter_pdf": ["letter_pk"],
    "attendance:police_report_pdf": ["report_pk"],
    "fees:case": ["fee_case_pk"],
    "fees:letter_pdf": ["fee_letter_pk"],
    "privacy:access_log_person_csv": ["person_pk"],
    "privacy:access_log_person_pdf": ["person_pk"],
    "privacy:person_data_json": ["person_pk"],
    "privacy:person_data_pdf": ["person_pk"],
}


@pytest.mark.parametrize("name", sorted(READS))
def test_each_read_of_a_persons_data_is_logged_exactly_once(client, service, lead, case, name):
    client.force_login(lead)
    url = reverse(name, kwargs={"service_slug": service.slug, **{key: case[key] for key in READS[name]}})
    before = AuditEvent.objects.filter(kind__in=["read", "export"]).count()
    response = client.get(url)
    assert response.status_code == 200
    if hasattr(response, "streaming_content"):
        b"".join(response.streaming_content)
    entries = AuditEvent.objects.filter(kind__in=["read", "export"]).order_by("-id")
    assert entries.count() == before + 1, [e.action for e in entries[:3]]
    entry = entries.first()
    assert (entry.actor, entry.service, entry.person_id) == (lead, service, case["person_pk"])


def test_the_assigned_counsellor_reading_the_confidential_note_leaves_one_entry(client, service, counsellor, case):
    client.force_login(counsellor)
    response = client.get(reverse("attendance:meeting", args=[service.slug, case["meeting_pk"]]))
    entries = list(AuditEvent.objects.filter(kind="read", actor=counsellor).values_list("action", flat=True))
    assert len(entries) == 1
    if "Sover hos venner." in response.content.decode():
        assert entries == ["assessment.viewed"]


def test_the_access_log_page_is_logged_exactly_once(client, service, lead, case):
    client.force_login(lead)
    client.get(reverse("privacy:access_log", args=[service.slug]))
    assert AuditEvent.objects.filter(kind="read", actor=lead).count() == 1
