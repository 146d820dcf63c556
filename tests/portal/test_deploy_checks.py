"""A misconfigured production is caught by `check --deploy`, not by a user."""

import importlib
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import override_settings

from portal.checks import (
    AUDIT_TRIGGERS,
    check_audit_log_triggers,
    check_cache_is_shared,
    check_celery_broker_is_redis,
    check_database_is_postgresql,
    check_email_is_delivered,
    check_sms_gateway_is_configured,
    check_sms_is_delivered,
)

ROOT = Path(__file__).resolve().parents[2]
NO_TRUNCATE = importlib.import_module("portal.migrations.0006_auditevent_no_truncate_trigger")

PRODUCTION_ENV = {
    "DJANGO_SETTINGS_MODULE": "config.settings.production",
    "SECRET_KEY": "x7Kq2Lr9Vw4Zp8Nt3Yb6Hc1Jm5Fd0Sg2Qe7Ua4Xo9Ri3Tl8Wk6Pz1Vn5Cy0Mh2Bj",
    "ALLOWED_HOSTS": "portal.kommune.example",
    "DATABASE_URL": "postgres://portal:secret@db.internal:5432/portal",
    "REDIS_URL": "redis://redis.internal:6379/0",
    "EMAIL_URL": "smtp+tls://portal:secret@smtp.internal:587",
    "SMS_BACKEND": "portal.sms.backends.http.SmsBackend",
    "SMS_GATEWAY_URL": "https://sms.internal/v1/messages",
    "SMS_GATEWAY_TOKEN": "sms-gateway-token",
}


def _manage(*args, env):
    base = {k: v for k, v in os.environ.items() if k not in PRODUCTION_ENV and k not in {"CI"}}
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env={**base, **env}, capture_output=True, text=True, timeout=120
    )


def test_production_settings_pass_check_deploy():
    result = _manage("check", "--deploy", "--fail-level", "WARNING", env=PRODUCTION_ENV)
    assert result.returncode == 0, result.stdout + result.stderr


def test_production_refuses_to_start_without_a_secret_key():
    env = {k: v for k, v in PRODUCTION_ENV.items() if k != "SECRET_KEY"}
    result = _manage("check", env=env)
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


def test_production_static_files_collect_with_hashed_names(tmp_path):
    """The manifest storage fails on a missing file a stylesheet refers to (fonts, source maps)."""
    result = _manage("collectstatic", "--no-input", env={**PRODUCTION_ENV, "STATIC_ROOT": str(tmp_path)})
    assert result.returncode == 0, result.stdout + result.stderr
    assert (tmp_path / "staticfiles.json").exists()


# The checks only read the setting; no connection is opened with the overridden one.
only_reads_databases = pytest.mark.filterwarnings("ignore:Overriding setting DATABASES")


@only_reads_databases
@override_settings(DATABASES={"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": "x"}})
def test_sqlite_in_production_is_an_error():
    assert [e.id for e in check_database_is_postgresql(None)] == ["portal.E001"]


@only_reads_databases
@override_settings(DATABASES={"default": {"ENGINE": "django.db.backends.postgresql", "NAME": "x"}})
def test_postgresql_passes_the_database_check():
    assert check_database_is_postgresql(None) == []


@pytest.mark.parametrize(("broker", "ids"), [("filesystem://", ["portal.E002"]), ("redis://r:6379/0", [])])
def test_celery_broker_must_be_redis(broker, ids):
    with override_settings(CELERY_BROKER_URL=broker):
        assert [e.id for e in check_celery_broker_is_redis(None)] == ids


@pytest.mark.parametrize(
    "backend",
    [
        "django.core.cache.backends.locmem.LocMemCache",
        "django.core.cache.backends.filebased.FileBasedCache",
        "django.core.cache.backends.dummy.DummyCache",
    ],
)
def test_a_cache_no_two_nodes_share_warns(backend):
    with override_settings(CACHES={"default": {"BACKEND": backend, "LOCATION": "never-opened"}}):
        warnings = check_cache_is_shared(None)
    assert [w.id for w in warnings] == ["portal.W011"]
    assert "lockout counters, rate limits, throttles" in warnings[0].msg
    assert "RedisCache" in warnings[0].hint
    assert "REDIS_CACHE_URL" in warnings[0].hint


@override_settings(
    CACHES={"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": "redis://r:6379/1"}}
)
def test_a_redis_cache_passes_the_cache_check():
    assert check_cache_is_shared(None) == []


def test_production_with_redis_url_passes_the_cache_check():
    result = _manage("check", "--deploy", "--tag", "caches", "--fail-level", "WARNING", env=PRODUCTION_ENV)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "portal.W011" not in result.stdout + result.stderr


def test_make_run_settings_warn_of_the_per_process_cache():
    env = {"DJANGO_SETTINGS_MODULE": "config.settings.base", "REDIS_URL": ""}
    result = _manage("check", "--deploy", "--tag", "caches", env=env)
    assert "portal.W011" in result.stdout + result.stderr


@pytest.mark.parametrize(
    ("backend", "ids"),
    [
        ("django.core.mail.backends.console.EmailBackend", ["portal.W003"]),
        ("django.core.mail.backends.smtp.EmailBackend", []),
    ],
)
def test_email_must_be_delivered(backend, ids):
    with override_settings(EMAIL_BACKEND=backend):
        assert [e.id for e in check_email_is_delivered(None)] == ids


@pytest.mark.parametrize(
    ("backend", "ids"),
    [
        ("portal.sms.backends.console.SmsBackend", ["portal.W004"]),
        ("portal.sms.backends.filebased.SmsBackend", ["portal.W004"]),
        ("portal.sms.backends.locmem.SmsBackend", ["portal.W004"]),
        ("portal.sms.backends.http.SmsBackend", []),
    ],
)
def test_sms_must_be_delivered(backend, ids):
    with override_settings(SMS_BACKEND=backend):
        assert [e.id for e in check_sms_is_delivered(None)] == ids


@pytest.mark.parametrize(
    ("url", "token", "ids"),
    [
        ("", "", ["portal.E005"]),
        ("https://sms.internal/v1/messages", "", ["portal.E005"]),
        ("", "sms-gateway-token", ["portal.E005"]),
        ("https://sms.internal/v1/messages", "sms-gateway-token", []),
    ],
)
def test_sms_gateway_needs_url_and_token(url, token, ids):
    with override_settings(
        SMS_BACKEND="portal.sms.backends.http.SmsBackend", SMS_GATEWAY_URL=url, SMS_GATEWAY_TOKEN=token
    ):
        assert [e.id for e in check_sms_gateway_is_configured(None)] == ids


def test_a_file_backend_without_gateway_is_no_error():
    """Development needs no gateway: only the warning about undelivered SMS applies."""
    with override_settings(
        SMS_BACKEND="portal.sms.backends.filebased.SmsBackend", SMS_GATEWAY_URL="", SMS_GATEWAY_TOKEN=""
    ):
        assert check_sms_gateway_is_configured(None) == []


def test_production_without_sms_gateway_fails_check_deploy():
    env = {k: v for k, v in PRODUCTION_ENV.items() if k not in {"SMS_BACKEND", "SMS_GATEWAY_URL", "SMS_GATEWAY_TOKEN"}}
    result = _manage("check", "--deploy", "--fail-level", "WARNING", env=env)
    assert result.returncode != 0
    assert "portal.W004" in result.stderr + result.stdout


@pytest.mark.postgres
def test_the_audit_log_triggers_pass_the_database_check(db):
    assert check_audit_log_triggers(None, databases=["default"]) == []
    assert set(AUDIT_TRIGGERS) == {"portal_auditevent_append_only", NO_TRUNCATE.TRUNCATE_TRIGGER}


def test_without_database_the_audit_log_check_opens_no_connection(django_assert_num_queries, db):
    """`check --deploy` at build time has no database; the check runs with `--database default` after migrate."""
    with django_assert_num_queries(0):
        assert check_audit_log_triggers(None) == []


@pytest.mark.postgres
@pytest.mark.parametrize("trigger", AUDIT_TRIGGERS)
@pytest.mark.parametrize(
    "change", ["DROP TRIGGER {} ON portal_auditevent", "ALTER TABLE portal_auditevent DISABLE TRIGGER {}"]
)
def test_a_dropped_or_disabled_audit_log_trigger_is_an_error(db, trigger, change):
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(change.format(trigger))  # undone with the test's transaction
    errors = check_audit_log_triggers(None, databases=["default"])
    assert [e.id for e in errors] == ["portal.E006"]
    assert trigger in errors[0].msg


@pytest.mark.parametrize(
    ("setting", "value"),
    [
        ("DEFAULT_FROM_EMAIL", "ikke-svar@radgivende-enhet.oslo.kommune.no"),
        ("DEFAULT_FROM_EMAIL", "Rusteamet <post@oslo.kommune.no>"),
        ("SMS_SENDER", "Rusenheten"),
    ],
)
def test_a_sender_that_gives_the_case_away_on_a_locked_phone_warns(settings, setting, value):
    from portal.checks import check_senders_are_discreet

    assert check_senders_are_discreet(None) == []  # the defaults are neutral
    setattr(settings, setting, value)
    assert [warning.id for warning in check_senders_are_discreet(None)] == ["portal.W010"]
