"""`make run`'s web process (Procfile.dev) serves the portal's own error pages, as staff would see them, and still
serves the static files without a collectstatic."""

import os
import socket
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from django.db import connection

pytestmark = [pytest.mark.processes, pytest.mark.django_db]

ROOT = Path(__file__).resolve().parents[2]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _web_command(port: int) -> str:
    """The Procfile's web line, on a free port instead of 8000."""
    line = next(line for line in (ROOT / "Procfile.dev").read_text().splitlines() if line.startswith("web:"))
    command = line.removeprefix("web:").strip()
    assert "127.0.0.1:8000" in command
    return command.replace("127.0.0.1:8000", f"127.0.0.1:{port}") + " --noreload"


def _get(url: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:  # noqa: S310 - the test's own http:// server
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


@pytest.fixture
def demo_web():
    port = _free_port()
    s = connection.settings_dict
    env = {k: v for k, v in os.environ.items() if k not in ("DJANGO_SETTINGS_MODULE", "DJANGO_DEBUG")}
    env["DATABASE_URL"] = f"postgres://{s['USER']}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"
    env["PATH"] = f"{ROOT / '.venv' / 'bin'}{os.pathsep}{env['PATH']}"
    process = subprocess.Popen(
        ["bash", "-c", _web_command(port)], cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                urllib.request.urlopen(f"{base}/healthz", timeout=1)  # noqa: S310 - the test's own server
                break
            except (urllib.error.URLError, ConnectionError):
                assert process.poll() is None, process.stdout.read().decode()
                time.sleep(0.2)
        yield base
    finally:
        process.terminate()
        process.wait(timeout=10)


def test_the_demo_shows_the_portals_own_not_found_page_and_its_static_files(demo_web):
    status, body = _get(f"{demo_web}/no-such-page/")
    assert status == 404
    assert "<title>Ikke funnet" in body  # the portal's page, in Bokmål by default
    assert "Django tried these URL patterns" not in body  # not the technical page of DEBUG
    status, css = _get(f"{demo_web}/static/portal/portal.css")
    assert status == 200 and css.strip()
