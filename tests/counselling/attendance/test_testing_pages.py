"""The drug-testing pages: registering the programme from the case page, planning call-ins and announced tests,
recording outcomes, and what the pages show and hide."""

import datetime
import io
import zoneinfo

import pytest
import time_machine
from django.urls import reverse
from pypdf import PdfReader

from counselling.attendance.models import (
    CallInMessage,
    DrugTest,
    DrugTestOutcome,
    DrugTestStatus,
    LabResultShared,
    PoliceReport,
    TestingProgramme,
)
from portal.models import AuditEvent
from referrals.services import referral_assign
from tests.factories import (
    DrugTestFactory,
    OpeningHoursFactory,
    SampleTypeFactory,
    TestingProgrammeFactory,
)

OSLO = zoneinfo.ZoneInfo("Europe/Oslo")
# A Monday morning in an ordinary week.
MONDAY = datetime.datetime(2027, 1, 11, 9, 0, tzinfo=OSLO)


def url(name, service, **kwargs):
    return reverse(f"attendance:{name}", kwargs={"service_slug": service.slug, **kwargs})


@pytest.fixture
def clock():
    with time_machine.travel(MONDAY, tick=False) as traveller:
        yield traveller


@pytest.fixture
def case(clock, service, lead, counsellor, referral, location):
    referral.person.phone = "+4791234567"
    referral.person.save()
    referral_assign(actor=lead, referral=referral, counsellor=counsellor)
    for weekday in range(5):
        OpeningHoursFactory(service=service, counsellor=counsellor, location=location, weekday=weekday)
    return referral


@pytest.fixture
def programme(case):
    return TestingProgrammeFactory(
        referral=case, starts_on=datetime.date(2027, 1, 12), ends_on=datetime.date(2027, 2, 12), planned_tests=4
    )


def test_a_counsellor_registers_drug_testing_from_the_case_page(client, service, counsellor, case):
    client.force_login(counsellor)
    page = client.get(reverse("referrals:detail", kwargs={"service_slug": service.slug, "referral_pk": case.pk}))
    assert url("programme_register", service, referral_pk=case.pk) in page.content.decode()
    response = client.post(
        url("programme_register", service, referral_pk=case.pk),
        {
            "starts_on": "2027-01-12",
            "ends_on": "2027-04-12",
            "planned_tests": "6",
            "announced": "on",
            "unannounced": "on",
            "sample_type": SampleTypeFactory(name="Urin").pk,
            "conversation_required": "on",
            "requester": "Oslo politidistrikt, påtaleenheten",
            "police_district": "oslo",
            "prosecution_reference": "PÅT-2027-1",
            "reporting_rule": "each_breach",
            "call_in_by": "15:00",
        },
    )
    programme = TestingProgramme.objects.get(referral=case)
    assert response.status_code == 302
    assert response.url == url("programme", service, programme_pk=programme.pk)
    assert (programme.planned_tests, programme.reporting_rule) == (6, "each_breach")
    page = client.get(response.url)
    assert "PÅT-2027-1" in page.content.decode()


def test_a_bad_programme_is_refused_with_the_reason_beside_the_field_and_nothing_saved(
    client, service, counsellor, case
):
    client.force_login(counsellor)
    response = client.post(
        url("programme_register", service, referral_pk=case.pk),
        {
            "starts_on": "2027-03-12",
            "ends_on": "2027-01-12",
            "planned_tests": "6",
            "sample_type": SampleTypeFactory(name="Urin").pk,
            "requester": "Oslo politidistrikt",
            "police_district": "oslo",
            "prosecution_reference": "P-1",
            "reporting_rule": "at_end",
            "call_in_by": "15:00",
        },
    )
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert "ends_on" in errors and "announced" in errors
    assert not TestingProgramme.objects.exists()


def test_suggested_call_ins_are_confirmed_and_wait_for_the_morning_of_their_day(client, service, counsellor, programme):
    client.force_login(counsellor)
    client.post(url("call_ins_suggest", service, programme_pk=programme.pk), {"count": "3"})
    suggested = list(DrugTest.objects.filter(programme=programme, status=DrugTestStatus.SUGGESTED))
    assert len(suggested) == 3
    page = client.get(url("programme", service, programme_pk=programme.pk)).content.decode()
    assert page.count(url("call_in_confirm", service, test_pk=suggested[0].pk)) == 1
    client.post(url("call_ins_confirm", service, programme_pk=programme.pk))
    assert DrugTest.objects.filter(programme=programme, status=DrugTestStatus.PLANNED).count() == 3
    messages = CallInMessage.objects.filter(test__programme=programme)
    assert {m.due_at.astimezone(OSLO).time() for m in messages} == {datetime.time(8, 0)}


def test_an_announced_test_is_booked_with_another_collector_than_the_own_counsellor(
    client, service, counsellor, colleague, programme, location
):
    client.force_login(counsellor)
    page = client.get(url("announced_book", service, programme_pk=programme.pk))
    assert page.status_code == 200
    form = {"starts_at": "2027-01-14T10:00", "location": location.pk, "collector": counsellor.pk}
    refused = client.post(url("announced_book", service, programme_pk=programme.pk), form)
    assert "collector" in refused.context["form"].errors
    OpeningHoursFactory(service=service, counsellor=colleague, location=location, weekday=3)
    booked = client.post(url("announced_book", service, programme_pk=programme.pk), {**form, "collector": colleague.pk})
    assert booked.status_code == 302
    test = DrugTest.objects.get(programme=programme)
    assert (test.kind, test.collector, test.status) == ("announced", colleague, DrugTestStatus.PLANNED)
    assert booked.url == url("drug_test", service, test_pk=test.pk)
    # Its letter, to post or hand over: the time, the place and what to bring.
    letter = client.get(url("announced_letter", service, test_pk=test.pk))
    assert letter.status_code == 200 and letter["Content-Type"] == "application/pdf"
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(letter.content)).pages)
    assert "Innkalling til rusmiddelprøve" in text and "kl. 10:00" in text and "legitimasjon" in text
    assert AuditEvent.objects.filter(action="testing.letter_downloaded", actor=counsellor).count() == 1


def test_the_outcome_form_appears_on_the_day_and_a_taken_sample_gives_a_requisition(
    client, clock, service, counsellor, colleague, programme
):
    test = DrugTestFactory(programme=programme, day=datetime.date(2027, 1, 12))
    client.force_login(counsellor)
    before = client.get(url("drug_test", service, test_pk=test.pk))
    assert before.context["refusal"] and b'data-testid="outcome-form"' not in before.content
    # On the day, whoever is on duty opens the test without stating a reason, and takes the sample.
    clock.move_to(datetime.datetime(2027, 1, 12, 11, 0, tzinfo=OSLO))
    client.force_login(colleague)
    response = client.post(
        url("drug_test", service, test_pk=test.pk),
        {
            "outcome": "taken",
            "collector": colleague.pk,
            "identity_checked": "on",
            "sampling_observed": "on",
            "sample_sealed": "on",
            "sample_number": "RK-0042",
        },
    )
    assert response.status_code == 302
    test.refresh_from_db()
    assert (test.outcome, test.sample_number, test.collector) == (DrugTestOutcome.TAKEN, "RK-0042", colleague)
    pdf = client.get(url("requisition", service, test_pk=test.pk))
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    assert AuditEvent.objects.filter(action="testing.requisition_downloaded").count() == 1


def test_the_own_counsellor_is_refused_as_collector_unless_a_lead_allows_it_with_a_reason(
    client, clock, service, counsellor, lead, programme
):
    test = DrugTestFactory(programme=programme, day=datetime.date(2027, 1, 12))
    clock.move_to(datetime.datetime(2027, 1, 12, 11, 0, tzinfo=OSLO))
    taken = {
        "outcome": "taken",
        "collector": counsellor.pk,
        "identity_checked": "on",
        "sampling_observed": "on",
        "sample_sealed": "on",
        "sample_number": "RK-1",
    }
    client.force_login(counsellor)
    refused = client.post(url("drug_test", service, test_pk=test.pk), taken)
    assert "collector" in refused.context["form"].errors
    client.force_login(lead)
    no_reason = client.post(url("drug_test", service, test_pk=test.pk), taken)
    assert "override_reason" in no_reason.context["form"].errors
    allowed = client.post(
        url("drug_test", service, test_pk=test.pk), {**taken, "override_reason": "Alene på kontoret."}
    )
    assert allowed.status_code == 302
    test.refresh_from_db()
    assert (test.collector_override_reason, test.collector_override_by) == ("Alene på kontoret.", lead)


def test_a_result_the_police_shared_is_shown_only_to_the_counsellor_and_lead_and_every_read_is_logged(
    client, clock, service, counsellor, colleague, lead, programme
):
    test = DrugTestFactory(
        programme=programme,
        day=datetime.date(2027, 1, 8),
        status=DrugTestStatus.RECORDED,
        outcome=DrugTestOutcome.TAKEN,
        sample_number="RK-7",
        collector=colleague,
    )
    client.force_login(lead)
    client.post(url("lab_result", service, test_pk=test.pk), {"result": "Negativ", "shared_on": "2027-01-11"})
    assert LabResultShared.objects.get(test=test).result == "Negativ"
    client.force_login(colleague)
    hidden = client.get(url("drug_test", service, test_pk=test.pk))
    assert hidden.status_code == 200 and hidden.context["lab_result_hidden"]
    assert b"Negativ" not in hidden.content
    client.force_login(counsellor)
    shown = client.get(url("drug_test", service, test_pk=test.pk))
    assert b"Negativ" in shown.content
    assert AuditEvent.objects.filter(action="testing.lab_result_viewed", actor=counsellor).count() == 1


def test_a_lead_ends_the_programme_and_its_report_is_in_the_police_report_list(client, clock, service, lead, programme):
    client.force_login(lead)
    client.post(url("programme_end", service, programme_pk=programme.pk))
    report = PoliceReport.objects.get(programme=programme, kind="testing_end")
    listing = client.get(url("police_reports", service)).content.decode()
    assert url("police_report_pdf", service, report_pk=report.pk) in listing


def test_a_counsellor_may_not_end_the_programme(client, service, counsellor, programme):
    client.force_login(counsellor)
    assert client.post(url("programme_end", service, programme_pk=programme.pk)).status_code == 403
    programme.refresh_from_db()
    assert programme.is_running


def test_another_services_programme_and_test_are_not_found(client, stranger, programme):
    test = DrugTestFactory(programme=programme)
    client.force_login(stranger)
    service = stranger.memberships.first().service
    assert client.get(url("programme", service, programme_pk=programme.pk)).status_code == 404
    assert client.get(url("drug_test", service, test_pk=test.pk)).status_code == 404


def test_a_case_with_drug_testing_only_waits_for_the_testing_not_for_a_meeting(
    client, clock, service, counsellor, case
):
    from counselling.scheduling.models import Flag
    from counselling.scheduling.services.flags import flags_raise

    programme = TestingProgrammeFactory(referral=case, conversation_required=False)
    client.force_login(counsellor)
    page = client.get(reverse("referrals:detail", kwargs={"service_slug": service.slug, "referral_pk": case.pk}))
    assert page.context["next_action"] == "testing" and not page.context["can_book"]
    assert url("programme", service, programme_pk=programme.pk) in page.content.decode()
    # Its attendance deadline passing raises no "deadline passed" flag: there is no meeting to hold.
    clock.move_to(
        datetime.datetime.combine(case.attendance_deadline, datetime.time(9), OSLO) + datetime.timedelta(days=2)
    )
    flags_raise()
    assert not Flag.objects.filter(referral=case, kind="deadline_passed").exists()


def test_the_calendar_and_dashboard_show_the_days_drug_tests(client, clock, service, colleague, programme, location):
    test = DrugTestFactory(
        programme=programme,
        kind="announced",
        day=datetime.date(2027, 1, 11),
        starts_at=datetime.datetime(2027, 1, 11, 13, 0, tzinfo=OSLO),
        ends_at=datetime.datetime(2027, 1, 11, 13, 15, tzinfo=OSLO),
        collector=colleague,
        location=location,
    )
    client.force_login(colleague)
    dashboard = client.get(reverse("scheduling:dashboard", kwargs={"service_slug": service.slug}))
    assert [t.pk for t in dashboard.context["tests_today"]] == [test.pk]
    calendar = client.get(
        reverse("scheduling:calendar", kwargs={"service_slug": service.slug}), {"view": "week", "date": "2027-01-11"}
    )
    assert url("drug_test", service, test_pk=test.pk) in calendar.content.decode()
