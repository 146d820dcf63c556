import logging

from celery import current_app, shared_task
from django.db import transaction

logger = logging.getLogger(__name__)


@shared_task(name="portal.health_ping")
def health_ping(token: str) -> str:
    """Echo a token: proves a worker takes tasks from the broker and returns results."""
    return token


def publish_on_commit(task_name: str, *args) -> None:
    """Queue the task `task_name` once the transaction commits. A broker that is down must not fail the user's
    request after their change is saved: the row stays unsent, and the sweeps that look for unsent work pick it up.

    By name, so that a service publishes its app's task without importing the tasks module, which imports the
    service. The task is the registered one, so eager mode and its retry options apply."""

    def publish():
        try:
            current_app.signature(task_name, args=args).delay()
        except Exception:  # kombu raises OperationalError, redis ConnectionError, OSError...
            logger.warning("could not queue %s%r; the next sweep will", task_name, args, exc_info=True)

    transaction.on_commit(publish)
