"""Changes in the counselling app. Each function is one transaction, checks the change is allowed and writes
the case timeline and the audit log. Grouped by subject; import from here."""

from .attendance import AttendanceDetails, attendance_record
from .booking import DEFAULT_LENGTH, absence_add, absence_remove, meeting_book, meeting_cancel, meeting_reschedule
from .flags import flag_resolve, flags_raise
from .letters import letter_email_retry, letter_email_send, letter_template, summons_letters_make
from .memberships import LEAD_PERMISSION, membership_deactivate, membership_grant
from .police_reports import police_report_make, police_report_mark_sent

__all__ = [
    "DEFAULT_LENGTH",
    "LEAD_PERMISSION",
    "AttendanceDetails",
    "absence_add",
    "absence_remove",
    "attendance_record",
    "flag_resolve",
    "flags_raise",
    "letter_email_retry",
    "letter_email_send",
    "letter_template",
    "meeting_book",
    "meeting_cancel",
    "meeting_reschedule",
    "membership_deactivate",
    "membership_grant",
    "police_report_make",
    "police_report_mark_sent",
    "summons_letters_make",
]
