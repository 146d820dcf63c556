"""The counselling app hands its models over to portal, counselling.scheduling and counselling.attendance.
No table changes; the content types (and so permissions, object permissions and admin log entries)
follow the models to their new apps."""

from django.db import migrations

MOVED = {
    "portal": ["municipality", "counsellingservice", "staffmembership"],
    "scheduling": [
        "location",
        "openinghours",
        "availabilityexception",
        "meeting",
        "lettertemplate",
        "letter",
        "calendarfeed",
        "reminderrule",
        "remindertext",
        "reminder",
        "flag",
    ],
    "attendance": ["attendance", "needsassessment", "policereport"],
}


def content_types_follow(apps, schema_editor):
    """Rename, never recreate: permissions, guardian's object permissions and the admin log point to the
    content type's id, which stays. A database migrated from scratch has none yet (they are made after
    migrate), so there is nothing to do there."""
    ContentType = apps.get_model("contenttypes", "ContentType")
    for app_label, models in MOVED.items():
        for model in models:
            if not ContentType.objects.filter(app_label=app_label, model=model).exists():
                ContentType.objects.filter(app_label="counselling", model=model).update(app_label=app_label)


def content_types_return(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    for app_label, models in MOVED.items():
        ContentType.objects.filter(app_label=app_label, model__in=models).update(app_label="counselling")


class Migration(migrations.Migration):
    dependencies = [
        ("portal", "0007_organisation_from_counselling"),
        ("referrals", "0009_organisation_in_portal"),
        ("scheduling", "0001_initial"),
        ("attendance", "0002_initial"),
        ("fees", "0006_meetings_in_scheduling"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("counselling", "0010_names_as_long_as_the_intake_form_takes"),
    ]

    state_operations = [
        migrations.RemoveField(
            model_name="attendance",
            name="guardians_present",
        ),
        migrations.RemoveField(
            model_name="attendance",
            name="meeting",
        ),
        migrations.RemoveField(
            model_name="attendance",
            name="recorded_by",
        ),
        migrations.RemoveField(
            model_name="needsassessment",
            name="attendance",
        ),
        migrations.RemoveField(
            model_name="availabilityexception",
            name="counsellor",
        ),
        migrations.RemoveField(
            model_name="availabilityexception",
            name="service",
        ),
        migrations.RemoveField(
            model_name="calendarfeed",
            name="user",
        ),
        migrations.RemoveField(
            model_name="counsellingservice",
            name="municipalities",
        ),
        migrations.RemoveField(
            model_name="location",
            name="service",
        ),
        migrations.RemoveField(
            model_name="openinghours",
            name="service",
        ),
        migrations.RemoveField(
            model_name="staffmembership",
            name="service",
        ),
        migrations.RemoveField(
            model_name="flag",
            name="letter",
        ),
        migrations.RemoveField(
            model_name="flag",
            name="meeting",
        ),
        migrations.RemoveField(
            model_name="flag",
            name="referral",
        ),
        migrations.RemoveField(
            model_name="flag",
            name="reminder",
        ),
        migrations.RemoveField(
            model_name="flag",
            name="resolved_by",
        ),
        migrations.RemoveField(
            model_name="letter",
            name="guardian",
        ),
        migrations.RemoveField(
            model_name="letter",
            name="meeting",
        ),
        migrations.DeleteModel(
            name="LetterTemplate",
        ),
        migrations.RemoveField(
            model_name="meeting",
            name="location",
        ),
        migrations.RemoveField(
            model_name="openinghours",
            name="location",
        ),
        migrations.RemoveField(
            model_name="meeting",
            name="booked_by",
        ),
        migrations.RemoveField(
            model_name="meeting",
            name="changed_by",
        ),
        migrations.RemoveField(
            model_name="meeting",
            name="counsellor",
        ),
        migrations.RemoveField(
            model_name="meeting",
            name="referral",
        ),
        migrations.RemoveField(
            model_name="meeting",
            name="replaces",
        ),
        migrations.RemoveField(
            model_name="policereport",
            name="meeting",
        ),
        migrations.RemoveField(
            model_name="reminder",
            name="meeting",
        ),
        migrations.RemoveField(
            model_name="openinghours",
            name="counsellor",
        ),
        migrations.RemoveField(
            model_name="policereport",
            name="created_by",
        ),
        migrations.RemoveField(
            model_name="policereport",
            name="referral",
        ),
        migrations.RemoveField(
            model_name="policereport",
            name="sent_by",
        ),
        migrations.RemoveField(
            model_name="reminder",
            name="guardian",
        ),
        migrations.DeleteModel(
            name="ReminderRule",
        ),
        migrations.DeleteModel(
            name="ReminderText",
        ),
        migrations.RemoveField(
            model_name="staffmembership",
            name="user",
        ),
        migrations.DeleteModel(
            name="Attendance",
        ),
        migrations.DeleteModel(
            name="NeedsAssessment",
        ),
        migrations.DeleteModel(
            name="AvailabilityException",
        ),
        migrations.DeleteModel(
            name="CalendarFeed",
        ),
        migrations.DeleteModel(
            name="Municipality",
        ),
        migrations.DeleteModel(
            name="CounsellingService",
        ),
        migrations.DeleteModel(
            name="Flag",
        ),
        migrations.DeleteModel(
            name="Letter",
        ),
        migrations.DeleteModel(
            name="Location",
        ),
        migrations.DeleteModel(
            name="Meeting",
        ),
        migrations.DeleteModel(
            name="OpeningHours",
        ),
        migrations.DeleteModel(
            name="PoliceReport",
        ),
        migrations.DeleteModel(
            name="Reminder",
        ),
        migrations.DeleteModel(
            name="StaffMembership",
        ),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(state_operations=state_operations),
        migrations.RunPython(content_types_follow, content_types_return),
    ]
