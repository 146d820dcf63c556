"""Print messages instead of sending them: for a developer watching the terminal."""

import sys
import threading
import uuid

from django.conf import settings

from portal.sms import SmsSent

from .base import BaseSmsBackend


class SmsBackend(BaseSmsBackend):
    def __init__(self, *, stream=None):
        self.stream = stream or sys.stdout
        # Threads sharing the backend must not interleave their messages' lines.
        self._lock = threading.RLock()

    def send(self, *, to: str, body: str, reference: str = "", sender: str = "") -> SmsSent:
        message_id = uuid.uuid4().hex
        with self._lock:
            self.stream.write(
                f"SMS {message_id}\nFrom: {sender or settings.SMS_SENDER}\nTo: {to}\n\n{body}\n{'-' * 79}\n"
            )
            self.stream.flush()
        return SmsSent(message_id=message_id)
