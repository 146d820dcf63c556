"""Keep messages in `portal.sms.outbox` instead of sending them: for tests of code that sends SMS."""

import uuid

from django.conf import settings

from portal import sms
from portal.sms import SmsMessage, SmsSent

from .base import BaseSmsBackend


class SmsBackend(BaseSmsBackend):
    def send(self, *, to: str, body: str, reference: str = "", sender: str = "") -> SmsSent:
        message_id = uuid.uuid4().hex
        # Looked up on the module each time, so a test may replace the list.
        sms.outbox.append(
            SmsMessage(
                message_id=message_id, to=to, sender=sender or settings.SMS_SENDER, body=body, reference=reference
            )
        )
        return SmsSent(message_id=message_id)
