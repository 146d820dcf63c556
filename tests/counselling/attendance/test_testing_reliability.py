"""Call-ins with a real Redis broker, real Celery worker and beat processes, and a real HTTP SMS gateway, as
tests/counselling/scheduling/test_reliability.py proves for reminders: no call-in is sent twice or lost when sweeps
overlap, two beat processes run, a worker is killed mid-batch, or the broker is down while call-ins are confirmed.

The processes, the gateway and the Redis server of the test's own come from that module. They run at the real
time, so the messages are made due now (`due_now`), in a way that holds at any hour of any day.
"""

import datetime
import os
import signal
import time

import pytest
import time_machine
from django.utils import timezone
from django_celery_beat.models import IntervalSchedule, PeriodicTask

from counselling.attendance.models import (
    CallInChannel,
    CallInMessage,
    CallInPurpose,
    CallInState,
    DrugTest,
    DrugTestKind,
    DrugTestStatus,
)
from counselling.attendance.models import TestingProgramme as Programme  # not collected as a test class
from counselling.attendance.services.testing import call_in_confirm
from counselling.attendance.services.testing_messages import drug_test_messages_send_due
from counselling.attendance.tasks import drug_test_messages_send
from portal import sms
from tests.counselling.scheduling import test_reliability as reliability
from tests.counselling.scheduling.test_reliability import PHONE, Processes, wait_until
from tests.factories import DrugTestFactory, StaffMembershipFactory

pytestmark = [
    pytest.mark.redis,
    pytest.mark.postgres,
    pytest.mark.processes,
    pytest.mark.django_db(transaction=True),
]

# The fixtures of the reminders' reliability tests, by name: the SMS gateway, the worker and beat processes, a Redis
# server of the test's own, and the skip without PostgreSQL.
gateway = reliability.gateway
processes = reliability.processes
own_redis = reliability.own_redis
needs_postgres = reliability.needs_postgres

EMAIL = "ola@example.org"

# Why the messages are made as they are. The worker and beat processes run at the real time, whatever hour this
# test runs at; the sweep sends a call-in only on its day and before the programme's time to meet by, and cancels
# it after (rightly: "meet today before 15:00" must never arrive at night or the next day). So:
#
# - a call-in is made for a test today, with the programme's time to meet by at 23:59, due a minute ago: the sweep
#   sends it from 00:00 to 23:58;
# - unless fewer than MARGIN are left before 23:59: a test that takes up to a minute or two, on a slow machine,
#   would see the day end under it, the sweep cancel the call-in and the test fail for no fault of the code. Then
#   the rows are NOTICE messages of an announced test tomorrow at 12:00, due now: claimed and sent by the same sweep,
#   in the same transaction, with the same reference, and wanted for more than twelve hours.
#
# "Today" and "tomorrow" are Oslo dates and times, by date arithmetic: tomorrow from New Year's Eve is 1 January of
# the next year, and 12:00 exists on the nights the clocks change. A call-in made at 00:05 on 1 January is that
# day's. test_due_now_holds_at_any_hour below proves the rule at those instants with the clock fixed.
CALL_IN_BY = datetime.time(23, 59)
MARGIN = datetime.timedelta(minutes=30)
NOTICE_AT = datetime.time(12, 0)


@pytest.fixture(autouse=True)
def at_the_real_time(request):
    if request.config.moved_clock is not None:
        pytest.skip("the worker and beat processes run at the real time, not the moved clock")


def _at(day: datetime.date, time_of_day: datetime.time) -> datetime.datetime:
    return datetime.datetime.combine(day, time_of_day, timezone.get_current_timezone())


def call_ins_would_be_late(now: datetime.datetime) -> bool:
    """A call-in for today, made now, might be swept after 23:59 (or after midnight) while the test still runs."""
    return now + MARGIN >= _at(timezone.localdate(now), CALL_IN_BY)


def due_now(test: DrugTest) -> DrugTest:
    """`test` and its messages moved to now, so the sweep in the processes sends them at once (see above)."""
    now = timezone.now()
    today = timezone.localdate(now)
    Programme.objects.filter(pk=test.programme_id).update(
        call_in_by=CALL_IN_BY, starts_on=min(test.programme.starts_on, today)
    )
    if call_ins_would_be_late(now):
        day = today + datetime.timedelta(days=1)
        starts_at = _at(day, NOTICE_AT)
        changes = {
            "kind": DrugTestKind.ANNOUNCED,
            "starts_at": starts_at,
            "ends_at": starts_at + datetime.timedelta(minutes=15),
        }
        purpose = CallInPurpose.NOTICE
    else:
        day = today
        changes = {"kind": DrugTestKind.CALL_IN, "starts_at": now, "ends_at": _at(today, CALL_IN_BY)}
        purpose = CallInPurpose.CALL_IN
    DrugTest.objects.filter(pk=test.pk).update(day=day, status=DrugTestStatus.PLANNED, **changes)
    CallInMessage.objects.filter(test=test).update(purpose=purpose, due_at=now - datetime.timedelta(minutes=1))
    test.refresh_from_db()
    return test


def due_messages(count: int) -> list[CallInMessage]:
    """`count` SMS messages due now, each about a test of a programme (and a case) of its own."""
    messages = []
    for _ in range(count):
        test = DrugTestFactory(programme__referral__person__phone=PHONE)
        messages.append(
            CallInMessage.objects.create(
                test=test,
                purpose=CallInPurpose.CALL_IN,
                channel=CallInChannel.SMS,
                address=PHONE,
                due_at=test.starts_at,
            )
        )
        due_now(test)
    return messages


def all_sent(messages) -> bool:
    pks = [message.pk for message in messages]
    return CallInMessage.objects.filter(pk__in=pks, state=CallInState.SENT).count() == len(pks)


@pytest.mark.parametrize(
    "instant",
    [
        "2026-11-25T10:00:00+01:00",  # a weekday morning: call-ins
        "2026-11-28T23:28:00+01:00",  # the last minute for call-ins
        "2026-11-28T23:30:00+01:00",  # a Saturday night: notices
        "2026-12-31T23:50:00+01:00",  # New Year's Eve: notices of tests on 1 January
        "2027-01-01T00:05:00+01:00",  # New Year's night: call-ins of 1 January
        "2026-10-25T02:30:00+01:00",  # the night the clocks go back, 02:30 the second time
        "2026-03-29T01:59:00+01:00",  # the night the clocks go forward, a minute before
    ],
)
def test_due_now_holds_at_any_hour(instant):
    """The rule above, with the clock fixed and the sweep in this process: what `due_now` makes at any instant is
    sent by a sweep at that instant and by one MARGIN later."""
    moment = datetime.datetime.fromisoformat(instant)
    sms.outbox.clear()
    with time_machine.travel(moment, tick=False) as clock:
        first = due_messages(2)
        assert drug_test_messages_send_due() == 2
        later = due_messages(2)
        clock.move_to(moment + MARGIN - datetime.timedelta(seconds=1))
        assert drug_test_messages_send_due() == 2
    assert all_sent(first + later)
    assert len(sms.outbox) == 4
    purposes = {message.purpose for message in CallInMessage.objects.all()}
    assert purposes == ({CallInPurpose.NOTICE} if call_ins_would_be_late(moment) else {CallInPurpose.CALL_IN})
    sms.outbox.clear()


def test_overlapping_sweeps_and_two_beat_processes_send_each_call_in_exactly_once(processes, gateway):
    messages = due_messages(12)
    every_second, _ = IntervalSchedule.objects.get_or_create(every=1, period=IntervalSchedule.SECONDS)
    PeriodicTask.objects.create(
        name="test drug-test messages",
        task="attendance.test_messages_send",
        interval=every_second,
        queue=processes.queue,
    )
    processes.worker(concurrency=3)
    processes.beat("one")
    processes.beat("two")
    # And two sweeps published by hand at the same moment, on top of the two beats.
    for _ in range(2):
        drug_test_messages_send.apply_async(queue=processes.queue)

    assert wait_until(lambda: all_sent(messages)), processes.logs()
    time.sleep(3)  # more sweeps from both beats run meanwhile
    assert len(gateway.requests) == 12  # not one repeat reached the gateway
    assert {request["reference"] for request in gateway.requests} == {m.reference for m in messages}
    assert set(gateway.delivered) == {m.reference for m in messages}
    assert not CallInMessage.objects.exclude(state=CallInState.SENT).exists()  # none cancelled as too late


def test_a_worker_killed_mid_batch_leaves_every_call_in_sent_exactly_once_after_restart(processes, gateway):
    gateway.delay = 0.3  # slow enough to be caught in the middle of the batch
    messages = due_messages(10)
    worker = processes.worker(pool="solo", concurrency=1)  # the sweep runs in the process we kill
    drug_test_messages_send.apply_async(queue=processes.queue)
    assert wait_until(lambda: len(gateway.requests) >= 4, timeout=60), processes.logs()
    os.kill(worker.pid, signal.SIGKILL)
    worker.wait(10)
    sent_before = CallInMessage.objects.filter(state=CallInState.SENT).count()
    assert 0 < sent_before < 10  # it really died mid-batch

    processes.worker(pool="solo", concurrency=1)
    drug_test_messages_send.apply_async(queue=processes.queue)  # the next sweep, as beat would send it
    assert wait_until(lambda: all_sent(messages)), processes.logs()
    assert set(gateway.delivered) == {m.reference for m in messages}  # each delivered, once
    # At most the one message in flight at the kill was offered twice, and the gateway dropped the repeat.
    assert len(gateway.requests) <= 11


def test_with_the_broker_down_call_ins_are_confirmed_and_go_out_in_the_first_sweep_after(own_redis, gateway):
    tests = [
        DrugTestFactory(
            status=DrugTestStatus.SUGGESTED,
            starts_at=None,
            ends_at=None,
            programme__referral__person__phone=PHONE,
            programme__referral__person__email=EMAIL,
        )
        for _ in range(3)
    ]
    counsellors = [StaffMembershipFactory(service=test.programme.referral.service).user for test in tests]

    own_redis.stop()
    started = time.monotonic()
    confirmed = [
        call_in_confirm(actor=counsellor, test=test) for test, counsellor in zip(tests, counsellors, strict=True)
    ]
    assert time.monotonic() - started < 30  # the user is not kept waiting for the broker
    for test in confirmed:
        assert DrugTest.objects.get(pk=test.pk).status == DrugTestStatus.PLANNED
        assert sorted(test.messages.values_list("channel", "state")) == [
            (CallInChannel.EMAIL, CallInState.PENDING),
            (CallInChannel.SMS, CallInState.PENDING),
        ]

    own_redis.start()
    running = Processes(own_redis.url, gateway)
    try:
        running.worker(pool="solo", concurrency=1)
        # The morning of the day, as far as the real clock allows (see due_now).
        for test in confirmed:
            due_now(test)
        messages = list(CallInMessage.objects.filter(test__in=confirmed))
        assert len(messages) == 6
        drug_test_messages_send.apply_async(queue=running.queue)  # one sweep
        assert wait_until(lambda: all_sent(messages)), running.logs()
        sms_references = {m.reference for m in messages if m.channel == CallInChannel.SMS}
        assert set(gateway.delivered) == sms_references  # the e-mails went to the worker's mail backend
        assert len(gateway.requests) == 3
    finally:
        running.stop()
