"""Text messages to the people summoned, through a backend chosen in settings, like Django's mail.

`settings.SMS_BACKEND` names the backend class: the HTTP gateway in production, a file under
`var/sms/` for `make run`, memory (`portal.sms.outbox`) in tests. Only a positive answer from
the provider counts as sent: every other outcome raises `SmsError`, which says whether trying
again later could help.
"""

import re
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.module_loading import import_string

from portal.phone import normalise_phone

# An alphanumeric sender ID, as gateways accept it: at most 11 ASCII letters and digits (no "å").
SENDER_ID = re.compile(r"[A-Za-z0-9]{1,11}")


@dataclass(frozen=True)
class SmsSent:
    """The provider accepted the message; its id is the handle for delivery reports."""

    message_id: str


@dataclass(frozen=True)
class SmsMessage:
    """A message as the console, file and memory backends record it."""

    message_id: str
    to: str
    sender: str
    body: str
    reference: str = ""


class SmsError(Exception):
    """The message was not (provably) sent. `retryable` is true when the same message may succeed
    later (timeout, no connection, the provider busy or down), false when it never will as it is."""

    def __init__(self, message: str, retryable: bool):
        # Both in args, so pickle and Celery's JSON result serializer can rebuild the exception.
        super().__init__(message, retryable)
        self.message = message
        self.retryable = retryable

    def __str__(self) -> str:
        return self.message


# Messages "sent" with the locmem backend, for tests of code that sends SMS (like
# django.core.mail.outbox); clear it in a test that looks at it.
outbox: list[SmsMessage] = []


def get_backend(path: str | None = None, **kwargs):
    """An instance of the backend class named by `path`, or by settings.SMS_BACKEND."""
    return import_string(path or settings.SMS_BACKEND)(**kwargs)


def send_sms(*, to: str, body: str, reference: str = "", sender: str = "", backend=None) -> SmsSent:
    """Send `body` to the E.164 number `to`, from `sender` (empty: SMS_SENDER); SmsSent only when the provider
    accepted it.

    A number that is not in E.164 is refused (ValueError) before anything is sent: numbers
    are normalised when they are stored, so another form here is a bug, not a typing error.
    """
    try:
        is_e164 = bool(to) and normalise_phone(to) == to
    except ValidationError:
        is_e164 = False
    if not is_e164:
        raise ValueError("SMS recipients must be phone numbers in E.164 form, e.g. +4791234567.")
    if backend is None:
        backend = get_backend()
    if sender and not SENDER_ID.fullmatch(sender):
        raise ValueError("An SMS sender ID is 1 to 11 ASCII letters and digits.")
    return backend.send(to=to, body=body, reference=reference, sender=sender)
