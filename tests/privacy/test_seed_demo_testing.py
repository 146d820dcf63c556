"""The demo shows drug testing under way on one condition case: a sample taken, a no-show, and a call-in for today
(or, when the unit is closed today, for its next working day) whose messages wait to be sent."""

import datetime

import pytest
import time_machine
from django.core.management import call_command

from counselling.attendance.models import CallInMessage, DrugTest, TestingProgramme
from portal.workdays import is_working_day


@pytest.mark.parametrize(
    ("now", "call_in_day"),
    [
        ("2026-06-10T07:30:00+02:00", datetime.date(2026, 6, 10)),  # a Wednesday, before the call-ins are sent
        ("2026-06-13T12:00:00+02:00", datetime.date(2026, 6, 15)),  # a Saturday: the Monday after
    ],
)
def test_the_demo_has_a_drug_testing_programme_under_way(thresholds_2021, court_fee_rates, now, call_in_day):
    with time_machine.travel(datetime.datetime.fromisoformat(now), tick=False):
        call_command("seed_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
        call_command("seed_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    today = datetime.date.fromisoformat(now[:10])

    (programme,) = TestingProgramme.objects.select_related("referral", "sample_type")
    assert (programme.referral.route, programme.referral.person.last_name) == ("condition", "Hassan")
    assert (programme.starts_on, programme.ends_on) == (
        today - datetime.timedelta(days=21),
        today + datetime.timedelta(days=35),
    )
    assert (programme.planned_tests, programme.announced, programme.unannounced) == (6, True, True)
    assert (programme.sample_type.name, programme.status) == ("Urin", "running")

    taken, missed, ahead = DrugTest.objects.filter(programme=programme).order_by("day")
    assert (taken.status, taken.outcome, missed.outcome) == ("recorded", "taken", "no_show")
    assert taken.sample_number and taken.identity_checked and taken.sampling_observed and taken.sample_sealed
    assert taken.collector_id not in (None, programme.referral.assigned_counsellor_id)
    assert all(test.day < today and is_working_day(test.day) for test in (taken, missed))
    assert (ahead.kind, ahead.status, ahead.day) == ("call_in", "planned", call_in_day)
    assert sorted(CallInMessage.objects.filter(test=ahead).values_list("channel", "state")) == [
        ("email", "pending"),
        ("sms", "pending"),
    ]
    assert not CallInMessage.objects.filter(test__in=[taken, missed], state="pending").exists()
