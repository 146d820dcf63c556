"""Background work goes through a real worker and a real Redis, and is published only on commit."""

import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from celery.contrib.django.task import DjangoTask
from django.db import transaction

from config.celery import app
from portal.tasks import health_ping

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def worker(redis_url):
    """A real `celery worker` process on a queue of its own, so no other worker takes our task."""
    queue = f"test-health-{uuid.uuid4().hex}"
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings.test", "REDIS_URL": redis_url}
    process = subprocess.Popen(
        [
            *[sys.executable, "-m", "celery", "-A", "config", "worker", "--queues", queue, "--pool", "solo"],
            *["--without-gossip", "--without-mingle", "--without-heartbeat", "--loglevel", "WARNING"],
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        yield queue
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
        app.connection_for_write().default_channel.queue_delete(queue)


def test_a_worker_answers_a_health_ping_through_redis(worker):
    token = uuid.uuid4().hex
    result = health_ping.apply_async(args=[token], queue=worker)
    assert result.get(timeout=60) == token


def test_celery_is_configured_for_safe_redelivery():
    conf = app.conf
    assert conf.task_serializer == "json"
    assert conf.accept_content == ["json"]
    assert conf.task_acks_late is True
    assert conf.task_reject_on_worker_lost is True
    assert conf.worker_prefetch_multiplier == 1
    assert conf.task_time_limit and conf.task_soft_time_limit < conf.task_time_limit
    assert conf.timezone == "Europe/Oslo"
    assert conf.beat_scheduler == "django_celery_beat.schedulers:DatabaseScheduler"


@pytest.mark.django_db
def test_tasks_are_published_only_when_the_transaction_commits(django_capture_on_commit_callbacks):
    assert isinstance(health_ping, DjangoTask)
    with django_capture_on_commit_callbacks() as callbacks, transaction.atomic():
        health_ping.delay_on_commit("after-commit")
    assert len(callbacks) == 1


@pytest.mark.django_db(transaction=True)
def test_a_rolled_back_transaction_publishes_nothing(redis_url):
    queue = f"test-rollback-{uuid.uuid4().hex}"
    with pytest.raises(RuntimeError), transaction.atomic():
        health_ping.apply_async_on_commit(args=["never"], queue=queue)
        raise RuntimeError("roll back")
    with app.connection_for_write() as connection:
        channel = connection.default_channel
        channel.queue_declare(queue=queue, durable=True, auto_delete=False)
        assert channel.basic_get(queue) is None
        channel.queue_delete(queue)
