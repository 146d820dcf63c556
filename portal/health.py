"""`/health/`: whether a web node reaches what it shares with the others (README, "Deployment").

The checks are django-health-check's: the database answers SELECT 1, the cache stores and returns a key of its own
(expiring in seconds), and the Celery broker's Redis answers PING. The broker is checked by a connection of its own
rather than the package's Celery ping, which needs a worker to answer: a node that can publish a task is healthy
while the workers restart. The answer names each check and says "ok" or "unavailable", nothing more; what failed
and why goes to the log (logger "health_check"), not to whoever asks.
"""

import asyncio

from django.conf import settings
from django.http import JsonResponse
from health_check.base import HealthCheck
from health_check.checks import Cache, Database
from health_check.contrib.redis import Redis
from health_check.views import HealthCheckView
from redis.asyncio import Redis as RedisClient


def _broker_client() -> RedisClient:
    # Short timeouts: a broker that does not answer fails the check in seconds instead of holding the request.
    return RedisClient.from_url(settings.CELERY_BROKER_URL, socket_connect_timeout=2, socket_timeout=2)


def node_checks() -> dict[str, HealthCheck]:
    """What `/health/` checks, by the name its answer gives each."""
    checks = {"database": Database(), "cache": Cache()}
    # `make run`'s filesystem broker is a folder, not a service; check --deploy refuses it in production (portal.E002).
    if settings.CELERY_BROKER_URL.startswith(("redis://", "rediss://")):
        checks["broker"] = Redis(client_factory=_broker_client)
    return checks


class NodeHealthView(HealthCheckView):
    """200 when every check passes, else 503 (the node is up but cannot serve; a 500 is a bug). Always JSON: the
    package's HTML page has an inline style our Content Security Policy refuses, and names the servers it checked."""

    def get_checks(self):
        yield from node_checks().values()

    async def get(self, request, *args, **kwargs):
        checks = node_checks()
        with self.get_executor() as executor:
            results = await asyncio.gather(*(check.get_result(executor) for check in checks.values()))
        answers = {
            name: "ok" if result.error is None else "unavailable" for name, result in zip(checks, results, strict=True)
        }
        healthy = all(answer == "ok" for answer in answers.values())
        return JsonResponse(
            {"status": "ok" if healthy else "unavailable", "checks": answers}, status=200 if healthy else 503
        )
