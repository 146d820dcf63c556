"""Thin tasks: call a service. Safe to run twice."""

from celery import shared_task

from .sweeps import fee_deadlines_flag


@shared_task(name="fees.deadlines_flag")
def deadlines_flag() -> int:
    """Daily on beat: fee cases whose answer or appeal period is over are flagged (once each)."""
    return fee_deadlines_flag()
