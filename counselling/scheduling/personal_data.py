"""The scheduling app's personal data (portal.personal_data): meetings, summons letters and reminders, and the
models that only look as if they held any. Registered from SchedulingConfig.ready()."""

from portal.personal_data import ANONYMISED, Anonymise, PersonalData, file_kept, placeholder_unless_empty, staff

from .models import AvailabilityException, Letter, LetterTemplate, Location, Meeting, Reminder, ReminderText

POINTS_AT_THE_GUARDIAN = "Points at the guardian's row, which is anonymised with the case."


def _meeting(meeting: Meeting) -> dict:
    return {
        "starts_at": meeting.starts_at,
        "ends_at": meeting.ends_at,
        "status": meeting.get_status_display(),
        "counsellor": staff(meeting.counsellor),
        "location": meeting.location.name,
        "late_reason": meeting.late_reason,
        "short_notice_reason": meeting.short_notice_reason,
        "change_requested_by": meeting.get_change_requested_by_display(),
        "change_reason": meeting.change_reason,
    }


def _letter(letter: Letter) -> dict:
    return {
        "kind": letter.get_kind_display(),
        "recipient": letter.recipient_name,
        "email": letter.email,
        "created_at": letter.created_at,
        "emailed_at": letter.emailed_at,
        "sent_by": letter.get_dispatch_method_display(),
        "sent_on": letter.sent_on,
        "reached_the_recipient_on": letter.delivered_on,
        "file_kept": file_kept(letter.pdf),
    }


def _reminder(reminder: Reminder) -> dict:
    return {
        "channel": reminder.get_channel_display(),
        "to": reminder.address,
        "due_at": reminder.due_at,
        "state": reminder.get_state_display(),
        "sent_at": reminder.sent_at,
    }


DECLARATIONS = (
    PersonalData(
        model=Meeting,
        belongs_to="referral",
        export_key="meetings",
        export=_meeting,
        select_related=("counsellor", "location"),
        anonymise=(
            Anonymise("late_reasons", {"late_reason": ""}),
            Anonymise("short_notice_reasons", {"short_notice_reason": ""}),
            # A rescheduled or cancelled meeting must keep a reason (a constraint): it becomes the placeholder.
            Anonymise("change_reasons", {"change_reason": placeholder_unless_empty("change_reason")}),
        ),
    ),
    PersonalData(
        model=Letter,
        belongs_to="meeting",
        export_key="letters",
        export=_letter,
        anonymise=(Anonymise("letter_recipients", {"recipient_name": ANONYMISED, "email": "", "email_error": ""}),),
        files=("pdf",),
        kept={"guardian": POINTS_AT_THE_GUARDIAN},
    ),
    PersonalData(
        model=Reminder,
        belongs_to="meeting",
        export_key="reminders",
        export=_reminder,
        # The gateway's error can quote the number it could not reach.
        anonymise=(Anonymise("reminders", {"address": "", "last_error": ""}),),
        kept={"guardian": POINTS_AT_THE_GUARDIAN},
    ),
    # The service's own places and texts, and staff's absences: nothing about the people in the cases.
    PersonalData(
        model=Location,
        kept={
            "name": "The meeting place's name.",
            "street_address": "The office's address, printed on summons letters.",
            "postal_code": "The office's address, printed on summons letters.",
            "postal_town": "The office's address, printed on summons letters.",
            "instructions": "Directions to the place, the same in every summons.",
        },
    ),
    PersonalData(
        model=LetterTemplate,
        kept={"body": "The template administrators write; a letter's names are filled in when it is made."},
    ),
    PersonalData(
        model=ReminderText,
        kept={"body": "The template administrators write; a reminder's details are filled in when it is sent."},
    ),
    PersonalData(
        model=AvailabilityException,
        kept={"note": "A counsellor's own note on their absence: about staff, not about the people in the cases."},
    ),
)
