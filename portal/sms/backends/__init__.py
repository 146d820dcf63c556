"""SMS backends: each a `SmsBackend` class with `send(*, to, body) -> SmsSent`."""
