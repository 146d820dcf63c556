from celery import shared_task

from .retention import retention_sweep as sweep


# The name is what beat's schedule stores (setup_schedules), so it stays as it was when this lived in portal.
@shared_task(name="portal.retention_sweep")
def retention_sweep() -> dict:
    """Daily on beat. Safe to run twice: what is anonymised is not touched again."""
    return sweep().counts
