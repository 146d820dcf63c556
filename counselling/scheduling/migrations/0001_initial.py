"""Scheduling's models move here from the counselling app. Their tables keep their names, so this changes
the migration state only."""

import datetime

import django.core.validators
import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

import counselling.scheduling.constraints
import counselling.scheduling.models


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        # The tables exist once the counselling app's history has built them.
        ("counselling", "0010_names_as_long_as_the_intake_form_takes"),
        ("portal", "0007_organisation_from_counselling"),
        ("referrals", "0009_organisation_in_portal"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    state_operations = [
        migrations.CreateModel(
            name="LetterTemplate",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                (
                    "kind",
                    models.CharField(choices=[("summons", "Summons")], max_length=20, unique=True, verbose_name="kind"),
                ),
                ("subject", models.CharField(max_length=200, verbose_name="email subject")),
                (
                    "body",
                    models.TextField(
                        help_text="HTML with Django template tags, e.g. {{ person.full_name }}, {{ meeting.starts_at }}.",
                        verbose_name="letter text",
                    ),
                ),
                ("updated_at", models.DateTimeField(auto_now=True, verbose_name="changed")),
            ],
            options={
                "verbose_name": "letter template",
                "verbose_name_plural": "letter templates",
                "db_table": "counselling_lettertemplate",
            },
        ),
        migrations.CreateModel(
            name="CalendarFeed",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("token", models.CharField(max_length=64, unique=True, verbose_name="token")),
                ("created_at", models.DateTimeField(auto_now_add=True, verbose_name="created")),
                (
                    "user",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="calendar_feed",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="user",
                    ),
                ),
            ],
            options={
                "verbose_name": "calendar feed",
                "verbose_name_plural": "calendar feeds",
                "db_table": "counselling_calendarfeed",
            },
        ),
        migrations.CreateModel(
            name="Location",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("street_address", models.CharField(blank=True, max_length=200, verbose_name="street address")),
                (
                    "postal_code",
                    models.CharField(
                        blank=True,
                        max_length=4,
                        validators=[
                            django.core.validators.RegexValidator(
                                "^[0-9]{4}$", "A postal code is four digits, for example 0155."
                            )
                        ],
                        verbose_name="postal code",
                    ),
                ),
                ("postal_town", models.CharField(blank=True, max_length=100, verbose_name="postal town")),
                ("name", models.CharField(max_length=100, verbose_name="name")),
                (
                    "kind",
                    models.CharField(
                        choices=[("office", "Office"), ("video", "Video meeting"), ("phone", "Phone")],
                        default="office",
                        max_length=10,
                        verbose_name="kind",
                    ),
                ),
                (
                    "instructions",
                    models.TextField(
                        blank=True,
                        help_text="Printed in the summons, e.g. which door to use, or that the counsellor will call.",
                        verbose_name="instructions for the person",
                    ),
                ),
                ("is_active", models.BooleanField(default=True, verbose_name="active")),
                (
                    "service",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="locations",
                        to="portal.counsellingservice",
                        verbose_name="service",
                    ),
                ),
            ],
            options={
                "verbose_name": "meeting location",
                "verbose_name_plural": "meeting locations",
                "db_table": "counselling_location",
                "ordering": ["service__name", "name"],
            },
        ),
        migrations.CreateModel(
            name="Meeting",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("starts_at", models.DateTimeField(verbose_name="starts")),
                ("ends_at", models.DateTimeField(verbose_name="ends")),
                (
                    "status",
                    models.CharField(
                        choices=[
                            ("booked", "Booked"),
                            ("held", "Attendance recorded"),
                            ("rescheduled", "Rescheduled"),
                            ("cancelled", "Cancelled"),
                        ],
                        default="booked",
                        max_length=12,
                        verbose_name="status",
                    ),
                ),
                (
                    "late_reason",
                    models.TextField(
                        blank=True,
                        help_text="Required after the attendance deadline.",
                        verbose_name="reason for booking after the deadline",
                    ),
                ),
                ("booked_at", models.DateTimeField(auto_now_add=True, verbose_name="booked")),
                (
                    "change_requested_by",
                    models.CharField(
                        blank=True,
                        choices=[
                            ("person", "The person"),
                            ("guardian", "A guardian"),
                            ("service", "The service"),
                            ("police", "The police or prosecution"),
                        ],
                        max_length=10,
                        verbose_name="change asked for by",
                    ),
                ),
                ("change_reason", models.TextField(blank=True, verbose_name="reason for the change")),
                ("changed_at", models.DateTimeField(blank=True, null=True, verbose_name="changed")),
                (
                    "booked_by",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="booked by",
                    ),
                ),
                (
                    "changed_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="changed by",
                    ),
                ),
                (
                    "counsellor",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="meetings",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="counsellor",
                    ),
                ),
                (
                    "location",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="scheduling.location",
                        verbose_name="location",
                    ),
                ),
                (
                    "referral",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="meetings",
                        to="referrals.referral",
                        verbose_name="referral",
                    ),
                ),
                (
                    "replaces",
                    models.OneToOneField(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="replaced_by",
                        to="scheduling.meeting",
                        verbose_name="replaces",
                    ),
                ),
            ],
            options={
                "verbose_name": "meeting",
                "verbose_name_plural": "meetings",
                "db_table": "counselling_meeting",
                "ordering": ["starts_at"],
            },
        ),
        migrations.CreateModel(
            name="Letter",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("kind", models.CharField(choices=[("summons", "Summons")], max_length=20, verbose_name="kind")),
                (
                    "recipient_kind",
                    models.CharField(
                        choices=[("person", "The person"), ("guardian", "Guardian")],
                        max_length=10,
                        verbose_name="recipient",
                    ),
                ),
                ("recipient_name", models.CharField(max_length=201, verbose_name="recipient's name")),
                ("email", models.EmailField(blank=True, max_length=254, verbose_name="email")),
                ("pdf", models.FileField(upload_to=counselling.scheduling.models.letter_path, verbose_name="PDF")),
                ("created_at", models.DateTimeField(auto_now_add=True, verbose_name="created")),
                ("emailed_at", models.DateTimeField(blank=True, null=True, verbose_name="emailed")),
                ("email_error", models.TextField(blank=True, verbose_name="email error")),
                (
                    "guardian",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="referrals.guardian",
                    ),
                ),
                (
                    "meeting",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="letters",
                        to="scheduling.meeting",
                        verbose_name="meeting",
                    ),
                ),
            ],
            options={
                "verbose_name": "letter",
                "verbose_name_plural": "letters",
                "db_table": "counselling_letter",
                "ordering": ["meeting", "recipient_kind", "id"],
            },
        ),
        migrations.CreateModel(
            name="OpeningHours",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                (
                    "weekday",
                    models.PositiveSmallIntegerField(
                        choices=[
                            (0, "Monday"),
                            (1, "Tuesday"),
                            (2, "Wednesday"),
                            (3, "Thursday"),
                            (4, "Friday"),
                            (5, "Saturday"),
                            (6, "Sunday"),
                        ],
                        verbose_name="weekday",
                    ),
                ),
                ("starts", models.TimeField(verbose_name="from")),
                ("ends", models.TimeField(verbose_name="to")),
                (
                    "counsellor",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="opening_hours",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="counsellor",
                    ),
                ),
                (
                    "location",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="scheduling.location",
                        verbose_name="location",
                    ),
                ),
                (
                    "service",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="opening_hours",
                        to="portal.counsellingservice",
                        verbose_name="service",
                    ),
                ),
            ],
            options={
                "verbose_name": "opening hours",
                "verbose_name_plural": "opening hours",
                "db_table": "counselling_openinghours",
                "ordering": ["counsellor", "weekday", "starts"],
            },
        ),
        migrations.CreateModel(
            name="Reminder",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("days_before", models.PositiveSmallIntegerField(verbose_name="days before the meeting")),
                (
                    "channel",
                    models.CharField(
                        choices=[("email", "Email"), ("sms", "SMS")], max_length=5, verbose_name="channel"
                    ),
                ),
                (
                    "recipient_kind",
                    models.CharField(
                        choices=[("person", "The person"), ("guardian", "Guardian")],
                        max_length=10,
                        verbose_name="recipient",
                    ),
                ),
                ("address", models.CharField(max_length=254, verbose_name="email or phone")),
                ("language", models.CharField(default="nb", max_length=2, verbose_name="language")),
                ("due_at", models.DateTimeField(verbose_name="due")),
                (
                    "state",
                    models.CharField(
                        choices=[
                            ("pending", "Pending"),
                            ("sending", "Sending"),
                            ("sent", "Sent"),
                            ("failed", "Failed"),
                            ("cancelled", "Cancelled"),
                        ],
                        default="pending",
                        max_length=10,
                        verbose_name="state",
                    ),
                ),
                ("attempts", models.PositiveSmallIntegerField(default=0, verbose_name="attempts")),
                ("last_error", models.TextField(blank=True, verbose_name="last error")),
                (
                    "provider_message_id",
                    models.CharField(blank=True, max_length=200, verbose_name="provider's message id"),
                ),
                ("sent_at", models.DateTimeField(blank=True, null=True, verbose_name="sent")),
                (
                    "guardian",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="referrals.guardian",
                    ),
                ),
                (
                    "meeting",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="reminders",
                        to="scheduling.meeting",
                        verbose_name="meeting",
                    ),
                ),
            ],
            options={
                "verbose_name": "reminder",
                "verbose_name_plural": "reminders",
                "db_table": "counselling_reminder",
                "ordering": ["due_at", "id"],
            },
        ),
        migrations.CreateModel(
            name="Flag",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                (
                    "kind",
                    models.CharField(
                        choices=[
                            ("attendance_not_recorded", "Attendance not recorded"),
                            ("deadline_passed", "Attendance deadline passed without a meeting held"),
                            ("letter_failed", "Letter could not be emailed"),
                            ("reminder_failed", "Reminder could not be sent"),
                            ("meeting_in_absence", "The counsellor is away at the time of the meeting"),
                            ("fee_answer_period_over", "Fee case: the answer period is over"),
                            ("fee_appeal_period_over", "Fee case: the appeal period is over"),
                        ],
                        max_length=30,
                        verbose_name="kind",
                    ),
                ),
                ("raised_at", models.DateTimeField(auto_now_add=True, verbose_name="raised")),
                ("resolved_at", models.DateTimeField(blank=True, null=True, verbose_name="resolved")),
                (
                    "referral",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="flags",
                        to="referrals.referral",
                        verbose_name="referral",
                    ),
                ),
                (
                    "resolved_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="resolved by",
                    ),
                ),
                (
                    "letter",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="flags",
                        to="scheduling.letter",
                    ),
                ),
                (
                    "meeting",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="flags",
                        to="scheduling.meeting",
                    ),
                ),
                (
                    "reminder",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="flags",
                        to="scheduling.reminder",
                    ),
                ),
            ],
            options={
                "verbose_name": "flag",
                "verbose_name_plural": "flags",
                "db_table": "counselling_flag",
                "ordering": ["-raised_at"],
            },
        ),
        migrations.CreateModel(
            name="ReminderRule",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("days_before", models.PositiveSmallIntegerField(verbose_name="days before the meeting")),
                (
                    "send_at",
                    models.TimeField(
                        default=datetime.time(10, 0),
                        help_text="Norwegian time, between 08:00 and 20:00.",
                        verbose_name="time of day",
                    ),
                ),
                (
                    "channel",
                    models.CharField(
                        choices=[("email", "Email"), ("sms", "SMS")], max_length=5, verbose_name="channel"
                    ),
                ),
                ("is_active", models.BooleanField(default=True, verbose_name="active")),
            ],
            options={
                "verbose_name": "reminder rule",
                "verbose_name_plural": "reminder rules",
                "db_table": "counselling_reminderrule",
                "ordering": ["-days_before", "channel"],
                "constraints": [
                    models.UniqueConstraint(
                        fields=("days_before", "channel"), name="one_reminder_rule_per_day_and_channel"
                    ),
                    models.CheckConstraint(
                        condition=models.Q(
                            ("send_at__gte", datetime.time(8, 0)), ("send_at__lte", datetime.time(20, 0))
                        ),
                        name="reminder_in_the_daytime",
                        violation_error_message="Reminders go out between 08:00 and 20:00.",
                    ),
                ],
            },
        ),
        migrations.CreateModel(
            name="ReminderText",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                (
                    "channel",
                    models.CharField(
                        choices=[("email", "Email"), ("sms", "SMS")], max_length=5, verbose_name="channel"
                    ),
                ),
                (
                    "language",
                    models.CharField(
                        choices=[("nb", "Norwegian Bokmål"), ("en", "English")], max_length=2, verbose_name="language"
                    ),
                ),
                ("subject", models.CharField(blank=True, max_length=200, verbose_name="email subject")),
                (
                    "body",
                    models.TextField(
                        help_text="E.g. {{ meeting.starts_at|date:'j. F H:i' }}, {{ location.name }}, {{ service.phone }}.",
                        verbose_name="text",
                    ),
                ),
            ],
            options={
                "verbose_name": "reminder text",
                "verbose_name_plural": "reminder texts",
                "db_table": "counselling_remindertext",
                "constraints": [
                    models.UniqueConstraint(fields=("channel", "language"), name="one_reminder_text_per_language")
                ],
            },
        ),
        migrations.CreateModel(
            name="AvailabilityException",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                (
                    "kind",
                    models.CharField(
                        choices=[
                            ("holiday", "Holiday"),
                            ("sick", "Sick"),
                            ("course", "Course or meeting"),
                            ("other", "Other"),
                        ],
                        default="holiday",
                        max_length=10,
                        verbose_name="kind",
                    ),
                ),
                ("starts_at", models.DateTimeField(verbose_name="from")),
                ("ends_at", models.DateTimeField(verbose_name="to")),
                ("note", models.CharField(blank=True, max_length=200, verbose_name="note")),
                (
                    "counsellor",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="counsellor",
                    ),
                ),
                (
                    "service",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="availability_exceptions",
                        to="portal.counsellingservice",
                        verbose_name="service",
                    ),
                ),
            ],
            options={
                "verbose_name": "absence",
                "verbose_name_plural": "absences",
                "db_table": "counselling_availabilityexception",
                "ordering": ["-starts_at"],
                "constraints": [
                    models.CheckConstraint(
                        condition=models.Q(("ends_at__gt", models.F("starts_at"))),
                        name="absence_end_after_start",
                        violation_error_message="The absence must end after it starts.",
                    )
                ],
            },
        ),
        migrations.AddIndex(
            model_name="meeting",
            index=models.Index(fields=["counsellor", "starts_at"], name="meeting_counsellor_start_idx"),
        ),
        migrations.AddConstraint(
            model_name="meeting",
            constraint=models.CheckConstraint(
                condition=models.Q(("ends_at__gt", models.F("starts_at"))),
                name="meeting_ends_after_start",
                violation_error_message="A meeting must end after it starts.",
            ),
        ),
        migrations.AddConstraint(
            model_name="meeting",
            constraint=counselling.scheduling.constraints.PostgresExclusionConstraint(
                condition=models.Q(("status__in", ["booked", "held"])),
                expressions=[
                    ("counsellor", "="),
                    (counselling.scheduling.models.TsTzRange("starts_at", "ends_at", models.Value("[)")), "&&"),
                ],
                name="meeting_no_double_booking",
                violation_error_message="That time was just taken.",
            ),
        ),
        migrations.AddConstraint(
            model_name="meeting",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    models.Q(("status__in", ["rescheduled", "cancelled"]), _negated=True),
                    models.Q(("change_reason", ""), _negated=True),
                    _connector="OR",
                ),
                name="meeting_change_has_reason",
            ),
        ),
        migrations.AddConstraint(
            model_name="letter",
            constraint=models.UniqueConstraint(
                condition=models.Q(("recipient_kind", "person")),
                fields=("meeting", "kind"),
                name="one_letter_to_the_person",
            ),
        ),
        migrations.AddConstraint(
            model_name="letter",
            constraint=models.UniqueConstraint(
                condition=models.Q(("recipient_kind", "guardian")),
                fields=("meeting", "kind", "guardian"),
                name="one_letter_to_each_guardian",
            ),
        ),
        migrations.AddConstraint(
            model_name="letter",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    models.Q(("guardian__isnull", True), ("recipient_kind", "person")),
                    models.Q(("guardian__isnull", False), ("recipient_kind", "guardian")),
                    _connector="OR",
                ),
                name="letter_guardian_matches_recipient",
            ),
        ),
        migrations.AddConstraint(
            model_name="openinghours",
            constraint=models.CheckConstraint(
                condition=models.Q(("ends__gt", models.F("starts"))),
                name="opening_hours_end_after_start",
                violation_error_message="The hours must end after they start.",
            ),
        ),
        migrations.AddConstraint(
            model_name="openinghours",
            constraint=models.CheckConstraint(
                condition=models.Q(("weekday__lte", 6)), name="opening_hours_weekday_0_to_6"
            ),
        ),
        migrations.AddIndex(
            model_name="reminder",
            index=models.Index(
                condition=models.Q(("state", "pending")), fields=["due_at"], name="reminder_pending_due_idx"
            ),
        ),
        migrations.AddConstraint(
            model_name="reminder",
            constraint=models.UniqueConstraint(
                condition=models.Q(("recipient_kind", "person")),
                fields=("meeting", "days_before", "channel"),
                name="one_reminder_to_the_person",
            ),
        ),
        migrations.AddConstraint(
            model_name="reminder",
            constraint=models.UniqueConstraint(
                condition=models.Q(("recipient_kind", "guardian")),
                fields=("meeting", "days_before", "channel", "guardian"),
                name="one_reminder_to_each_guardian",
            ),
        ),
        migrations.AddIndex(
            model_name="flag",
            index=models.Index(
                condition=models.Q(("resolved_at__isnull", True)), fields=["referral"], name="flag_open_idx"
            ),
        ),
        migrations.AddConstraint(
            model_name="flag",
            constraint=models.UniqueConstraint(
                condition=models.Q(("kind", "attendance_not_recorded")),
                fields=("meeting",),
                name="one_attendance_flag_per_meeting",
            ),
        ),
        migrations.AddConstraint(
            model_name="flag",
            constraint=models.UniqueConstraint(
                condition=models.Q(("kind", "deadline_passed"), ("resolved_at__isnull", True)),
                fields=("referral",),
                name="one_open_deadline_flag_per_referral",
            ),
        ),
        migrations.AddConstraint(
            model_name="flag",
            constraint=models.UniqueConstraint(
                condition=models.Q(("kind", "letter_failed")), fields=("letter",), name="one_flag_per_letter"
            ),
        ),
        migrations.AddConstraint(
            model_name="flag",
            constraint=models.UniqueConstraint(
                condition=models.Q(("kind", "reminder_failed")), fields=("reminder",), name="one_flag_per_reminder"
            ),
        ),
        migrations.AddConstraint(
            model_name="flag",
            constraint=models.UniqueConstraint(
                condition=models.Q(("kind", "meeting_in_absence"), ("resolved_at__isnull", True)),
                fields=("meeting",),
                name="one_open_absence_flag_per_meeting",
            ),
        ),
        migrations.AddConstraint(
            model_name="flag",
            constraint=models.UniqueConstraint(
                condition=models.Q(("kind", "fee_answer_period_over")),
                fields=("meeting",),
                name="one_fee_answer_flag_per_case",
            ),
        ),
        migrations.AddConstraint(
            model_name="flag",
            constraint=models.UniqueConstraint(
                condition=models.Q(("kind", "fee_appeal_period_over")),
                fields=("meeting",),
                name="one_fee_appeal_flag_per_case",
            ),
        ),
    ]

    operations = [migrations.SeparateDatabaseAndState(state_operations=state_operations)]
