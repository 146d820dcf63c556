"""Reminders and flags with a real Redis broker, real Celery worker and beat processes, and a real HTTP SMS
gateway: nothing is sent twice or lost when sweeps overlap, two beat processes run, a worker is killed
mid-batch, or Redis is down while a meeting is booked.

These start processes of their own (and, for the Redis outage, a Redis server of their own on a free port,
never the shared one); they take a minute or so together.
"""

import datetime
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

import pytest
from django.db import connection
from django.utils import timezone
from django_celery_beat.models import IntervalSchedule, PeriodicTask

from config.celery import app
from counselling.scheduling.models import Flag, Letter, Meeting, Reminder, ReminderState
from counselling.scheduling.services import meeting_book
from counselling.scheduling.services.letters import letter_template
from counselling.scheduling.tasks import flags_raise, reminders_send_due
from tests.conftest import default_reminders_install
from tests.factories import LocationFactory, MeetingFactory, ReferralFactory, StaffMembershipFactory
from tests.sms_gateway import TOKEN, Gateway

pytestmark = [
    pytest.mark.redis,
    pytest.mark.postgres,
    pytest.mark.processes,
    pytest.mark.django_db(transaction=True),
]

ROOT = Path(__file__).resolve().parents[3]
PHONE = "+4791234567"


@pytest.fixture(autouse=True)
def needs_postgres():
    if connection.vendor != "postgresql":
        pytest.skip("the worker process needs the test's PostgreSQL database")


def database_url() -> str:
    s = connection.settings_dict
    return f"postgres://{s['USER']}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"


class Processes:
    """Celery worker and beat processes on a queue of the test's own, sending SMS through `gateway`."""

    def __init__(self, redis_url: str, gateway: Gateway):
        self.queue = f"test-reliability-{uuid.uuid4().hex}"
        self.redis_url = redis_url
        self.env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "config.settings.test",
            "DATABASE_URL": database_url(),
            "REDIS_URL": redis_url,
            "SMS_BACKEND": "portal.sms.backends.http.SmsBackend",
            "SMS_GATEWAY_URL": gateway.url,
            "SMS_GATEWAY_TOKEN": TOKEN,
        }
        self.running: list[subprocess.Popen] = []
        self.beat_dir = tempfile.mkdtemp(prefix="beat-")

    def _start(self, *args) -> subprocess.Popen:
        log = open(os.path.join(self.beat_dir, f"{args[0]}-{len(self.running)}.log"), "w")  # noqa: SIM115
        process = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "config", *args, "--loglevel", "INFO"],
            cwd=ROOT,
            env=self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        self.running.append(process)
        return process

    def worker(self, pool="prefork", concurrency=2) -> subprocess.Popen:
        return self._start(
            *["worker", "--queues", self.queue, "--pool", pool, "--concurrency", str(concurrency)],
            *["--without-gossip", "--without-mingle", "--without-heartbeat"],
        )

    def beat(self, name: str) -> subprocess.Popen:
        return self._start("beat", "--schedule", os.path.join(self.beat_dir, name), "--max-interval", "1")

    def logs(self) -> str:
        """What the processes printed, for a failing test's report."""
        return "\n".join(
            f"== {name}\n" + Path(self.beat_dir, name).read_text()[-3000:]
            for name in sorted(os.listdir(self.beat_dir))
            if name.endswith(".log")
        )

    def stop(self):
        for process in self.running:
            if process.poll() is None:
                process.terminate()
        for process in self.running:
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
        shutil.rmtree(self.beat_dir, ignore_errors=True)


@pytest.fixture
def gateway():
    with Gateway(delay=0.05) as server:
        yield server


@pytest.fixture
def processes(redis_url, gateway):
    running = Processes(redis_url, gateway)
    yield running
    running.stop()
    with app.connection_for_write(redis_url) as conn:
        conn.default_channel.queue_delete(running.queue)


def due_reminders(count: int) -> list[Reminder]:
    """`count` SMS reminders due now, for meetings in two days (each with its own counsellor)."""
    letter_template("summons")
    default_reminders_install()
    reminders = []
    for _ in range(count):
        meeting = MeetingFactory()
        reminders.append(
            Reminder.objects.create(
                meeting=meeting,
                days_before=1,
                channel="sms",
                recipient_kind="person",
                address=PHONE,
                due_at=timezone.now() - datetime.timedelta(minutes=1),
            )
        )
    return reminders


def wait_until(condition, timeout=45, every=0.25):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(every)
    return False


def all_sent(reminders) -> bool:
    return Reminder.objects.filter(pk__in=[r.pk for r in reminders], state=ReminderState.SENT).count() == len(reminders)


def test_overlapping_sweeps_and_two_beat_processes_send_each_reminder_exactly_once(processes, gateway):
    reminders = due_reminders(12)
    MeetingFactory(starts_at=timezone.now() - datetime.timedelta(hours=5))  # one meeting to flag
    every_second, _ = IntervalSchedule.objects.get_or_create(every=1, period=IntervalSchedule.SECONDS)
    for name, task in [("reminders", "counselling.reminders_send_due"), ("flags", "counselling.flags_raise")]:
        PeriodicTask.objects.create(name=f"test {name}", task=task, interval=every_second, queue=processes.queue)
    processes.worker(concurrency=3)
    processes.beat("one")
    processes.beat("two")
    # And two sweeps published by hand at the same moment, on top of the two beats.
    for _ in range(2):
        reminders_send_due.apply_async(queue=processes.queue)
        flags_raise.apply_async(queue=processes.queue)

    assert wait_until(lambda: all_sent(reminders)), processes.logs()
    time.sleep(3)  # more sweeps from both beats run meanwhile
    assert len(gateway.requests) == 12  # not one repeat reached the gateway
    assert len({request["reference"] for request in gateway.requests}) == 12
    assert Flag.objects.filter(kind="attendance_not_recorded").count() == 1


def test_a_worker_killed_mid_batch_leaves_every_reminder_sent_exactly_once_after_restart(processes, gateway):
    gateway.delay = 0.3  # slow enough to be caught in the middle of the batch
    reminders = due_reminders(10)
    worker = processes.worker(pool="solo", concurrency=1)  # the sweep runs in the process we kill
    reminders_send_due.apply_async(queue=processes.queue)
    assert wait_until(lambda: len(gateway.requests) >= 4, timeout=60)
    os.kill(worker.pid, signal.SIGKILL)
    worker.wait(10)
    sent_before = Reminder.objects.filter(state=ReminderState.SENT).count()
    assert 0 < sent_before < 10  # it really died mid-batch

    processes.worker(pool="solo", concurrency=1)
    reminders_send_due.apply_async(queue=processes.queue)  # the next sweep, as beat would send it
    assert wait_until(lambda: all_sent(reminders)), processes.logs()
    references = {f"reminder-{r.pk}" for r in reminders}
    assert set(gateway.delivered) == references  # each delivered, once
    # At most the one message in flight at the kill was offered twice, and the gateway dropped the repeat.
    assert len(gateway.requests) <= 11


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class OwnRedis:
    """A Redis server of the test's own, on a free port, that the test may stop and start."""

    def __init__(self):
        self.port = free_port()
        self.dir = tempfile.mkdtemp(prefix="redis-")
        self.process = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self):
        self.process = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
            cwd=self.dir,
            stdout=subprocess.DEVNULL,
        )
        assert wait_until(self._answers, timeout=10)

    def _answers(self) -> bool:
        with socket.socket() as probe:
            return probe.connect_ex(("127.0.0.1", self.port)) == 0

    def stop(self):
        if self.process and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(10)

    def remove(self):
        self.stop()
        shutil.rmtree(self.dir, ignore_errors=True)


@pytest.fixture
def own_redis():
    if shutil.which("redis-server") is None:
        pytest.skip("redis-server is not installed")
    server = OwnRedis()
    server.start()
    # This process publishes to it too: the booking's emails, and the sweep.
    previous = app.conf.broker_url
    _use_broker(server.url)
    yield server
    _use_broker(previous)
    server.remove()


def _use_broker(url: str) -> None:
    # Celery caches its connection and producer pools on first use; new ones are made for the new URL.
    app.conf.broker_url = url
    app._pool = None
    app.amqp._producer_pool = None


def test_with_redis_down_a_booking_succeeds_and_its_reminders_go_out_in_the_first_sweep_after(
    own_redis, gateway, settings
):
    service_location = LocationFactory()
    counsellor = StaffMembershipFactory(service=service_location.service).user
    referral = ReferralFactory(
        service=service_location.service,
        person__email="ola@example.org",
        person__phone=PHONE,
        attendance_deadline=timezone.localdate() + datetime.timedelta(days=30),
    )
    default_reminders_install()
    letter_template("summons")

    own_redis.stop()
    started = time.monotonic()
    meeting = meeting_book(
        actor=counsellor,
        referral=referral,
        counsellor=counsellor,
        location=service_location,
        starts_at=timezone.now() + datetime.timedelta(days=10),
    )
    assert time.monotonic() - started < 30  # the user is not kept waiting for the broker
    assert Meeting.objects.filter(pk=meeting.pk).exists()
    assert meeting.reminders.filter(state=ReminderState.PENDING).count() == 4

    own_redis.start()
    running = Processes(own_redis.url, gateway)
    try:
        running.worker(pool="solo", concurrency=1)
        Reminder.objects.filter(meeting=meeting).update(due_at=timezone.now() - datetime.timedelta(minutes=1))
        Letter.objects.filter(meeting=meeting).update(created_at=timezone.now() - datetime.timedelta(minutes=5))
        reminders_send_due.apply_async(queue=running.queue)  # one sweep
        assert wait_until(lambda: not meeting.reminders.exclude(state=ReminderState.SENT).exists())
        assert wait_until(lambda: Letter.objects.get(meeting=meeting).emailed_at is not None)
        assert len(gateway.delivered) == 2  # the two SMS reminders; the emails went to the worker's mail backend
    finally:
        running.stop()
