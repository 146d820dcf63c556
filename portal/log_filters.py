"""Logging filters for the console (config.settings LOGGING)."""

import logging

# Refusals the portal gives on purpose: a page of another service (404) or one the role may not open (403).
EXPECTED_REFUSALS = {403, 404}


class ExpectedRefusalsOnOneLine(logging.Filter):
    """Django logs a refused request with the exception's traceback. A 403 or 404 is the permission rule working,
    not a fault, so it is kept as its one line ("Forbidden (Permission denied): /service/…") and the traceback,
    which would bury real errors in the console and the log, is dropped. Errors (5xx) keep theirs."""

    def filter(self, record: logging.LogRecord) -> bool:
        if getattr(record, "status_code", None) in EXPECTED_REFUSALS:
            record.exc_info = None
            record.exc_text = None
        return True
