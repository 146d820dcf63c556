"""Changes in attendance and police reports. Each function is one transaction, checks the change is allowed and
writes the case timeline and the audit log; import from here."""

from .attendance import AttendanceDetails, attendance_record
from .police_reports import police_report_make, police_report_mark_sent

__all__ = ["AttendanceDetails", "attendance_record", "police_report_make", "police_report_mark_sent"]
