"""`/health/` tells the load balancer whether a web node reaches the database, the cache and the broker."""

import socket

import pytest
from django.test import override_settings

from config.redis_databases import redis_cache
from tests.conftest import log_in_without_second_factor

pytestmark = pytest.mark.redis


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def nothing_listening():
    """A Redis URL where nothing answers; the shared Redis is never stopped."""
    return f"redis://127.0.0.1:{_free_port()}/0"


def test_with_postgresql_and_redis_up_every_check_is_ok(client, db, redis_url):
    response = client.get("/health/")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "checks": {"database": "ok", "cache": "ok", "broker": "ok"}}
    assert "no-cache" in response["Cache-Control"]  # a proxy never answers for the node


def test_with_the_cache_unreachable_the_node_is_unavailable(client, db, redis_url, nothing_listening):
    with override_settings(CACHES={"default": redis_cache(nothing_listening)}):
        response = client.get("/health/")
    assert response.status_code == 503
    assert response.json() == {
        "status": "unavailable",
        "checks": {"database": "ok", "cache": "unavailable", "broker": "ok"},
    }


def test_with_the_broker_unreachable_the_node_is_unavailable(client, db, redis_url, nothing_listening):
    with override_settings(CELERY_BROKER_URL=nothing_listening):
        response = client.get("/health/")
    assert response.status_code == 503
    assert response.json()["checks"] == {"database": "ok", "cache": "ok", "broker": "unavailable"}


def test_a_failing_check_reveals_neither_server_nor_error(client, db, redis_url, nothing_listening):
    port = nothing_listening.rsplit(":", 1)[1].split("/")[0]
    with override_settings(CACHES={"default": redis_cache(nothing_listening)}, CELERY_BROKER_URL=nothing_listening):
        response = client.get("/health/", HTTP_ACCEPT="text/html")
    assert response["Content-Type"] == "application/json"
    body = response.content.decode()
    for detail in ("127.0.0.1", port, "Connection", "refused", "Error"):
        assert detail not in body


def test_the_health_check_needs_no_login_nor_second_factor(client, counsellor, redis_url):
    assert client.get("/health/").status_code == 200
    log_in_without_second_factor(client, counsellor)
    assert client.get("/health/").status_code == 200


def test_healthz_still_answers_for_the_database_alone(client, db, nothing_listening):
    """The cheap probe: a Redis outage, which every node shares, does not fail it (README, "Deployment")."""
    with override_settings(CACHES={"default": redis_cache(nothing_listening)}, CELERY_BROKER_URL=nothing_listening):
        assert client.get("/healthz").json() == {"status": "ok"}
