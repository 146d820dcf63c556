"""Thin tasks: load by id, call a service. Safe to run twice."""

import smtplib

from celery import shared_task

from .services import flags, reminders
from .services.letters import letter_email_send, letters_send_unsent


@shared_task(
    name="counselling.letter_email",
    autoretry_for=(OSError, smtplib.SMTPException),
    retry_backoff=5,
    retry_backoff_max=60,  # seconds: a longer outage is left to the sweep that finds unsent letters
    max_retries=4,
)
def letter_email(letter_id: int) -> None:
    letter_email_send(letter_id=letter_id)


@shared_task(name="counselling.reminders_send_due")
def reminders_send_due() -> int:
    """Every minute on beat. Safe to run twice at once: each reminder is claimed with skip_locked, each letter
    locked while it is emailed."""
    sent = reminders.reminders_send_due()
    letters_send_unsent()
    return sent


@shared_task(name="counselling.flags_raise")
def flags_raise() -> int:
    """Every few minutes on beat. Safe to run twice at once: each flag is unique."""
    return flags.flags_raise()
