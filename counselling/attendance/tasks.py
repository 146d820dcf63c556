"""Thin tasks: call a service. Safe to run twice."""

from celery import shared_task

from .services.testing_messages import drug_test_messages_send_due
from .sweeps import police_reports_for_passed_deadlines
from .testing_sweeps import drug_test_flags_raise, programmes_end_due


@shared_task(name="attendance.deadlines_report")
def deadlines_report() -> int:
    """Hourly on beat: condition-route cases whose attendance deadline passed after a no-show are reported to the
    police as not attended (to be sent) and closed, once each."""
    return police_reports_for_passed_deadlines()


@shared_task(name="attendance.test_messages_send")
def drug_test_messages_send() -> int:
    """Every minute on beat: call-ins, and the notices and reminders of announced tests. Safe to run twice at once:
    each message is claimed with skip_locked."""
    return drug_test_messages_send_due()


@shared_task(name="attendance.testing_sweep")
def testing_sweep() -> int:
    """Hourly on beat: tests of past days without an outcome are flagged, and programmes past their last day are
    ended with their report to the police. Safe to run twice: flags are unique, programmes end once."""
    return drug_test_flags_raise() + programmes_end_due()
