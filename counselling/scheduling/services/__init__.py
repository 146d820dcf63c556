"""Changes in scheduling. Each function is one transaction, checks the change is allowed and writes the case
timeline and the audit log. Grouped by subject; import from here."""

from .booking import DEFAULT_LENGTH, absence_add, absence_remove, meeting_book, meeting_cancel, meeting_reschedule
from .flags import flag_resolve, flags_raise
from .letters import (
    letter_email_retry,
    letter_email_send,
    letter_template,
    summons_letter_dispatch,
    summons_letter_receipt,
    summons_letters_make,
)

__all__ = [
    "DEFAULT_LENGTH",
    "absence_add",
    "absence_remove",
    "flag_resolve",
    "flags_raise",
    "letter_email_retry",
    "letter_email_send",
    "letter_template",
    "meeting_book",
    "meeting_cancel",
    "meeting_reschedule",
    "summons_letter_dispatch",
    "summons_letter_receipt",
    "summons_letters_make",
]
