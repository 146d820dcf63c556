"""Fixtures shared by the whole suite.

Every permission test needs three people: a counsellor, a colleague in the same service,
and a stranger who works in another service.
"""

import datetime
import importlib
import os
import shutil
import socket
from urllib.parse import urlsplit

import pytest
import time_machine
from django.conf import settings
from django.test import Client

from portal.models import Role

from .factories import CounsellingServiceFactory, StaffMembershipFactory

IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}
CHROMIUM = "/usr/bin/chromium"


def require(available: bool, reason: str) -> None:
    """Skip loudly when a service or tool is missing, but fail under CI, where it must be there."""
    if available:
        return
    if IN_CI:
        pytest.fail(f"CI=true and {reason}", pytrace=False)
    pytest.skip(f"SKIPPED, NOT TESTED: {reason}")


def default_reminders_install() -> None:
    """The shipped reminder rules and texts, as migration counselling 0006 installs them, run again with the models
    as that migration saw them, and made discreet as scheduling 0003 does; a browser or process test that flushed
    the database took them away."""
    from django.db import connection
    from django.db.migrations.loader import MigrationLoader

    migration = ("counselling", "0006_default_reminders")
    historical = MigrationLoader(connection).project_state(migration).apps
    importlib.import_module("counselling.migrations.0006_default_reminders").seed(historical, None)
    from django.apps import apps

    importlib.import_module(
        "counselling.scheduling.migrations.0003_reminder_texts_per_service_and_discreet"
    ).discreet_texts(apps, None)


def pytest_collection_modifyitems(config, items):
    for item in items:
        if item.get_closest_marker("postgres") and not settings.POSTGRES_AVAILABLE:
            item.add_marker(pytest.mark.skip(reason="SKIPPED, NOT TESTED: PostgreSQL unreachable (SQLite fallback)"))


def pytest_addoption(parser):
    parser.addoption(
        "--clock",
        default="",
        metavar="INSTANT",
        help=(
            "run every test with the process clock moved to INSTANT (ISO 8601 with its offset, "
            "e.g. 2026-11-28T23:30:00+01:00), ticking from there; default: the real clock"
        ),
    )


def _moved_to(config) -> datetime.datetime | None:
    instant = config.getoption("--clock")
    if not instant:
        return None
    try:
        moment = datetime.datetime.fromisoformat(instant)
    except ValueError:
        moment = None
    if moment is None or moment.tzinfo is None:
        raise pytest.UsageError(f"--clock takes an instant with its offset, as 2026-11-28T23:30:00+01:00: {instant!r}")
    return moment


def pytest_configure(config):
    config.moved_clock = _moved_to(config)  # checked once, before any test runs


def pytest_report_header(config):
    moment = config.moved_clock
    return f"clock: moved to {moment.isoformat()} at the start of every test" if moment else None


@pytest.fixture(autouse=True)
def moved_clock(request):
    """With --clock, each test starts at that instant and the clock ticks on from there.

    The suite must pass at any hour; .ci/run proves it by running again at a Saturday night, a
    weekday evening, the night the clocks go back and New Year's Eve. Tests that need a particular
    time fix it themselves with time_machine, which nests inside this.
    """
    moment = request.config.moved_clock
    if moment is None:
        yield None
        return
    with time_machine.travel(moment, tick=True):
        yield moment


@pytest.fixture(autouse=True)
def cache_emptied_after_each_test():
    """No test sees what an earlier one left in the cache (a count, a limit reached). The test cache deletes only
    this process's keys (tests/cache.py): the Redis database is shared with other processes."""
    yield
    from django.core.cache import caches

    caches["default"].clear()


# Django's own, kept for the tests that need a session signed in with the password only.
FORCE_LOGIN_WITHOUT_SECOND_FACTOR = Client.force_login


def log_in_without_second_factor(client, user) -> None:
    """Signed in with the password only: the state the two-factor middleware turns back."""
    FORCE_LOGIN_WITHOUT_SECOND_FACTOR(client, user)


def _force_login_verified(self, user, backend=None):
    """`client.force_login` as a fully signed-in user: the password (just checked, for
    portal.reauth) and a verified second factor, a real TOTP device of the user's."""
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    FORCE_LOGIN_WITHOUT_SECOND_FACTOR(self, user, backend)
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="app", confirmed=True)
    session = self.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()


@pytest.fixture(autouse=True)
def force_login_is_two_factor(monkeypatch):
    """Every test that signs in with `client.force_login` gets a verified second factor, as a real login
    would; `log_in_without_second_factor` gives the password-only state."""
    monkeypatch.setattr(Client, "force_login", _force_login_verified)


@pytest.fixture
def redis_url():
    url = settings.REDIS_URL
    parts = urlsplit(url)
    try:
        with socket.create_connection((parts.hostname or "127.0.0.1", parts.port or 6379), timeout=1):
            reachable = True
    except OSError:
        reachable = False
    require(reachable, f"Redis is unreachable at {url}")
    return url


@pytest.fixture
def chromium_path():
    require(shutil.which("chromium") is not None or os.path.exists(CHROMIUM), "Debian's chromium is not installed")
    return CHROMIUM


@pytest.fixture
def service(db):
    return CounsellingServiceFactory(name="Rådgivende enhet Oslo", slug="oslo")


@pytest.fixture
def other_service(db):
    return CounsellingServiceFactory(name="Rådgivende enhet Bergen", slug="bergen")


@pytest.fixture
def counsellor(service):
    return StaffMembershipFactory(service=service, role=Role.COUNSELLOR, user__username="counsellor").user


@pytest.fixture
def colleague(service):
    return StaffMembershipFactory(service=service, role=Role.COUNSELLOR, user__username="colleague").user


@pytest.fixture
def lead(service):
    return StaffMembershipFactory(service=service, role=Role.SERVICE_LEAD, user__username="lead").user


@pytest.fixture
def stranger(other_service):
    """A service lead elsewhere: the most privileged role, in the wrong service."""
    return StaffMembershipFactory(service=other_service, role=Role.SERVICE_LEAD, user__username="stranger").user


@pytest.fixture
def thresholds_2021(db):
    """The Prop. 92 L threshold table, as the data migrations seed and mark it (a proposal, never in force).

    Browser tests flush the database, seeded rows included; this puts them back (the seed is
    idempotent) so a test never depends on which tests ran before it.
    """
    from django.apps import apps

    seed = importlib.import_module("referrals.migrations.0002_seed_2021_thresholds").seed
    seed(apps, None)
    importlib.import_module("referrals.migrations.0011_threshold_regulation_status").mark_the_proposal(apps, None)
    from referrals.models import ThresholdRegulation

    return ThresholdRegulation.objects.get(valid_from="2021-01-01")


@pytest.fixture
def court_fee_rates(db):
    """The court fee rates from 2019, as the data migration seeds them (put back after a browser test's flush)."""
    from django.apps import apps

    seed = importlib.import_module("fees.migrations.0002_seed_court_fee_rates").seed
    seed(apps, None)
    from django.utils import timezone

    from fees.models import CourtFeeRate

    # The court fee changes every 1 January and the seed stops at the newest rate known. A fee for a meeting in a
    # later year is held until an administrator adds that year's rate (tests/fees/test_court_fee_year.py), so
    # that a suite run after New Year still finds "this year's" rate: the newest amount again, from 1 January.
    newest = CourtFeeRate.objects.order_by("-valid_from").first()
    this_year = timezone.localdate().year
    if newest.valid_from.year < this_year:
        CourtFeeRate.objects.create(valid_from=datetime.date(this_year, 1, 1), amount=newest.amount)
    return CourtFeeRate.objects.all()
