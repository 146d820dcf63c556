"""Retention: what has passed its period is anonymised, once; what is open, appealed or held is never touched."""

import datetime

import pytest
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.db import transaction
from django.utils import timezone

from counselling.attendance.models import (
    Attendance,
    CallInMessage,
    DrugTest,
    LabResultShared,
    NeedsAssessment,
    PoliceReport,
    TestingProgramme,
)
from counselling.attendance.services.testing_reports import breach_report_make, end_report_make
from fees.models import FeeCaseStatus
from portal.models import AuditEvent
from privacy.models import RecordType, RetentionRule
from privacy.retention import ANONYMISED, legal_hold_set, retention_sweep
from referrals.models import Guardian, Person, Referral, ReferralEvent, ReferralStatus
from tests.factories import (
    DrugTestFactory,
    LetterFactory,
    MeetingFactory,
    PoliceReportFactory,
    ReferralFactory,
    TestingProgrammeFactory,
)
from tests.fees.factories import FeeCaseFactory

YEARS_5 = 5 * 365


def _age(referral, days: int) -> Referral:
    """Make the case look as if its last event (and registration) was `days` ago."""
    when = timezone.now() - datetime.timedelta(days=days)
    Referral.objects.filter(pk=referral.pk).update(created_at=when)
    ReferralEvent.objects.filter(referral=referral).update(occurred_at=when)
    return referral


def _closed_case(service, *, days: int, **kwargs) -> Referral:
    referral = ReferralFactory(service=service, status=ReferralStatus.CLOSED, **kwargs)
    Guardian.objects.create(referral=referral, name="Kari Nordmann", relation="mor", phone="+4791234567")
    meeting = MeetingFactory(
        referral=referral, status="held", starts_at=timezone.now() - datetime.timedelta(days=days, hours=1)
    )
    attendance = Attendance.objects.create(
        meeting=meeting, outcome="attended", person_present=True, consent=True, recorded_by=meeting.counsellor
    )
    NeedsAssessment.objects.create(attendance=attendance, needs=["housing"], confidential_note="Sover hos venner.")
    LetterFactory(meeting=meeting)
    ReferralEvent.objects.create(
        referral=referral, kind="meeting.cancelled", message="Reason: %(reason)s", params={"reason": "Ola er syk"}
    )
    return _age(referral, days)


@pytest.fixture
def rules(service):
    RetentionRule.objects.create(service=service, record_type=RecordType.CLOSED_CASE, retention_days=YEARS_5)
    RetentionRule.objects.create(service=service, record_type=RecordType.LETTERS, retention_days=YEARS_5)


def _snapshot():
    """Everything the sweep may change, to prove a second run changes nothing."""
    return (
        list(Person.objects.order_by("pk").values()),
        list(Guardian.objects.order_by("pk").values()),
        list(NeedsAssessment.objects.order_by("pk").values()),
        list(Referral.objects.order_by("pk").values()),
        list(ReferralEvent.objects.order_by("pk").values("pk", "params", "kind")),
    )


def test_the_sweep_run_twice_anonymises_exactly_the_expired_cases_and_leaves_appealed_fee_cases(
    service, rules, django_capture_on_commit_callbacks
):
    expired = _closed_case(service, days=YEARS_5 + 10)
    recent = _closed_case(service, days=YEARS_5 - 10)
    expired_letter = expired.meetings.get().letters.get()
    # An old no-show whose fee is under appeal: the case and its person stay as they are.
    appealed = FeeCaseFactory(referral__service=service, referral__status=ReferralStatus.MISSED)
    appealed.status = FeeCaseStatus.APPEALED
    appealed.appeal_grounds = "Jeg var på sykehuset."
    appealed.save()
    _age(appealed.referral, YEARS_5 + 100)
    # An expired open case (still waiting for a meeting) is not concluded: kept.
    waiting = _age(ReferralFactory(service=service, status=ReferralStatus.ASSIGNED), YEARS_5 + 100)
    kept_names = {r.pk: r.person.full_name for r in (recent, appealed.referral, waiting)}

    with django_capture_on_commit_callbacks(execute=True):
        first = retention_sweep()

    assert first.referral_ids == [expired.pk]
    person = Person.objects.get(pk=expired.person_id)
    assert person.full_name == ANONYMISED
    assert person.national_id == f"X{person.pk:010d}"
    assert (person.phone, person.email, person.street_address) == ("", "", "")
    assert person.date_of_birth.month == person.date_of_birth.day == 1
    assert Guardian.objects.get(referral=expired).name == ANONYMISED
    assert Guardian.objects.get(referral=expired).phone == ""
    assessment = NeedsAssessment.objects.get(attendance__meeting__referral=expired)
    assert (assessment.confidential_note, assessment.needs) == ("", [])
    assert ReferralEvent.objects.get(referral=expired, kind="meeting.cancelled").params == {"reason": ANONYMISED}
    assert not default_storage.exists(expired_letter.pdf.name)
    # The counts stay: the referral row, its status, dates and the meeting.
    expired.refresh_from_db()
    assert (expired.status, expired.incident_date, expired.meetings.count()) == (
        ReferralStatus.CLOSED,
        datetime.date(2026, 9, 1),
        1,
    )

    for referral in Referral.objects.filter(pk__in=kept_names):
        assert referral.person.full_name == kept_names[referral.pk]
    assert Guardian.objects.get(referral=recent).name == "Kari Nordmann"
    assert NeedsAssessment.objects.get(attendance__meeting__referral=recent).confidential_note == "Sover hos venner."
    assert default_storage.exists(recent.meetings.get().letters.get().pdf.name)
    appealed.refresh_from_db()
    assert appealed.appeal_grounds == "Jeg var på sykehuset."

    before = _snapshot()
    with django_capture_on_commit_callbacks(execute=True):
        second = retention_sweep()
    assert _snapshot() == before
    assert second.total == 0
    log = AuditEvent.objects.filter(action="retention.swept").order_by("id")
    assert [event.extra["counts"]["persons"] for event in log] == [1, 0]


def test_a_final_fee_lowered_on_appeal_is_still_to_collect_and_its_case_is_kept(service, rules):
    lowered = FeeCaseFactory(
        referral__service=service,
        referral__status=ReferralStatus.MISSED,
        status=FeeCaseStatus.FINAL,
        outcome="imposed",
        decided_amount=2690,
        appeal_outcome="partly_allowed",
        appeal_amount=1345,
    )
    name = lowered.referral.person.full_name
    _age(lowered.referral, YEARS_5 + 100)
    assert retention_sweep().referral_ids == []
    lowered.referral.person.refresh_from_db()
    assert lowered.referral.person.full_name == name


def test_a_person_with_another_case_still_running_keeps_their_identity(service, rules):
    expired = _closed_case(service, days=YEARS_5 + 10)
    ReferralFactory(service=service, person=expired.person)
    retention_sweep()
    assert Person.objects.get(pk=expired.person_id).national_id == expired.person.national_id
    assert Guardian.objects.get(referral=expired).name == ANONYMISED


def test_another_services_running_case_does_not_hold_back_this_services_retention(service, other_service, rules):
    """Each service is the controller of its own record: the same national ID in a running case elsewhere neither
    keeps this service's record nor is touched by its sweep."""
    expired = _closed_case(service, days=YEARS_5 + 10)
    elsewhere = ReferralFactory(
        service=other_service,
        person__national_id=expired.person.national_id,
        person__first_name=expired.person.first_name,
        person__last_name=expired.person.last_name,
    )
    retention_sweep()
    assert Person.objects.get(pk=expired.person_id).full_name == ANONYMISED
    kept = Person.objects.get(pk=elsewhere.person_id)
    assert (kept.national_id, kept.full_name) == (expired.person.national_id, expired.person.full_name)


def test_a_case_under_legal_hold_is_never_touched(service, rules, lead):
    referral = _closed_case(service, days=YEARS_5 + 10)
    legal_hold_set(actor=lead, referral=referral, hold=True, reason="Klagesak hos Statsforvalteren")
    _age(referral, YEARS_5 + 10)
    assert retention_sweep().referral_ids == []
    assert Person.objects.get(pk=referral.person_id).full_name == referral.person.full_name
    referral.refresh_from_db()
    assert referral.legal_hold_by == lead


def test_without_a_rule_nothing_is_anonymised(service):
    referral = _closed_case(service, days=20 * 365)
    assert retention_sweep().total == 0
    assert Person.objects.get(pk=referral.person_id).full_name == referral.person.full_name


def test_dry_run_command_shows_what_would_go_and_changes_nothing(service, rules, capsys):
    referral = _closed_case(service, days=YEARS_5 + 10)
    PoliceReportFactory(meeting=referral.meetings.get())
    call_command("retention", "--dry-run")
    out = capsys.readouterr().out
    assert "persons: 1 would change" in out
    assert "letter_files: 2 would change" in out
    assert "DRY RUN" in out
    assert Person.objects.get(pk=referral.person_id).full_name == referral.person.full_name
    assert not AuditEvent.objects.filter(action="retention.swept").exists()

    call_command("retention")
    assert Person.objects.get(pk=referral.person_id).full_name == ANONYMISED
    assert AuditEvent.objects.filter(action="retention.swept").count() == 1


def test_the_daily_sweep_is_installed_by_setup_schedules(db):
    from django_celery_beat.models import PeriodicTask

    call_command("setup_schedules")
    assert PeriodicTask.objects.filter(task="portal.retention_sweep").exists()


def test_each_service_sweeps_its_own_cases_by_its_own_rules(service, other_service, rules):
    """Oslo keeps closed cases five years; Bergen has set no period, so keeps its own, however old."""
    oslo = _closed_case(service, days=YEARS_5 + 10)
    bergen = _closed_case(other_service, days=YEARS_5 + 10)
    result = retention_sweep()
    assert result.referral_ids == [oslo.pk]
    assert Person.objects.get(pk=oslo.person_id).full_name == ANONYMISED
    assert Person.objects.get(pk=bergen.person_id).full_name == bergen.person.full_name
    assert [(e.service_id, e.extra["referrals"]) for e in AuditEvent.objects.filter(action="retention.swept")] == [
        (service.pk, [oslo.pk])
    ]

    RetentionRule.objects.create(service=other_service, record_type=RecordType.CLOSED_CASE, retention_days=YEARS_5 * 2)
    assert retention_sweep().referral_ids == [oslo.pk]  # already anonymised: counted again, changed no more
    RetentionRule.objects.filter(service=other_service).update(retention_days=YEARS_5)
    assert sorted(retention_sweep().referral_ids) == sorted([oslo.pk, bergen.pk])
    assert Person.objects.get(pk=bergen.person_id).full_name == ANONYMISED


def test_a_sweep_that_rolls_back_keeps_the_documents_it_would_have_deleted(service, rules):
    """The documents are rows in the database (portal.storage): deleted in the sweep's transaction, kept with it."""
    from django.db import transaction

    from portal.models import Document

    expired = _closed_case(service, days=YEARS_5 + 10)
    name = expired.meetings.get().letters.get().pdf.name
    with pytest.raises(RuntimeError), transaction.atomic():
        retention_sweep()
        assert not Document.objects.filter(name=name).exists()
        raise RuntimeError("the sweep failed after deleting")
    assert Document.objects.filter(name=name).exists()
    retention_sweep()
    assert not Document.objects.filter(name=name).exists()


def _case_with_drug_testing(service, counsellor, lead, *, days: int) -> Referral:
    """A closed case whose drug-testing programme ran its course: a sample taken by the person's own counsellor
    (allowed, with a reason) and its result shared by the police, a no-show reported as a breach, a valid absence,
    a cancelled test, the messages about them, and the end report to the police."""
    referral = ReferralFactory(
        service=service,
        status=ReferralStatus.CLOSED,
        assigned_counsellor=counsellor,
        person__first_name="Sindre",
        person__last_name="Nordbakken",
        person__phone="+4791234567",
        person__email="sindre@example.org",
    )
    first = timezone.localdate() - datetime.timedelta(days=days + 40)
    programme = TestingProgrammeFactory(
        referral=referral,
        starts_on=first,
        ends_on=first + datetime.timedelta(days=27),
        planned_tests=4,
        reporting_rule="each_breach",
        prosecution_reference="PÅT-2021-77",
    )

    def on(day: int, **fields) -> DrugTest:
        test_day = first + datetime.timedelta(days=day)
        recorded = {"status": "recorded", "recorded_by": counsellor, "recorded_at": timezone.now()}
        return DrugTestFactory(programme=programme, day=test_day, **(recorded if "outcome" in fields else {}), **fields)

    taken = on(
        1,
        outcome="taken",
        collector=counsellor,
        identity_checked=True,
        sampling_observed=True,
        sample_sealed=True,
        sample_number="LAB-4711",
        collector_override_reason="Sindre ville bare ta prøven hos sin egen rådgiver",
        collector_override_by=lead,
    )
    no_show = on(8, outcome="no_show")
    on(15, outcome="valid_absence", outcome_note="Sindre lå på sykehuset")
    on(22, status="cancelled", cancel_reason="Sindre var syk")
    for test in (taken, no_show):
        for channel, address in (("sms", "+4791234567"), ("email", "sindre@example.org")):
            CallInMessage.objects.create(
                test=test,
                purpose="call_in",
                channel=channel,
                address=address,
                due_at=test.starts_at,
                state="failed" if channel == "sms" else "sent",
                last_error="Could not reach +4791234567" if channel == "sms" else "",
            )
    LabResultShared.objects.create(
        test=taken, result="Positiv for THC", shared_on=taken.day + datetime.timedelta(days=7), recorded_by=lead
    )
    with transaction.atomic():
        breach_report_make(actor=lead, test=no_show)
        TestingProgramme.objects.filter(pk=programme.pk).update(status="ended", ended_at=timezone.now())
        end_report_make(actor=lead, programme=programme)
    return _age(referral, days)


def test_a_case_with_a_full_drug_testing_programme_is_swept_and_keeps_none_of_the_persons_data(
    service, rules, counsellor, lead, django_capture_on_commit_callbacks
):
    referral = _case_with_drug_testing(service, counsellor, lead, days=YEARS_5 + 10)
    person = referral.person
    tables = (TestingProgramme, DrugTest, CallInMessage, LabResultShared, PoliceReport)
    markers = [
        person.first_name,
        person.last_name,
        person.national_id,
        "91234567",
        person.email,
        referral.police_reference,
        "PÅT-2021-77",
        "LAB-4711",
        "sykehuset",
        "syk",
        "THC",
    ]

    def found() -> dict[str, list[str]]:
        rows = {model._meta.label: str(list(model.objects.values())) for model in tables}
        return {label: [marker for marker in markers if marker in text] for label, text in rows.items()}

    reports = list(PoliceReport.objects.filter(referral=referral))
    assert [report.kind for report in sorted(reports, key=lambda report: report.kind)] == [
        "testing_breach",
        "testing_end",
    ]
    assert all(default_storage.exists(report.pdf.name) for report in reports)
    # Every table holds some of the person's data before the sweep.
    assert all(found().values()), found()

    with django_capture_on_commit_callbacks(execute=True):
        result = retention_sweep()

    assert result.referral_ids == [referral.pk]
    assert {label: hits for label, hits in found().items() if hits} == {}
    assert not any(default_storage.exists(report.pdf.name) for report in reports)
    # The facts stay for the counts: the tests, their outcomes and the reports that were sent.
    assert sorted(DrugTest.objects.filter(programme__referral=referral).values_list("outcome", flat=True)) == [
        "",
        "no_show",
        "taken",
        "valid_absence",
    ]
    taken = DrugTest.objects.get(programme__referral=referral, outcome="taken")
    assert (taken.sample_number, taken.collector_override_reason) == (ANONYMISED, ANONYMISED)
    assert LabResultShared.objects.get(test=taken).result == ANONYMISED
    assert PoliceReport.objects.filter(referral=referral).count() == 2
    assert result.counts["lab_results"] == 1
    assert result.counts["test_messages"] == 4

    with django_capture_on_commit_callbacks(execute=True):
        assert retention_sweep().total == 0
