"""Two web nodes and a worker, as a deployment behind a load balancer runs them, share nothing but PostgreSQL and
Redis: a meeting booked on one node has its summons e-mailed by the worker and downloaded from the other; wrong
passwords spread over both nodes lock the user out on both; and no node writes a file to its own disk.

Each node is a gunicorn process of its own with an empty MEDIA_ROOT of its own, on the test's database, publishing
to a Celery queue of the test's own. The browser is one cookie jar that talks to either node, as a load balancer
would send its requests to either.
"""

import html
import http.cookiejar
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from pathlib import Path

import pytest
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from config.celery import app
from counselling.scheduling.models import Letter, Meeting
from portal.models import Document, Role
from tests.conftest import default_reminders_install
from tests.e2e.browser import authenticator_device, current_code
from tests.factories import LocationFactory, ReferralFactory, StaffMembershipFactory

pytestmark = [
    pytest.mark.redis,
    pytest.mark.postgres,
    pytest.mark.processes,
    pytest.mark.django_db(transaction=True),
]

ROOT = Path(__file__).resolve().parents[2]
PASSWORD = "correct horse battery staple"  # tests/factories.UserFactory's


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _database_url() -> str:
    s = connection.settings_dict
    return f"postgres://{s['USER']}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"


class Deployment:
    """Web nodes and a worker on the test's database and Redis, each with an empty folder as MEDIA_ROOT."""

    def __init__(self, redis_url: str):
        self.root = Path(tempfile.mkdtemp(prefix="two-nodes-"))
        self.queue = f"test-two-nodes-{uuid.uuid4().hex}"
        self.mail = self.root / "mail"
        self.mail.mkdir()
        self.env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "config.settings.test",
            "DATABASE_URL": _database_url(),
            "REDIS_URL": redis_url,
            "CELERY_TASK_DEFAULT_QUEUE": self.queue,
            "CACHE_KEY_PREFIX": self.queue,  # one cache for the whole deployment, as in production
            "EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
            "EMAIL_FILE_PATH": str(self.mail),
        }
        self.processes: list[tuple[str, subprocess.Popen]] = []
        self.media_roots: list[Path] = []

    def _start(self, name: str, args: list[str]) -> None:
        media_root = self.root / f"media-{name}"
        media_root.mkdir()
        self.media_roots.append(media_root)
        log = open(self.root / f"{name}.log", "w")  # noqa: SIM115 - closed with the process
        process = subprocess.Popen(
            [sys.executable, "-m", *args],
            cwd=ROOT,
            env={**self.env, "MEDIA_ROOT": str(media_root)},
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        self.processes.append((name, process))

    def web_node(self, name: str) -> str:
        port = _free_port()
        self._start(name, ["gunicorn", "config.wsgi", "--bind", f"127.0.0.1:{port}", "--workers", "1"])
        url = f"http://127.0.0.1:{port}"
        self._wait_for(url + reverse("portal:healthz"), name)
        return url

    def worker(self) -> None:
        self._start(
            "worker",
            [
                *["celery", "-A", "config", "worker", "--queues", self.queue, "--pool", "solo", "--loglevel", "INFO"],
                *["--without-gossip", "--without-mingle", "--without-heartbeat"],
            ],
        )

    def _wait_for(self, url: str, name: str) -> None:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(url, timeout=2):  # noqa: S310 - the test's own http:// node
                    return
            # A node that has opened its port may still take longer than the timeout over its first answer (it
            # imports the project on a busy machine): that is waited for too, until the deadline.
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                time.sleep(0.2)
        raise AssertionError(f"{name} did not start:\n{self.logs()}")

    def files_on_disk(self) -> list[str]:
        return [str(path) for root in self.media_roots for path in root.rglob("*") if path.is_file()]

    def logs(self) -> str:
        return "\n".join(f"== {path.name}\n{path.read_text()[-3000:]}" for path in sorted(self.root.glob("*.log")))

    def stop(self) -> None:
        for _name, process in self.processes:
            process.terminate()
        for _name, process in self.processes:
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
        shutil.rmtree(self.root, ignore_errors=True)


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


class Browser:
    """One cookie jar, sent to whichever node a request goes to (cookies are per host, not per port)."""

    def __init__(self):
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar), _NoRedirects)

    def request(self, url: str, data: dict | None = None) -> tuple[int, dict, bytes]:
        body = urllib.parse.urlencode(data).encode() if data is not None else None
        try:
            request = urllib.request.Request(url, data=body)  # noqa: S310 - the test's own http:// nodes
            with self.opener.open(request, timeout=30) as response:
                return response.status, dict(response.headers), response.read()
        except urllib.error.HTTPError as error:  # 3xx (not followed), 4xx and 5xx
            return error.code, dict(error.headers), error.read()

    def form(self, url: str, fields: dict) -> tuple[int, dict, bytes]:
        """GET the page for its CSRF token, then POST `fields` with it."""
        status, _headers, page = self.request(url)
        assert status == 200, (url, status, page[:500])
        token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1).decode()
        return self.request(url, {"csrfmiddlewaretoken": token, **fields})

    def log_in(self, node: str, username: str) -> None:
        status, _headers, _ = self.form(node + reverse("login"), {"username": username, "password": PASSWORD})
        assert status == 302, status
        verify = node + reverse("portal:two_factor_verify")
        status, _headers, _ = self.form(verify, {"code": current_code(authenticator_device(username))})
        assert status == 302, status


@pytest.fixture
def deployment(redis_url):
    running = Deployment(redis_url)
    yield running
    running.stop()
    with app.connection_for_write(redis_url) as conn:
        conn.default_channel.queue_delete(running.queue)


def _wait_until(condition, what: str, deployment: Deployment, seconds: float = 60):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.3)
    raise AssertionError(f"{what} did not happen within {seconds} s:\n{deployment.logs()}")


def test_two_web_nodes_and_a_worker_share_only_the_database_and_redis(deployment, service):
    default_reminders_install()
    counsellor = StaffMembershipFactory(service=service, role=Role.COUNSELLOR, user__username="radgiver").user
    referral = ReferralFactory(service=service, assigned_counsellor=counsellor, person__email="kari@example.org")
    location = LocationFactory(service=service)
    locked = StaffMembershipFactory(service=service, role=Role.COUNSELLOR, user__username="glemsk").user
    authenticator_device(counsellor.username)

    node_a, node_b = deployment.web_node("a"), deployment.web_node("b")
    deployment.worker()
    browser = Browser()

    # Booked on node A: the summons is made in the booking's transaction, its PDF in the database.
    browser.log_in(node_a, counsellor.username)
    starts = timezone.localtime() + timezone.timedelta(days=3)
    status, _headers, page = browser.form(
        node_a + reverse("scheduling:book", args=[service.slug, referral.pk]),
        {
            "action": "book",
            "counsellor": counsellor.pk,
            "length_minutes": 45,
            "other_time": starts.strftime("%Y-%m-%dT10:00"),
            "location": location.pk,
        },
    )
    assert status == 302, html.unescape(page.decode())[:2000]
    letter = Letter.objects.get(meeting=Meeting.objects.get(referral=referral))

    # The worker e-mails it, reading the PDF node A stored.
    emailed = Letter.objects.filter(pk=letter.pk, emailed_at__isnull=False)
    _wait_until(emailed.exists, "the e-mail", deployment)
    letter.refresh_from_db()
    assert letter.email_error == ""
    (sent,) = list(deployment.mail.iterdir())
    message = sent.read_text()
    assert "kari@example.org" in message and letter.pdf.name.rsplit("/", 1)[-1] in message

    # Node B, which never saw the booking, serves the PDF: the same session, the same bytes.
    status, headers, pdf = browser.request(node_b + reverse("scheduling:letter_pdf", args=[service.slug, letter.pk]))
    assert status == 200, deployment.logs()
    assert headers["Content-Type"] == "application/pdf"
    assert pdf.startswith(b"%PDF") and pdf == bytes(Document.objects.get(name=letter.pdf.name).content)

    # Wrong passwords, three on each node: the sixth locks the user out, on both nodes, the right password too.
    for node in [node_a, node_b] * 3:
        status, _headers, _ = Browser().form(node + reverse("login"), {"username": locked.username, "password": "x"})
        assert status in (200, 429), status
    for node in (node_a, node_b):
        status, _headers, page = Browser().form(
            node + reverse("login"), {"username": locked.username, "password": PASSWORD}
        )
        assert status == 429, f"{node} let the locked-out user in ({status})"

    assert deployment.files_on_disk() == []
