"""Reminders before the meeting, as rows: made with the meeting, claimed and sent by the sweep.

Each reminder is claimed with `select_for_update(skip_locked=True)` and stays locked while it is
sent and marked, in one transaction. A second sweep, or a second beat process, skips it; a worker
that dies mid-send releases the lock with its connection, and the reminder is sent by the next
sweep. Only the moment between the provider's answer and the commit is left, which is why the SMS
carries a reference the gateway can drop a repeat by.

Discretion: a text message and an e-mail's subject and sender show on a locked phone, so they name neither drugs
nor the unit. The texts are the service's own or the default (ReminderText), written with `{{ sender_name }}`, the
service's neutral name ("Oslo kommune"); what they render is checked (portal.discretion), and a text that would
give the case away, through its wording or a place's name, is replaced by the plain neutral one.
"""

from __future__ import annotations

import datetime
import logging
import smtplib

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.db.models import prefetch_related_objects
from django.template import Context, Template
from django.utils import formats, timezone, translation
from django.utils.translation import gettext

from portal.discretion import is_discreet, neutral_from_email
from portal.selectors import staff_name
from portal.sms import SmsError, send_sms
from referrals.recipients import guardians_informed, recipients_of

from ..calendar import meeting_invitation
from ..models import (
    Channel,
    Meeting,
    MeetingStatus,
    RecipientKind,
    Reminder,
    ReminderRule,
    ReminderState,
    ReminderText,
)
from .flags import flag_raise

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 5
# Minutes before the next try after the first, second... failed attempt. Kept as the reminder's due time, so
# the sweep picks it up again: no task is scheduled ahead.
RETRY_MINUTES = [1, 5, 15, 60]


def reminder_due_at(starts_at: datetime.datetime, rule: ReminderRule) -> datetime.datetime:
    """`rule.days_before` calendar days before the meeting's day, at `rule.send_at` Norwegian wall-clock time,
    whatever the UTC offset is on either day."""
    day = timezone.localdate(starts_at) - datetime.timedelta(days=rule.days_before)
    return datetime.datetime.combine(day, rule.send_at, timezone.get_current_timezone())


def _recipients(meeting: Meeting, *, on: datetime.date):
    """Whom a reminder due on `on` goes to (referrals.recipients), with their addresses and language."""
    person = meeting.referral.person
    for guardian in recipients_of(meeting.referral, on=on):
        if guardian is None:
            yield RecipientKind.PERSON, None, person.email, person.phone, person.preferred_language
        else:
            yield RecipientKind.GUARDIAN, guardian, guardian.email, guardian.phone, "nb"


def reminders_schedule(*, meeting: Meeting, now: datetime.datetime | None = None) -> list[Reminder]:
    """The meeting's reminders, one per rule and recipient who can be reached on its channel. Called inside
    the booking's transaction. A reminder whose time has already passed is not made."""
    now = now or timezone.now()
    # Who is reminded is asked once per rule (a guardian stops at the 18th birthday): the guardians once.
    prefetch_related_objects([meeting.referral], "guardians")
    reminders = []
    for rule in ReminderRule.objects.filter(is_active=True):
        due_at = reminder_due_at(meeting.starts_at, rule)
        if due_at <= now or due_at >= meeting.starts_at:
            continue
        for kind, guardian, email, phone, language in _recipients(meeting, on=timezone.localdate(due_at)):
            address = email if rule.channel == Channel.EMAIL else phone
            if not address:
                continue
            reminders.append(
                Reminder(
                    meeting=meeting,
                    days_before=rule.days_before,
                    channel=rule.channel,
                    recipient_kind=kind,
                    guardian=guardian,
                    address=address,
                    language=language,
                    due_at=due_at,
                )
            )
    return Reminder.objects.bulk_create(reminders)


def reminders_cancel(*, meeting: Meeting) -> int:
    """Cancel what has not gone out for a meeting that moved or was cancelled."""
    return Reminder.objects.filter(meeting=meeting, state=ReminderState.PENDING).update(state=ReminderState.CANCELLED)


def _render(reminder: Reminder, template_text: str, meeting: Meeting) -> str:
    referral = meeting.referral
    service = referral.service
    context = {
        "meeting": meeting,
        "location": meeting.location,
        "service": service,
        "sender_name": service.sender_name,
        "unit_name": service.unit_name,
        "person": referral.person,
        "guardian": reminder.guardian,
        "counsellor_name": staff_name(meeting.counsellor),
    }
    with translation.override(reminder.language):
        return Template(template_text).render(Context(context, autoescape=False)).strip()


def neutral_reminder(reminder: Reminder, meeting: Meeting) -> str:
    """The plain reminder that gives nothing away: "Påminnelse: time hos Oslo kommune 3. desember kl. 10:00"."""
    starts = timezone.localtime(meeting.starts_at)
    with translation.override(reminder.language):
        return gettext("Reminder: appointment with %(sender)s on %(date)s at %(time)s") % {
            "sender": meeting.referral.service.sender_name,
            "date": formats.date_format(starts, "MONTH_DAY_FORMAT"),
            "time": formats.time_format(starts, "H:i"),
        }


def _discreet(reminder: Reminder, text: str, meeting: Meeting) -> str:
    """`text` when it names neither drugs nor the unit; the neutral reminder otherwise (and a warning in the log,
    so an administrator can correct the text or the place's name)."""
    if is_discreet(text, unit_name=meeting.referral.service.unit_name):
        return text
    logger.warning("reminder %s: the text names drugs or the unit; the neutral text was sent instead", reminder.pk)
    return neutral_reminder(reminder, meeting)


def reminder_texts() -> dict[tuple[int | None, str, str], ReminderText]:
    """Every reminder text by (service id or None for the default, channel, language), read once per sweep."""
    return {(text.service_id, text.channel, text.language): text for text in ReminderText.objects.all()}


def _text(reminder: Reminder, texts: dict, service_id: int) -> ReminderText:
    """The service's own text in the reminder's language, else its own in the default language, else the
    default text in either."""
    for key in (
        (service_id, reminder.channel, reminder.language),
        (service_id, reminder.channel, settings.LANGUAGE_CODE),
        (None, reminder.channel, reminder.language),
        (None, reminder.channel, settings.LANGUAGE_CODE),
    ):
        if key in texts:
            return texts[key]
    raise LookupError(f"no {reminder.channel} reminder text in {settings.LANGUAGE_CODE}")


def _deliver(reminder: Reminder, meeting: Meeting, texts) -> str:
    """Send through the channel; the provider's message id, or an exception."""
    service = meeting.referral.service
    text = _text(reminder, texts, service.pk)
    body = _render(reminder, text.body, meeting)
    if reminder.channel == Channel.SMS:
        return send_sms(
            to=reminder.address,
            body=_discreet(reminder, body, meeting),
            reference=reminder.reference,
            sender=service.sms_sender_id,
        ).message_id
    message = EmailMultiAlternatives(
        subject=_discreet(reminder, _render(reminder, text.subject, meeting), meeting),
        body=body,
        from_email=neutral_from_email(service),
        to=[reminder.address],
        headers={"Message-ID": f"<{reminder.reference}@radgivende-enhet>"},
    )
    message.attach_alternative(
        "<p>" + "</p><p>".join(p.replace("\n", "<br>") for p in body.split("\n\n")) + "</p>", "text/html"
    )
    message.attach("samtale.ics", meeting_invitation(meeting), "text/calendar")
    message.send()
    return message.extra_headers["Message-ID"]


def _failed(reminder: Reminder, error: Exception, *, retryable: bool, now: datetime.datetime) -> None:
    reminder.last_error = str(error)[:500]
    if retryable and reminder.attempts < MAX_ATTEMPTS:
        reminder.state = ReminderState.PENDING
        reminder.due_at = now + datetime.timedelta(
            minutes=RETRY_MINUTES[min(reminder.attempts, len(RETRY_MINUTES)) - 1]
        )
    else:
        reminder.state = ReminderState.FAILED
        flag_raise(kind="reminder_failed", referral_id=reminder.meeting.referral_id, reminder=reminder)


def reminder_send_next(*, now: datetime.datetime | None = None, texts=None) -> Reminder | None:
    """Claim one due reminder no one else holds, send it and record the outcome, in one transaction. None when
    nothing is due (or everything due is being sent by someone else)."""
    now = now or timezone.now()
    with transaction.atomic():
        reminder = (
            Reminder.objects.select_for_update(skip_locked=True)
            .filter(state=ReminderState.PENDING, due_at__lte=now)
            .order_by("due_at", "pk")
            .first()
        )
        if reminder is None:
            return None
        meeting = Meeting.objects.select_related("referral__service", "referral__person", "location", "counsellor").get(
            pk=reminder.meeting_id
        )
        # Checked again at send time: a meeting that moved, was cancelled or has begun gets no reminder.
        # A guardian's reminder sent late (a retry, a sweep held up) is dropped from the 18th birthday on: it goes
        # by the age on the day it is sent (referrals.recipients).
        too_late_for_guardian = reminder.guardian_id is not None and not guardians_informed(
            meeting.referral, on=timezone.localdate(now)
        )
        if meeting.status != MeetingStatus.BOOKED or meeting.starts_at <= now or too_late_for_guardian:
            reminder.state = ReminderState.CANCELLED
            reminder.save(update_fields=["state"])
            return reminder
        reminder.state = ReminderState.SENDING
        reminder.attempts += 1
        try:
            reminder.provider_message_id = _deliver(reminder, meeting, texts or reminder_texts())
        except SmsError as error:
            _failed(reminder, error, retryable=error.retryable, now=now)
        except (OSError, smtplib.SMTPException) as error:
            _failed(reminder, error, retryable=True, now=now)
        except Exception as error:  # a broken text or address: never blocks the rest of the batch
            logger.exception("reminder %s could not be sent", reminder.pk)
            _failed(reminder, error, retryable=False, now=now)
        else:
            reminder.state = ReminderState.SENT
            reminder.sent_at = timezone.now()
            reminder.last_error = ""
        reminder.save(update_fields=["state", "attempts", "provider_message_id", "sent_at", "last_error", "due_at"])
        return reminder


def reminders_send_due(*, now: datetime.datetime | None = None, limit: int = 200) -> int:
    """Send what is due, one claimed reminder at a time, at most `limit` in one sweep. Returns how many were
    handled (sent, failed, retried later or dropped)."""
    handled = 0
    texts = reminder_texts()
    while handled < limit and reminder_send_next(now=now, texts=texts) is not None:
        handled += 1
    return handled
