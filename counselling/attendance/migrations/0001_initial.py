"""Attendance's models move here from the counselling app. Their tables keep their names, so this changes
the migration state only."""

from django.db import migrations, models

import counselling.attendance.models


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        # The tables exist once the counselling app's history has built them.
        ("counselling", "0010_names_as_long_as_the_intake_form_takes"),
        ("referrals", "0008_legal_hold"),
    ]

    state_operations = [
        migrations.CreateModel(
            name="NeedsAssessment",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("needs", models.JSONField(blank=True, default=list, verbose_name="assessed needs")),
                ("onward_referrals", models.JSONField(blank=True, default=list, verbose_name="onward referrals")),
                ("confidential_note", models.TextField(blank=True, verbose_name="confidential note")),
            ],
            options={
                "verbose_name": "needs assessment",
                "verbose_name_plural": "needs assessments",
                "db_table": "counselling_needsassessment",
            },
        ),
        migrations.CreateModel(
            name="PoliceReport",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                (
                    "kind",
                    models.CharField(
                        choices=[("attended", "Attendance confirmation"), ("not_attended", "Non-attendance report")],
                        max_length=15,
                        verbose_name="kind",
                    ),
                ),
                ("police_district", models.CharField(max_length=20, verbose_name="police district")),
                ("police_reference", models.CharField(max_length=40, verbose_name="police reference")),
                ("person_name", models.CharField(max_length=201, verbose_name="name")),
                ("national_id", models.CharField(max_length=11, verbose_name="national identity number")),
                ("service_name", models.CharField(max_length=200, verbose_name="service")),
                ("meeting_date", models.DateField(verbose_name="meeting date")),
                (
                    "pdf",
                    models.FileField(upload_to=counselling.attendance.models.police_report_path, verbose_name="PDF"),
                ),
                ("created_at", models.DateTimeField(auto_now_add=True, verbose_name="made")),
                ("sent_at", models.DateTimeField(blank=True, null=True, verbose_name="sent")),
            ],
            options={
                "verbose_name": "police report",
                "verbose_name_plural": "police reports",
                "db_table": "counselling_policereport",
                "ordering": ["-created_at"],
            },
        ),
        migrations.CreateModel(
            name="Attendance",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                (
                    "outcome",
                    models.CharField(
                        choices=[
                            ("attended", "Attended"),
                            ("no_show", "Did not attend"),
                            ("valid_absence", "Valid absence"),
                        ],
                        max_length=15,
                        verbose_name="outcome",
                    ),
                ),
                ("absence_reason", models.TextField(blank=True, verbose_name="reason for the absence")),
                ("person_present", models.BooleanField(default=False, verbose_name="the person came")),
                (
                    "risk_information_given",
                    models.BooleanField(default=False, verbose_name="information about risks was given"),
                ),
                ("consent", models.BooleanField(blank=True, null=True, verbose_name="consent to a needs assessment")),
                (
                    "consent_by",
                    models.CharField(
                        blank=True,
                        choices=[
                            ("person", "The person (16 or older)"),
                            ("guardians", "The guardians (person under 16)"),
                        ],
                        max_length=10,
                        verbose_name="consent given by",
                    ),
                ),
                ("recorded_at", models.DateTimeField(auto_now_add=True, verbose_name="recorded")),
                (
                    "guardians_present",
                    models.ManyToManyField(
                        blank=True, related_name="+", to="referrals.guardian", verbose_name="guardians who came"
                    ),
                ),
            ],
            options={
                "verbose_name": "attendance",
                "verbose_name_plural": "attendance",
                "db_table": "counselling_attendance",
            },
        ),
    ]

    operations = [migrations.SeparateDatabaseAndState(state_operations=state_operations)]
