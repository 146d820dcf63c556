"""Messages to the person about drug tests: the call-in on the morning of its day ("meet today before 15:00"),
and the notice and reminder of an announced test. Rows with a due time, claimed and sent by the sweep exactly as
reminders are (counselling.scheduling.services.reminders): each is locked with skip_locked while it is sent and
marked, in one transaction, so overlapping sweeps or a killed worker never send it twice, and its reference lets
the SMS gateway drop the repeat of the one moment left.

Discretion: the text shows on a locked phone, so it names neither drugs, tests nor the unit: the service's
neutral sender name, the time and the address. A text that would give the case away (a place's name that does)
is replaced by the plain one without the place.
"""

from __future__ import annotations

import datetime
import logging
import smtplib

from django.core.mail import EmailMessage
from django.db import transaction
from django.utils import formats, timezone, translation
from django.utils.translation import gettext

from counselling.scheduling.services.flags import flag_raise
from portal.discretion import is_discreet, neutral_from_email
from portal.sms import SmsError, send_sms

from ..models import CallInChannel, CallInMessage, CallInPurpose, CallInState, DrugTest, DrugTestStatus

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 5
RETRY_MINUTES = [1, 5, 15, 60]


def _place(test: DrugTest) -> str:
    location = test.location
    if location is None:
        return ""
    return ", ".join(part for part in (location.street_address, location.postal_town) if part)


def drug_test_message_text(message: CallInMessage, test: DrugTest, *, with_place: bool = True) -> str:
    """What the person reads: who, when and where, nothing about what for."""
    service = test.programme.referral.service
    place = _place(test) if with_place else ""
    with translation.override(message.language):
        if message.purpose == CallInPurpose.CALL_IN:
            text = gettext("You are asked to come to %(sender)s today before %(time)s. Bring ID.") % {
                "sender": service.sender_name,
                "time": formats.time_format(test.programme.call_in_by, "H:i"),
            }
        else:
            starts = timezone.localtime(test.starts_at)
            text = gettext("Appointment with %(sender)s on %(date)s at %(time)s. Bring ID.") % {
                "sender": service.sender_name,
                "date": formats.date_format(starts, "MONTH_DAY_FORMAT"),
                "time": formats.time_format(starts, "H:i"),
            }
            if message.purpose == CallInPurpose.REMINDER:
                text = gettext("Reminder: %(text)s") % {"text": text}
        if place:
            text = gettext("%(text)s Address: %(place)s.") % {"text": text, "place": place}
    return text


def _discreet_text(message: CallInMessage, test: DrugTest) -> str:
    service = test.programme.referral.service
    text = drug_test_message_text(message, test)
    if is_discreet(text, unit_name=service.unit_name):
        return text
    logger.warning("test message %s: the place names drugs or the unit; sent without it", message.pk)
    return drug_test_message_text(message, test, with_place=False)


def _deliver(message: CallInMessage, test: DrugTest) -> str:
    service = test.programme.referral.service
    body = _discreet_text(message, test)
    if message.channel == CallInChannel.SMS:
        return send_sms(
            to=message.address, body=body, reference=message.reference, sender=service.sms_sender_id
        ).message_id
    with translation.override(message.language):
        subject = gettext("Appointment with %(sender)s") % {"sender": service.sender_name}
    email = EmailMessage(
        subject=subject,
        body=body,
        from_email=neutral_from_email(service),
        to=[message.address],
        headers={"Message-ID": f"<{message.reference}@radgivende-enhet>"},
    )
    email.send()
    return email.extra_headers["Message-ID"]


def _still_wanted(message: CallInMessage, test: DrugTest, now: datetime.datetime) -> bool:
    """Checked at send time: a cancelled test, an ended programme, a call-in whose time to meet has passed, or an
    announced test that has begun gets nothing."""
    if test.status != DrugTestStatus.PLANNED or not test.programme.is_running:
        return False
    if message.purpose == CallInPurpose.CALL_IN:
        return timezone.localdate(now) == test.day and now < test.ends_at
    return now < test.starts_at


def _failed(message: CallInMessage, test: DrugTest, error: Exception, *, retryable: bool, now) -> None:
    message.last_error = str(error)[:500]
    if retryable and message.attempts < MAX_ATTEMPTS:
        message.state = CallInState.PENDING
        message.due_at = now + datetime.timedelta(minutes=RETRY_MINUTES[min(message.attempts, len(RETRY_MINUTES)) - 1])
    else:
        message.state = CallInState.FAILED
        _flag_not_sent(message, test)


def _flag_not_sent(message: CallInMessage, test: DrugTest) -> None:
    # A call-in that did not reach the person is not a no-show: staff must know before recording one.
    flag_raise(kind="test_message_failed", referral_id=test.programme.referral_id, about=f"testmessage:{message.pk}")


def _lapsed(message: CallInMessage, test: DrugTest) -> bool:
    """Not wanted only because its time passed before it went out (retries past the time to meet by, the sweep down
    all morning): the test still stands, and the person was never told of it. A late reminder only repeats a notice."""
    return (
        test.status == DrugTestStatus.PLANNED
        and test.programme.is_running
        and message.purpose in (CallInPurpose.CALL_IN, CallInPurpose.NOTICE)
    )


def drug_test_message_send_next(*, now: datetime.datetime | None = None) -> CallInMessage | None:
    """Claim one due message no one else holds, send it and record how it went, in one transaction. None when
    nothing is due (or everything due is being sent by someone else)."""
    now = now or timezone.now()
    with transaction.atomic():
        message = (
            CallInMessage.objects.select_for_update(skip_locked=True)
            .filter(state=CallInState.PENDING, due_at__lte=now)
            .order_by("due_at", "pk")
            .first()
        )
        if message is None:
            return None
        test = DrugTest.objects.select_related(
            "programme__referral__service", "programme__referral__person", "location"
        ).get(pk=message.test_id)
        if not _still_wanted(message, test, now):
            message.state = CallInState.CANCELLED
            message.save(update_fields=["state"])
            if _lapsed(message, test):
                _flag_not_sent(message, test)
            return message
        message.state = CallInState.SENDING
        message.attempts += 1
        try:
            message.provider_message_id = _deliver(message, test)
        except SmsError as error:
            _failed(message, test, error, retryable=error.retryable, now=now)
        except (OSError, smtplib.SMTPException) as error:
            _failed(message, test, error, retryable=True, now=now)
        except Exception as error:  # a broken address: never blocks the rest of the batch
            logger.exception("test message %s could not be sent", message.pk)
            _failed(message, test, error, retryable=False, now=now)
        else:
            message.state = CallInState.SENT
            message.sent_at = timezone.now()
            message.last_error = ""
        message.save(update_fields=["state", "attempts", "provider_message_id", "sent_at", "last_error", "due_at"])
        return message


def drug_test_messages_send_due(*, now: datetime.datetime | None = None, limit: int = 200) -> int:
    """Send what is due, one claimed message at a time, at most `limit` in one sweep."""
    handled = 0
    while handled < limit and drug_test_message_send_next(now=now) is not None:
        handled += 1
    return handled
