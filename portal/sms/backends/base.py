from portal.sms import SmsSent


class BaseSmsBackend:
    """Send one message. Callers go through `portal.sms.send_sms`, which checks the number."""

    def send(self, *, to: str, body: str, reference: str = "", sender: str = "") -> SmsSent:
        """SmsSent when the message was accepted; SmsError otherwise. `reference` is the sender's own id for the
        message: a gateway that supports it drops a second message with the same reference, so a send retried
        after a crash reaches the person once. `sender` is the sender ID the person sees (a counselling service's
        own, neutral one); empty: the backend's default, SMS_SENDER."""
        raise NotImplementedError("SMS backends must implement send()")
