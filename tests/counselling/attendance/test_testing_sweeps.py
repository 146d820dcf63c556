"""The drug-testing sweeps, as beat runs them every hour: a planned test whose day is over without an outcome is
flagged, once however often the sweep runs; a programme whose last day has passed is ended with its report to the
police, once, unless a test still waits for its outcome, and those waiting never keep the others from ending.

Every test fixes the clock (the suite also runs with it moved): Monday 4 January 2027 at 09:00 unless it moves.
"""

import datetime
import zoneinfo

import pytest
import time_machine

from counselling.attendance import tasks, testing_sweeps
from counselling.attendance.models import DrugTestKind, DrugTestStatus, PoliceReport, ProgrammeStatus
from counselling.attendance.services.testing import OutcomeDetails, drug_test_cancel, drug_test_outcome_record
from counselling.attendance.testing_sweeps import drug_test_flags_raise, programmes_end_due
from counselling.scheduling.models import Flag
from portal.models import StaffMembership
from referrals.models import ReferralStatus
from tests.factories import DrugTestFactory, ReferralFactory, TestingProgrammeFactory

OSLO = zoneinfo.ZoneInfo("Europe/Oslo")
NOW = datetime.datetime(2027, 1, 4, 9, 0, tzinfo=OSLO)  # a Monday morning
TODAY = NOW.date()
MONDAY, TUESDAY, WEDNESDAY, THURSDAY = (datetime.date(2027, 1, 11) + datetime.timedelta(days=n) for n in range(4))
FLAG = "test_outcome_not_recorded"


def at(day: datetime.date, hour: int = 10, minute: int = 0) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(hour, minute), OSLO)


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


def programme_of(service, *, starts_on=MONDAY, ends_on=datetime.date(2027, 2, 5), status="assigned", **kwargs):
    return TestingProgrammeFactory(
        referral=ReferralFactory(service=service, status=status), starts_on=starts_on, ends_on=ends_on, **kwargs
    )


def record(test, actor, outcome="no_show", **fields):
    return drug_test_outcome_record(
        actor=actor,
        actor_membership=StaffMembership.objects.get(user=actor, service=test.programme.referral.service),
        test=test,
        details=OutcomeDetails(outcome=outcome, **fields),
    )


# Tests left without an outcome.


def test_each_planned_test_of_a_past_day_is_flagged_once_however_often_the_sweep_runs(service, colleague, clock):
    programme, other = programme_of(service), programme_of(service)
    past = DrugTestFactory(programme=programme, day=TUESDAY)
    past_announced = DrugTestFactory(
        programme=other,
        kind=DrugTestKind.ANNOUNCED,
        day=TUESDAY,
        starts_at=at(TUESDAY, 10),
        ends_at=at(TUESDAY, 10, 15),
        collector=colleague,
    )
    DrugTestFactory(programme=programme, day=MONDAY, status=DrugTestStatus.RECORDED, outcome="no_show")
    DrugTestFactory(programme=programme, day=MONDAY, status=DrugTestStatus.CANCELLED)
    DrugTestFactory(programme=other, day=MONDAY, status=DrugTestStatus.SUGGESTED, starts_at=None, ends_at=None)
    today = DrugTestFactory(programme=programme, day=WEDNESDAY)

    clock.move_to(at(WEDNESDAY, 9))
    assert drug_test_flags_raise() == 2
    assert drug_test_flags_raise() == 0
    assert tasks.testing_sweep() == 0  # the task runs the same sweeps
    flags = Flag.objects.filter(kind=FLAG)
    assert {(flag.about, flag.referral_id) for flag in flags} == {
        (f"drugtest:{past.pk}", programme.referral_id),
        (f"drugtest:{past_announced.pk}", other.referral_id),
    }
    assert all(flag.resolved_at is None for flag in flags)
    for case in (programme.referral, other.referral):
        raised = [event.description for event in case.events.filter(kind="flag.raised")]
        assert raised == ["Flag raised: Drug test: no outcome recorded by the end of the day."]

    # Today's test is flagged once its day is over, and only then.
    clock.move_to(at(WEDNESDAY, 23, 59))
    assert drug_test_flags_raise() == 0
    clock.move_to(at(THURSDAY, 0, 5))
    assert drug_test_flags_raise() == 1
    assert Flag.objects.get(kind=FLAG, about=f"drugtest:{today.pk}").referral == programme.referral
    assert drug_test_flags_raise(today=THURSDAY + datetime.timedelta(days=7)) == 0
    assert Flag.objects.filter(kind=FLAG).count() == 3


def test_a_flag_resolved_by_the_outcome_or_a_cancellation_is_not_raised_again(service, colleague, clock):
    programme = programme_of(service)
    missed = DrugTestFactory(programme=programme, day=MONDAY)
    moved = DrugTestFactory(programme=programme, day=TUESDAY)
    clock.move_to(at(WEDNESDAY, 9))
    assert drug_test_flags_raise() == 2
    record(missed, colleague, outcome_at=at(MONDAY, 15, 30))
    drug_test_cancel(actor=colleague, test=moved, reason="Personen var innlagt; politiet er varslet.")
    assert Flag.objects.filter(kind=FLAG, resolved_at__isnull=True).count() == 0
    for _ in range(3):
        assert drug_test_flags_raise() == 0
    assert Flag.objects.filter(kind=FLAG).count() == 2


# Programmes whose period is over.


def test_a_programme_whose_last_day_has_passed_is_ended_once_with_its_report(service, colleague, clock):
    due = programme_of(
        service, starts_on=datetime.date(2026, 12, 1), ends_on=datetime.date(2027, 1, 3), planned_tests=1
    )
    DrugTestFactory(
        programme=due,
        day=datetime.date(2026, 12, 2),
        status=DrugTestStatus.RECORDED,
        outcome="taken",
        sample_number="1",
    )
    ends_today = programme_of(service, starts_on=datetime.date(2026, 12, 1), ends_on=TODAY)
    later = programme_of(service)

    assert programmes_end_due() == 1
    assert programmes_end_due() == 0
    assert tasks.testing_sweep() == 0
    due.refresh_from_db()
    assert (due.status, due.ended_at) == (ProgrammeStatus.ENDED, NOW)
    report = PoliceReport.objects.get()
    assert (report.kind, report.programme, report.created_by) == ("testing_end", due, None)
    assert report.testing_summary["taken"] == 1
    assert not Flag.objects.filter(kind="programme_short_of_tests").exists()  # every planned test was held
    assert "Drug testing ended." in [event.description for event in due.referral.events.filter(actor=None)]
    for running in (ends_today, later):
        running.refresh_from_db()
        assert running.status == ProgrammeStatus.RUNNING

    # The day after its last day, the next one ends.
    clock.move_to(at(TODAY + datetime.timedelta(days=1), 0, 30))
    assert programmes_end_due() == 1
    assert PoliceReport.objects.filter(kind="testing_end").count() == 2
    assert Flag.objects.filter(kind="programme_short_of_tests", about=f"programme:{ends_today.pk}").exists()
    later.refresh_from_db()
    assert later.status == ProgrammeStatus.RUNNING


def test_the_sweep_closes_a_case_whose_conversation_was_held_while_the_testing_ran(service):
    held = programme_of(
        service,
        starts_on=datetime.date(2026, 12, 1),
        ends_on=datetime.date(2027, 1, 3),
        status=ReferralStatus.ATTENDED,
    )
    not_yet = programme_of(service, starts_on=datetime.date(2026, 12, 1), ends_on=datetime.date(2027, 1, 3))
    assert programmes_end_due() == 2
    held.referral.refresh_from_db()
    not_yet.referral.refresh_from_db()
    assert held.referral.status == ReferralStatus.CLOSED
    assert not_yet.referral.status == ReferralStatus.ASSIGNED  # the conversation is still a condition


def test_a_due_programme_with_a_test_left_without_an_outcome_waits_for_it(service, colleague):
    programme = programme_of(service, starts_on=datetime.date(2026, 12, 1), ends_on=datetime.date(2027, 1, 3))
    waiting = DrugTestFactory(programme=programme, day=datetime.date(2026, 12, 30))
    assert programmes_end_due() == 0
    assert drug_test_flags_raise() == 1
    assert tasks.testing_sweep() == 0
    programme.refresh_from_db()
    assert programme.status == ProgrammeStatus.RUNNING
    assert not PoliceReport.objects.exists()

    record(waiting, colleague, outcome_at=at(datetime.date(2026, 12, 30), 15, 30))
    assert tasks.testing_sweep() == 1
    programme.refresh_from_db()
    assert programme.status == ProgrammeStatus.ENDED
    assert PoliceReport.objects.get().testing_summary["no_shows"] == ["2026-12-30"]


def test_programmes_waiting_for_an_outcome_never_keep_the_others_from_ending(service, monkeypatch):
    """The batch is taken in the order the periods ended: a batch's worth of programmes that wait for an outcome,
    all ended earlier, must not fill it for ever."""
    monkeypatch.setattr(testing_sweeps, "BATCH", 2)
    for day in (20, 21, 22):
        waiting = programme_of(service, starts_on=datetime.date(2026, 12, 1), ends_on=datetime.date(2026, 12, day))
        DrugTestFactory(programme=waiting, day=datetime.date(2026, 12, day))
    due = programme_of(service, starts_on=datetime.date(2026, 12, 1), ends_on=datetime.date(2027, 1, 3))
    assert programmes_end_due() == 1
    due.refresh_from_db()
    assert due.status == ProgrammeStatus.ENDED
    assert PoliceReport.objects.get().programme == due
