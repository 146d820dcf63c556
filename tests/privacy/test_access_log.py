"""The access log as service leads review it: filters, the unusual patterns, and a person's own log."""

import csv
import datetime
import io
import json
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from portal.audit import audit_read
from portal.models import AuditEvent, Role, StaffMembership
from privacy.access_log import access_log_of, access_log_summary, is_out_of_hours
from referrals.services import referral_assign
from tests.factories import MeetingFactory, ReferralFactory, StaffMembershipFactory

OSLO = ZoneInfo("Europe/Oslo")


def oslo(*args) -> datetime.datetime:
    return datetime.datetime(*args, tzinfo=OSLO)


def read_at(when: datetime.datetime, *, actor, referral, action="referral.viewed", reason=""):
    """A read logged at `when` (the log's time is set by the database row's auto_now_add)."""
    with time_machine.travel(when, tick=False):
        return audit_read(actor=actor, action=action, obj=referral, person_id=referral.person_id, reason=reason)


def backdate_memberships():
    """Staff were in their roles long before the reads the tests log."""
    StaffMembership.objects.update(started_at=oslo(2026, 1, 1, 8, 0))


def flags(service):
    return {
        (event.actor_label, event.person_id, event.occurred_at): (event.outside_caseload, event.out_of_hours)
        for event in access_log_of(service)
    }


@pytest.mark.parametrize(
    ("moment", "expected"),
    [
        (oslo(2026, 11, 24, 7, 0), False),  # Tuesday, opening
        (oslo(2026, 11, 24, 17, 59), False),
        (oslo(2026, 11, 24, 6, 59), True),  # before 07:00
        (oslo(2026, 11, 24, 18, 0), True),  # from 18:00
        (oslo(2026, 11, 28, 12, 0), True),  # Saturday
        (oslo(2026, 5, 17, 12, 0), True),  # Constitution Day (a Sunday in 2026 too)
        (oslo(2026, 5, 14, 12, 0), True),  # Ascension Day, a Thursday
        (oslo(2026, 3, 29, 1, 30), True),  # the night clocks go forward
    ],
)
def test_out_of_hours_rule_in_python_and_in_the_database_agree(service, counsellor, moment, expected):
    referral = ReferralFactory(service=service, assigned_counsellor=counsellor)
    read_at(moment, actor=counsellor, referral=referral)
    assert is_out_of_hours(moment) is expected
    assert access_log_of(service).get().out_of_hours is expected


def test_a_counsellor_reading_a_case_that_is_not_theirs_is_flagged(service, counsellor, colleague, lead):
    theirs = ReferralFactory(service=service)
    referral_assign(actor=lead, referral=theirs, counsellor=colleague)
    mine = ReferralFactory(service=service)
    referral_assign(actor=lead, referral=mine, counsellor=counsellor)
    met = ReferralFactory(service=service)
    MeetingFactory(referral=met, counsellor=counsellor)
    noon = oslo(2026, 11, 24, 12, 0)
    read_at(noon, actor=counsellor, referral=theirs)
    read_at(noon, actor=counsellor, referral=mine)
    read_at(noon, actor=counsellor, referral=met)
    read_at(noon, actor=lead, referral=theirs)  # a lead works across the service
    backdate_memberships()

    outside = {(e.actor_label, e.person_id) for e in access_log_of(service) if e.outside_caseload}
    assert outside == {("counsellor", theirs.person_id)}
    summary = access_log_summary(access_log_of(service))
    assert (summary["reads"], summary["outside_caseload"], summary["out_of_hours"]) == (4, 1, 0)
    assert summary["per_staff"] == [{"actor_label": "counsellor", "outside_caseload": 1, "out_of_hours": 0}]


def test_a_read_by_someone_who_was_a_counsellor_then_is_judged_by_the_role_at_the_time(service, colleague):
    referral = ReferralFactory(service=service)
    read_at(timezone.now(), actor=colleague, referral=referral)
    StaffMembershipFactory(service=service, user=colleague, role=Role.SERVICE_LEAD)  # promoted afterwards
    assert access_log_of(service).get(actor=colleague).outside_caseload is True


@pytest.fixture
def logged_reads(service, counsellor, colleague, lead):
    first = ReferralFactory(service=service, person__first_name="Ola", person__last_name="Nordmann")
    second = ReferralFactory(service=service, person__first_name="Kari", person__last_name="Hansen")
    referral_assign(actor=lead, referral=first, counsellor=counsellor)
    backdate_memberships()
    read_at(oslo(2026, 11, 2, 10, 0), actor=counsellor, referral=first)
    read_at(oslo(2026, 11, 3, 22, 0), actor=colleague, referral=first, reason="Vakt")
    read_at(oslo(2026, 11, 20, 10, 0), actor=colleague, referral=second)
    return first, second


def _page(client, service, **params):
    return client.get(reverse("privacy:access_log", args=[service.slug]), params)


def _rows(response):
    return response.context["page"].object_list


def test_the_lead_filters_by_staff_member_person_case_and_period(client, service, lead, colleague, logged_reads):
    first, second = logged_reads
    client.force_login(lead)
    assert len(_rows(_page(client, service))) == 3
    assert {e.person_id for e in _rows(_page(client, service, staff=colleague.pk))} == {
        first.person_id,
        second.person_id,
    }
    assert len(_rows(_page(client, service, staff=colleague.pk))) == 2
    by_id = _page(client, service, person=first.person.national_id)
    assert {e.person_id for e in _rows(by_id)} == {first.person_id}
    assert by_id.context["persons"] == [first.person]
    assert {e.person_id for e in _rows(_page(client, service, person="kari hansen"))} == {second.person_id}
    assert {e.person_id for e in _rows(_page(client, service, case=second.police_reference))} == {second.person_id}
    period = _rows(_page(client, service, date_from="2026-11-03", date_to="2026-11-19"))
    assert [e.reason for e in period] == ["Vakt"]
    unusual = _page(client, service, pattern="any")
    assert [e.actor_id for e in _rows(unusual)] == [colleague.pk, colleague.pk]
    assert unusual.context["summary"]["out_of_hours"] == 1


@pytest.mark.parametrize("moment", [oslo(2026, 11, 28, 23, 30), oslo(2026, 11, 25, 22, 30), oslo(2026, 12, 25, 3, 0)])
def test_a_lead_reviewing_the_access_log_out_of_hours_is_not_flagged(client, service, lead, logged_reads, moment):
    first, _second = logged_reads
    with time_machine.travel(moment, tick=False):
        client.force_login(lead)  # signed in then, so the idle timeout counts from that moment
        _page(client, service, person=first.person.national_id)
        response = _page(client, service, pattern="any")
    review = access_log_of(service).filter(action="access_log.viewed")
    assert review.count() == 2  # listed, and in the person's own log
    assert not review.filter(out_of_hours=True).exists()
    assert response.context["summary"]["out_of_hours"] == 1  # the colleague's 22:00 read, nothing of the lead's


def test_an_export_out_of_hours_is_flagged(client, service, lead, logged_reads):
    first, _second = logged_reads
    with time_machine.travel(oslo(2026, 11, 28, 23, 30), tick=False):
        client.force_login(lead)
        client.get(reverse("privacy:access_log_person_csv", args=[service.slug, first.person_id]))
    assert access_log_of(service).get(action="access_log.person_exported").out_of_hours is True


def test_a_person_of_another_service_is_not_found(client, service, other_service, lead, logged_reads):
    elsewhere = ReferralFactory(service=other_service)
    client.force_login(lead)
    response = _page(client, service, person=elsewhere.person.national_id)
    assert response.context["persons"] == []
    assert len(_rows(response)) == 0


def test_the_access_log_page_is_itself_logged_once(client, service, lead, logged_reads):
    first, _second = logged_reads
    client.force_login(lead)
    _page(client, service, person=first.person.national_id)
    viewed = AuditEvent.objects.filter(action="access_log.viewed")
    assert viewed.count() == 1
    assert viewed.get().person_id == first.person_id


def test_the_access_log_page_takes_a_fixed_number_of_queries(client, service, lead, logged_reads):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(lead)
    _page(client, service)  # warm the session and content type caches
    with CaptureQueriesContext(connection) as few:
        _page(client, service)
    for _ in range(30):
        read_at(timezone.now(), actor=lead, referral=logged_reads[0])
    with CaptureQueriesContext(connection) as many:
        response = _page(client, service)
    assert len(_rows(response)) == 3 + 2 + 30  # the reads, the two earlier views of the log itself, the new reads
    # The same whatever the number of reads; the log itself is 4 (count, summary twice, rows) + persons + 1 insert.
    assert len(many) == len(few) <= 18, "\n".join(q["sql"][:150] for q in many.captured_queries)


def test_who_has_accessed_my_data_as_csv_and_pdf_is_exported_and_logged(client, service, lead, colleague, logged_reads):
    first, _second = logged_reads
    client.force_login(lead)
    response = client.get(reverse("privacy:access_log_person_csv", args=[service.slug, first.person_id]))
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))
    assert len(rows[0]) == 6  # the header: time, staff member, role, service, what was read, reason
    body = rows[1:]
    assert [row[0] for row in body] == ["2026-11-02 10:00", "2026-11-03 22:00"]
    assert body[1][1] == colleague.get_full_name()
    assert body[1][3] == service.name
    assert body[1][5] == "Vakt"
    assert all(row[4] for row in body)  # what was read, in words

    pdf = client.get(reverse("privacy:access_log_person_pdf", args=[service.slug, first.person_id]))
    assert pdf.content.startswith(b"%PDF")
    exports = AuditEvent.objects.filter(action="access_log.person_exported", person_id=first.person_id)
    assert exports.count() == 2
    assert set(exports.values_list("kind", flat=True)) == {AuditEvent.Kind.EXPORT}


def test_the_data_subject_export_holds_everything_about_the_person_and_is_logged(client, service, lead, logged_reads):
    from counselling.attendance.models import Attendance, NeedsAssessment
    from referrals.models import Guardian

    first, _second = logged_reads
    Guardian.objects.create(referral=first, name="Kari Nordmann", relation="mor")
    meeting = MeetingFactory(referral=first, status="held")
    attendance = Attendance.objects.create(
        meeting=meeting, outcome="attended", person_present=True, consent=True, recorded_by=lead
    )
    NeedsAssessment.objects.create(attendance=attendance, needs=["housing"], confidential_note="Sover hos venner.")
    client.force_login(lead)
    response = client.get(reverse("privacy:person_data_json", args=[service.slug, first.person_id]))
    data = json.loads(response.content)
    assert data["person"]["national_id"] == first.person.national_id
    (case,) = data["referrals"]
    assert case["guardians"][0]["name"] == "Kari Nordmann"
    assert case["meetings"][0]["attendance"]["assessment"]["confidential_note"] == "Sover hos venner."
    assert len(data["access_log"]) == 2
    pdf = client.get(reverse("privacy:person_data_pdf", args=[service.slug, first.person_id]))
    assert pdf.content.startswith(b"%PDF")
    assert AuditEvent.objects.filter(action="data_export.exported", person_id=first.person_id).count() == 2
