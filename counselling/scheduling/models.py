"""Scheduling: where and when counsellors can meet people, the meetings themselves, the letters that summon
people, the reminders before a meeting, calendars, and the flags about them.

The tables keep the names they had in the counselling app (`db_table`).
"""

import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from portal.discretion import revealing_words
from portal.models import UNIT_NAME_DEFAULT, CounsellingService, PostalAddress
from referrals.models import CaseLetter, RecipientKind

from .constraints import PostgresExclusionConstraint

# Meetings: where and when counsellors can meet people, the meetings themselves, what happened
# at them, the letters that summon people, and the reports the police are entitled to.


class LocationKind(models.TextChoices):
    OFFICE = "office", _("Office")
    VIDEO = "video", _("Video meeting")
    PHONE = "phone", _("Phone")


class Location(PostalAddress):
    """Where meetings take place: an office with an address, or a video or phone meeting."""

    service = models.ForeignKey(
        CounsellingService, on_delete=models.PROTECT, related_name="locations", verbose_name=_("service")
    )
    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("kind"), max_length=10, choices=LocationKind.choices, default=LocationKind.OFFICE)
    instructions = models.TextField(
        _("instructions for the person"),
        blank=True,
        help_text=_("Printed in the summons, e.g. which door to use, or that the counsellor will call."),
    )
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        db_table = "counselling_location"  # the table it had in the counselling app
        verbose_name = _("meeting location")
        verbose_name_plural = _("meeting locations")
        ordering = ["service__name", "name"]

    def __str__(self):
        return self.name


class Weekday(models.IntegerChoices):
    MONDAY = 0, _("Monday")
    TUESDAY = 1, _("Tuesday")
    WEDNESDAY = 2, _("Wednesday")
    THURSDAY = 3, _("Thursday")
    FRIDAY = 4, _("Friday")
    SATURDAY = 5, _("Saturday")
    SUNDAY = 6, _("Sunday")


class OpeningHours(models.Model):
    """A counsellor's weekly hours at one location. Norwegian public holidays are closed whatever these say."""

    service = models.ForeignKey(
        CounsellingService, on_delete=models.CASCADE, related_name="opening_hours", verbose_name=_("service")
    )
    counsellor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="opening_hours", verbose_name=_("counsellor")
    )
    location = models.ForeignKey(Location, on_delete=models.CASCADE, related_name="+", verbose_name=_("location"))
    weekday = models.PositiveSmallIntegerField(_("weekday"), choices=Weekday.choices)
    starts = models.TimeField(_("from"))
    ends = models.TimeField(_("to"))

    class Meta:
        db_table = "counselling_openinghours"  # the table it had in the counselling app
        verbose_name = _("opening hours")
        verbose_name_plural = _("opening hours")
        ordering = ["counsellor", "weekday", "starts"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends__gt=models.F("starts")),
                name="opening_hours_end_after_start",
                violation_error_message=_("The hours must end after they start."),
            ),
            models.CheckConstraint(condition=Q(weekday__lte=6), name="opening_hours_weekday_0_to_6"),
        ]

    def __str__(self):
        return f"{self.get_weekday_display()} {self.starts:%H:%M}–{self.ends:%H:%M} ({self.location})"

    def clean(self):
        if self.location_id and self.service_id and self.location.service_id != self.service_id:
            raise ValidationError({"location": _("Choose a meeting place of this service.")})


class AbsenceKind(models.TextChoices):
    HOLIDAY = "holiday", _("Holiday")
    SICK = "sick", _("Sick")
    COURSE = "course", _("Course or meeting")
    OTHER = "other", _("Other")


class AvailabilityException(models.Model):
    """A time the counsellor is away although their opening hours say otherwise."""

    service = models.ForeignKey(
        CounsellingService, on_delete=models.CASCADE, related_name="availability_exceptions", verbose_name=_("service")
    )
    counsellor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", verbose_name=_("counsellor")
    )
    kind = models.CharField(_("kind"), max_length=10, choices=AbsenceKind.choices, default=AbsenceKind.HOLIDAY)
    starts_at = models.DateTimeField(_("from"))
    ends_at = models.DateTimeField(_("to"))
    note = models.CharField(_("note"), max_length=200, blank=True)

    class Meta:
        db_table = "counselling_availabilityexception"  # the table it had in the counselling app
        verbose_name = _("absence")
        verbose_name_plural = _("absences")
        ordering = ["-starts_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=models.F("starts_at")),
                name="absence_end_after_start",
                violation_error_message=_("The absence must end after it starts."),
            ),
        ]

    def __str__(self):
        return f"{self.counsellor} – {self.get_kind_display()}"


class MeetingStatus(models.TextChoices):
    BOOKED = "booked", _("Booked")
    HELD = "held", _("Attendance recorded")
    RESCHEDULED = "rescheduled", _("Rescheduled")
    CANCELLED = "cancelled", _("Cancelled")


# Meetings in these states hold their counsellor's time.
HOLDS_TIME = [MeetingStatus.BOOKED, MeetingStatus.HELD]


class RequestedBy(models.TextChoices):
    PERSON = "person", _("The person")
    GUARDIAN = "guardian", _("A guardian")
    SERVICE = "service", _("The service")
    POLICE = "police", _("The police or prosecution")


class TsTzRange(models.Func):
    function = "TSTZRANGE"

    def __init__(self, *expressions, **extra):
        from django.contrib.postgres.fields import DateTimeRangeField

        super().__init__(*expressions, output_field=DateTimeRangeField(), **extra)


class Meeting(models.Model):
    """The mandatory meeting. Changed only through counselling.scheduling.services; a rescheduled meeting is kept,
    marked rescheduled, and points to the one that replaced it."""

    referral = models.ForeignKey(
        "referrals.Referral", on_delete=models.PROTECT, related_name="meetings", verbose_name=_("referral")
    )
    counsellor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="meetings", verbose_name=_("counsellor")
    )
    location = models.ForeignKey(Location, on_delete=models.PROTECT, related_name="+", verbose_name=_("location"))
    starts_at = models.DateTimeField(_("starts"))
    ends_at = models.DateTimeField(_("ends"))
    status = models.CharField(_("status"), max_length=12, choices=MeetingStatus.choices, default=MeetingStatus.BOOKED)
    late_reason = models.TextField(
        _("reason for booking after the deadline"), blank=True, help_text=_("Required after the attendance deadline.")
    )
    short_notice_reason = models.TextField(
        _("reason for a short notice"),
        blank=True,
        help_text=_("Required when the meeting is sooner than the service's minimum notice for a summons."),
    )
    booked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("booked by")
    )
    booked_at = models.DateTimeField(_("booked"), auto_now_add=True)
    replaces = models.OneToOneField(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="replaced_by",
        verbose_name=_("replaces"),
    )
    change_requested_by = models.CharField(
        _("change asked for by"), max_length=10, choices=RequestedBy.choices, blank=True
    )
    change_reason = models.TextField(_("reason for the change"), blank=True)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("changed by"),
    )
    changed_at = models.DateTimeField(_("changed"), null=True, blank=True)

    class Meta:
        db_table = "counselling_meeting"  # the table it had in the counselling app
        verbose_name = _("meeting")
        verbose_name_plural = _("meetings")
        ordering = ["starts_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=models.F("starts_at")),
                name="meeting_ends_after_start",
                violation_error_message=_("A meeting must end after it starts."),
            ),
            # The last word against double booking, also when two bookings race: one counsellor,
            # no two meetings that hold time overlapping. Half-open, so back-to-back meetings fit.
            PostgresExclusionConstraint(
                name="meeting_no_double_booking",
                expressions=[
                    ("counsellor", "="),
                    (TsTzRange("starts_at", "ends_at", models.Value("[)")), "&&"),
                ],
                condition=Q(status__in=HOLDS_TIME),
                violation_error_message=_("That time was just taken."),
            ),
            models.CheckConstraint(
                condition=~Q(status__in=[MeetingStatus.RESCHEDULED, MeetingStatus.CANCELLED]) | ~Q(change_reason=""),
                name="meeting_change_has_reason",
            ),
        ]
        indexes = [models.Index(fields=["counsellor", "starts_at"], name="meeting_counsellor_start_idx")]

    def __str__(self):
        from django.utils import timezone

        return f"{self.referral} {timezone.localtime(self.starts_at):%d.%m.%Y %H:%M}"

    @property
    def length_minutes(self) -> int:
        return int((self.ends_at - self.starts_at).total_seconds() // 60)

    @property
    def summons_dispatched(self) -> bool:
        """There is proof that the summons to the person left: how and on which day it was sent. Without it a
        no-show can start neither a fee case nor a report to the police."""
        return any(
            letter.is_dispatched
            for letter in self.letters.all()
            if letter.kind == LetterKind.SUMMONS and letter.recipient_kind == RecipientKind.PERSON
        )


# A summons leaves at least this many days before the meeting unless the service sets otherwise (SummonsPolicy).
DEFAULT_MINIMUM_NOTICE_DAYS = 7


class SummonsPolicy(models.Model):
    """How one counselling service summons people. A service without a row uses the defaults
    (counselling.scheduling.selectors.summons_policy_for)."""

    service = models.OneToOneField(
        CounsellingService, on_delete=models.CASCADE, related_name="summons_policy", verbose_name=_("service")
    )
    minimum_notice_days = models.PositiveSmallIntegerField(
        _("minimum notice (days)"),
        default=DEFAULT_MINIMUM_NOTICE_DAYS,
        help_text=_(
            "A meeting is booked at least this many days ahead, so the summons reaches the person in time. "
            "A sooner meeting needs a recorded reason."
        ),
    )

    class Meta:
        verbose_name = _("summons policy")
        verbose_name_plural = _("summons policies")
        ordering = ["service__name"]

    def __str__(self):
        return _("Summons policy of %(service)s") % {"service": self.service}


class LetterKind(models.TextChoices):
    SUMMONS = "summons", _("Summons")


class LetterTemplate(models.Model):
    """The text of a letter, in Django's template language, which administrators adjust in the admin.
    The letterhead, addresses and date come from templates/letters/base.html."""

    kind = models.CharField(_("kind"), max_length=20, choices=LetterKind.choices, unique=True)
    subject = models.CharField(
        _("email subject"),
        max_length=200,
        help_text=_("Shown on a locked phone: no drugs and not the unit's name. E.g. {{ sender_name }}."),
    )
    body = models.TextField(
        _("letter text"),
        help_text=_("HTML with Django template tags, e.g. {{ person.full_name }}, {{ meeting.starts_at }}."),
    )
    updated_at = models.DateTimeField(_("changed"), auto_now=True)

    class Meta:
        db_table = "counselling_lettertemplate"  # the table it had in the counselling app
        verbose_name = _("letter template")
        verbose_name_plural = _("letter templates")

    def __str__(self):
        return self.get_kind_display()

    def clean(self):
        super().clean()
        words = revealing_words(self.subject, unit_name=UNIT_NAME_DEFAULT)
        if words:
            raise ValidationError(
                {
                    "subject": _(
                        "An e-mail's subject shows on a locked phone, so it must not name drugs or the unit "
                        "(“%(words)s”). Use {{ sender_name }}, the service's neutral name."
                    )
                    % {"words": ", ".join(words)}
                }
            )


def letter_path(letter, filename):
    return f"letters/{letter.meeting.referral.service_id}/{filename}"


class Letter(CaseLetter):
    """A summons as sent: the PDF is kept with the meeting, and the email's fate with it."""

    meeting = models.ForeignKey(Meeting, on_delete=models.PROTECT, related_name="letters", verbose_name=_("meeting"))
    kind = models.CharField(_("kind"), max_length=20, choices=LetterKind.choices)
    email = models.EmailField(_("email"), blank=True)
    pdf = models.FileField(_("PDF"), upload_to=letter_path)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    emailed_at = models.DateTimeField(_("emailed"), null=True, blank=True)
    email_error = models.TextField(_("email error"), blank=True)

    class Meta:
        db_table = "counselling_letter"  # the table it had in the counselling app
        verbose_name = _("letter")
        verbose_name_plural = _("letters")
        ordering = ["meeting", "recipient_kind", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["meeting", "kind"], condition=Q(recipient_kind="person"), name="one_letter_to_the_person"
            ),
            models.UniqueConstraint(
                fields=["meeting", "kind", "guardian"],
                condition=Q(recipient_kind="guardian"),
                name="one_letter_to_each_guardian",
            ),
            models.CheckConstraint(
                condition=Q(recipient_kind="person", guardian__isnull=True)
                | Q(recipient_kind="guardian", guardian__isnull=False),
                name="letter_guardian_matches_recipient",
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} – {self.recipient_name}"

    @property
    def case_referral(self):
        return self.meeting.referral


class CalendarFeed(models.Model):
    """A counsellor's private iCal address. Whoever has the address sees times and case numbers, no names."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="calendar_feed", verbose_name=_("user")
    )
    token = models.CharField(_("token"), max_length=64, unique=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        db_table = "counselling_calendarfeed"  # the table it had in the counselling app
        verbose_name = _("calendar feed")
        verbose_name_plural = _("calendar feeds")

    def __str__(self):
        return str(self.user)


# Reminders and flags: rows with a due time and a state, so that a lost message, a dead worker or two
# beat processes delay work but never lose or double it.


class Channel(models.TextChoices):
    EMAIL = "email", _("Email")
    SMS = "sms", _("SMS")


EARLIEST_REMINDER, LATEST_REMINDER = datetime.time(8), datetime.time(20)


class ReminderRule(models.Model):
    """When reminders go out: this many days before the meeting, at this time of day in Norway."""

    days_before = models.PositiveSmallIntegerField(_("days before the meeting"))
    send_at = models.TimeField(
        _("time of day"), default=datetime.time(10), help_text=_("Norwegian time, between 08:00 and 20:00.")
    )
    channel = models.CharField(_("channel"), max_length=5, choices=Channel.choices)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        db_table = "counselling_reminderrule"  # the table it had in the counselling app
        verbose_name = _("reminder rule")
        verbose_name_plural = _("reminder rules")
        ordering = ["-days_before", "channel"]
        constraints = [
            models.UniqueConstraint(fields=["days_before", "channel"], name="one_reminder_rule_per_day_and_channel"),
            # Never at night: people are not woken by a reminder about a drug case.
            models.CheckConstraint(
                condition=Q(send_at__gte=EARLIEST_REMINDER, send_at__lte=LATEST_REMINDER),
                name="reminder_in_the_daytime",
                violation_error_message=_("Reminders go out between 08:00 and 20:00."),
            ),
        ]

    def __str__(self):
        return _("%(days)d days before, %(time)s, %(channel)s") % {
            "days": self.days_before,
            "time": self.send_at.strftime("%H:%M"),
            "channel": self.get_channel_display(),
        }


class ReminderText(models.Model):
    """The reminder's words per channel and language, in Django's template language: a service's own, or the
    default for every service without one.

    A text message and an e-mail's subject show on a locked phone, so they name neither drugs nor the unit
    (portal.discretion): the form refuses such words, and the sender checks what it renders."""

    service = models.ForeignKey(
        CounsellingService,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="reminder_texts",
        verbose_name=_("service"),
        help_text=_("Empty: the text of every service that has none of its own."),
    )
    channel = models.CharField(_("channel"), max_length=5, choices=Channel.choices)
    language = models.CharField(_("language"), max_length=2, choices=settings.LANGUAGES)
    subject = models.CharField(
        _("email subject"),
        max_length=200,
        blank=True,
        help_text=_(
            "Shown on a locked phone: no drugs and not the unit's name. E.g. Påminnelse: time hos {{ sender_name }}."
        ),
    )
    body = models.TextField(
        _("text"),
        help_text=_(
            "E.g. {{ sender_name }} (the service's neutral name), {{ meeting.starts_at|date:'j. F H:i' }}, "
            "{{ location.name }}, {{ service.phone }}. A text message shows on a locked phone: no drugs and not the "
            "unit's name."
        ),
    )

    class Meta:
        db_table = "counselling_remindertext"  # the table it had in the counselling app
        verbose_name = _("reminder text")
        verbose_name_plural = _("reminder texts")
        constraints = [
            models.UniqueConstraint(
                fields=["channel", "language"],
                condition=Q(service__isnull=True),
                name="one_default_reminder_text_per_language",
                violation_error_message=_("There is already a default text for this channel and language."),
            ),
            models.UniqueConstraint(
                fields=["service", "channel", "language"],
                name="one_reminder_text_per_service_and_language",
                violation_error_message=_("This service already has a text for this channel and language."),
            ),
        ]

    def __str__(self):
        where = self.service.name if self.service_id else _("every service")
        return f"{self.get_channel_display()} ({self.language}, {where})"

    def clean(self):
        super().clean()
        unit_name = self.service.unit_name if self.service_id else UNIT_NAME_DEFAULT
        # What shows on a locked phone: the whole text message, an e-mail's subject.
        seen = {"subject": self.subject, **({"body": self.body} if self.channel == Channel.SMS else {})}
        errors = {}
        for field, text in seen.items():
            words = revealing_words(text, unit_name=unit_name)
            if words:
                errors[field] = _(
                    "This shows on a locked phone, so it must not name drugs or the unit (“%(words)s”). "
                    "Use {{ sender_name }}, the service's neutral name."
                ) % {"words": ", ".join(words)}
        if errors:
            raise ValidationError(errors)


class ReminderState(models.TextChoices):
    PENDING = "pending", _("Pending")
    SENDING = "sending", _("Sending")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed")
    CANCELLED = "cancelled", _("Cancelled")


class Reminder(models.Model):
    """One reminder to one recipient through one channel. Made with the meeting, in the same transaction."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="reminders", verbose_name=_("meeting"))
    days_before = models.PositiveSmallIntegerField(_("days before the meeting"))
    channel = models.CharField(_("channel"), max_length=5, choices=Channel.choices)
    recipient_kind = models.CharField(_("recipient"), max_length=10, choices=RecipientKind.choices)
    guardian = models.ForeignKey(
        "referrals.Guardian", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    address = models.CharField(_("email or phone"), max_length=254)
    language = models.CharField(_("language"), max_length=2, default="nb")
    due_at = models.DateTimeField(_("due"))
    state = models.CharField(_("state"), max_length=10, choices=ReminderState.choices, default=ReminderState.PENDING)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    last_error = models.TextField(_("last error"), blank=True)
    provider_message_id = models.CharField(_("provider's message id"), max_length=200, blank=True)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)

    class Meta:
        db_table = "counselling_reminder"  # the table it had in the counselling app
        verbose_name = _("reminder")
        verbose_name_plural = _("reminders")
        ordering = ["due_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["meeting", "days_before", "channel"],
                condition=Q(recipient_kind="person"),
                name="one_reminder_to_the_person",
            ),
            models.UniqueConstraint(
                fields=["meeting", "days_before", "channel", "guardian"],
                condition=Q(recipient_kind="guardian"),
                name="one_reminder_to_each_guardian",
            ),
        ]
        indexes = [
            models.Index(fields=["due_at"], condition=Q(state="pending"), name="reminder_pending_due_idx"),
        ]

    def __str__(self):
        return f"{self.meeting} – {self.get_channel_display()} {self.days_before}d"

    @property
    def reference(self) -> str:
        """The same for every attempt, so a provider can drop a resend."""
        return f"reminder-{self.pk}"


class FlagKind(models.TextChoices):
    ATTENDANCE_NOT_RECORDED = "attendance_not_recorded", _("Attendance not recorded")
    DEADLINE_PASSED = "deadline_passed", _("Attendance deadline passed without a meeting held")
    LETTER_FAILED = "letter_failed", _("Letter could not be emailed")
    REMINDER_FAILED = "reminder_failed", _("Reminder could not be sent")
    MEETING_IN_ABSENCE = "meeting_in_absence", _("The counsellor is away at the time of the meeting")
    FEE_ANSWER_PERIOD_OVER = "fee_answer_period_over", _("Fee case: the answer period is over")
    FEE_APPEAL_PERIOD_OVER = "fee_appeal_period_over", _("Fee case: the appeal period is over")
    # The court fee changes every 1 January: a fee for a meeting in a year whose rate is not in the admin yet.
    FEE_COURT_FEE_MISSING = "fee_court_fee_missing", _("Fee case: add the court fee for the year of the meeting")
    # Drug testing (counselling.attendance): the thing flagged is named by `about`.
    TEST_OUTCOME_NOT_RECORDED = "test_outcome_not_recorded", _("Drug test: no outcome recorded by the end of the day")
    TEST_BREACH = "test_breach", _("Drug test: no-show or refusal to report to the police")
    PROGRAMME_SHORT_OF_TESTS = "programme_short_of_tests", _("Drug testing ended with fewer tests than planned")
    TEST_MESSAGE_FAILED = "test_message_failed", _("Drug test: the call-in or notice could not be sent")


class Flag(models.Model):
    """Something a person must look at, raised by a sweep and resolved by the action it asks for."""

    kind = models.CharField(_("kind"), max_length=30, choices=FlagKind.choices)
    referral = models.ForeignKey(
        "referrals.Referral", on_delete=models.CASCADE, related_name="flags", verbose_name=_("referral")
    )
    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, null=True, blank=True, related_name="flags")
    letter = models.ForeignKey(Letter, on_delete=models.CASCADE, null=True, blank=True, related_name="flags")
    reminder = models.ForeignKey(Reminder, on_delete=models.CASCADE, null=True, blank=True, related_name="flags")
    # What a flag of a floor above is about ("drugtest:12", "programme:3"), for the things this floor cannot point
    # to: unique with the kind, so each is flagged once.
    about = models.CharField(_("about"), max_length=40, blank=True, default="")
    raised_at = models.DateTimeField(_("raised"), auto_now_add=True)
    resolved_at = models.DateTimeField(_("resolved"), null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("resolved by"),
    )

    class Meta:
        db_table = "counselling_flag"  # the table it had in the counselling app
        verbose_name = _("flag")
        verbose_name_plural = _("flags")
        ordering = ["-raised_at"]
        # Each thing is flagged once, however often the sweeps run or however many run at once.
        constraints = [
            models.UniqueConstraint(
                fields=["meeting"], condition=Q(kind="attendance_not_recorded"), name="one_attendance_flag_per_meeting"
            ),
            # These two can come back after they were resolved (a late meeting cancelled, an absence added
            # again): one open at a time.
            models.UniqueConstraint(
                fields=["referral"],
                condition=Q(kind="deadline_passed", resolved_at__isnull=True),
                name="one_open_deadline_flag_per_referral",
            ),
            models.UniqueConstraint(fields=["letter"], condition=Q(kind="letter_failed"), name="one_flag_per_letter"),
            models.UniqueConstraint(
                fields=["reminder"], condition=Q(kind="reminder_failed"), name="one_flag_per_reminder"
            ),
            models.UniqueConstraint(
                fields=["meeting"],
                condition=Q(kind="meeting_in_absence", resolved_at__isnull=True),
                name="one_open_absence_flag_per_meeting",
            ),
            # A fee case is one per missed meeting, so its meeting identifies it.
            models.UniqueConstraint(
                fields=["meeting"], condition=Q(kind="fee_court_fee_missing"), name="one_court_fee_flag_per_case"
            ),
            models.UniqueConstraint(
                fields=["meeting"], condition=Q(kind="fee_answer_period_over"), name="one_fee_answer_flag_per_case"
            ),
            models.UniqueConstraint(
                fields=["meeting"], condition=Q(kind="fee_appeal_period_over"), name="one_fee_appeal_flag_per_case"
            ),
            models.UniqueConstraint(
                fields=["kind", "about"], condition=~Q(about=""), name="one_flag_per_kind_and_thing"
            ),
        ]
        indexes = [models.Index(fields=["referral"], condition=Q(resolved_at__isnull=True), name="flag_open_idx")]

    def __str__(self):
        return f"{self.get_kind_display()} – {self.referral}"

    @property
    def about_pk(self) -> int | None:
        """The id in `about` ("drugtest:12" -> 12), for the link to what is flagged."""
        _kind, _sep, pk = self.about.partition(":")
        return int(pk) if pk.isdigit() else None
