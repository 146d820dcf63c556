from portal.sms import SmsSent


class BaseSmsBackend:
    """Send one message. Callers go through `portal.sms.send_sms`, which checks the number."""

    def send(self, *, to: str, body: str) -> SmsSent:
        """SmsSent when the message was accepted; SmsError otherwise."""
        raise NotImplementedError("SMS backends must implement send()")
