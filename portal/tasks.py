import logging

from celery import shared_task
from django.db import transaction

logger = logging.getLogger(__name__)


@shared_task(name="portal.health_ping")
def health_ping(token: str) -> str:
    """Echo a token: proves a worker takes tasks from the broker and returns results."""
    return token


def publish_on_commit(task, *args) -> None:
    """Queue `task` once the transaction commits. A broker that is down must not fail the user's request
    after their change is saved: the row stays unsent, and the sweeps that look for unsent work pick it up."""

    def publish():
        try:
            task.delay(*args)
        except Exception:  # kombu raises OperationalError, redis ConnectionError, OSError...
            logger.warning("could not queue %s%r; the next sweep will", task.name, args, exc_info=True)

    transaction.on_commit(publish)


@shared_task(name="portal.retention_sweep")
def retention_sweep() -> dict:
    """Daily on beat. Safe to run twice: what is anonymised is not touched again."""
    from .retention import retention_sweep as sweep

    return sweep().counts
