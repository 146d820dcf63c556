from celery import shared_task


@shared_task(name="portal.health_ping")
def health_ping(token: str) -> str:
    """Echo a token: proves a worker takes tasks from the broker and returns results."""
    return token
