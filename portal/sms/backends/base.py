from portal.sms import SmsSent


class BaseSmsBackend:
    """Send one message. Callers go through `portal.sms.send_sms`, which checks the number."""

    def send(self, *, to: str, body: str, reference: str = "") -> SmsSent:
        """SmsSent when the message was accepted; SmsError otherwise. `reference` is the sender's own id for the
        message: a gateway that supports it drops a second message with the same reference, so a send retried
        after a crash reaches the person once."""
        raise NotImplementedError("SMS backends must implement send()")
