"""Append messages to `SMS_FILE_PATH/messages.jsonl` instead of sending them: the default for
`make run`, where the web process and the Celery worker both send and a console is not at hand."""

import json
import uuid
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils import timezone

from portal.sms import SmsSent

from .base import BaseSmsBackend

FILE_NAME = "messages.jsonl"


class SmsBackend(BaseSmsBackend):
    def __init__(self, *, file_path=None):
        directory = file_path if file_path is not None else getattr(settings, "SMS_FILE_PATH", None)
        if not directory:
            raise ImproperlyConfigured("The file-based SMS backend needs SMS_FILE_PATH (a directory).")
        self.directory = Path(directory)
        try:
            self.directory.mkdir(parents=True, exist_ok=True)
        except OSError as error:
            raise ImproperlyConfigured(f"SMS_FILE_PATH {self.directory} is not a directory we can create.") from error
        self.path = self.directory / FILE_NAME

    def send(self, *, to: str, body: str, reference: str = "", sender: str = "") -> SmsSent:
        message_id = uuid.uuid4().hex
        line = json.dumps(
            {
                "id": message_id,
                "at": timezone.now().isoformat(),
                "to": to,
                "from": sender or settings.SMS_SENDER,
                "message": body,
            },
            ensure_ascii=False,
        )
        # One write of a whole line in append mode, so processes appending at once do not
        # split each other's lines.
        with self.path.open("a", encoding="utf-8") as file:
            file.write(line + "\n")
        return SmsSent(message_id=message_id)
