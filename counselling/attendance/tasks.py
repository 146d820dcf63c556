"""Thin tasks: call a service. Safe to run twice."""

from celery import shared_task

from .sweeps import police_reports_for_passed_deadlines


@shared_task(name="attendance.deadlines_report")
def deadlines_report() -> int:
    """Hourly on beat: condition-route cases whose attendance deadline passed after a no-show are reported to the
    police as not attended (to be sent) and closed, once each."""
    return police_reports_for_passed_deadlines()
