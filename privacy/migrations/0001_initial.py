"""Break-the-glass accesses and retention rules move here from portal. Their tables keep their names, so this
changes the migration state only."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

MOVED = ["breaktheglassaccess", "retentionrule"]


def content_types_follow(apps, schema_editor):
    """Rename, never recreate: permissions and the admin log point to the content type's id, which stays. A
    database migrated from scratch has none yet (they are made after migrate)."""
    ContentType = apps.get_model("contenttypes", "ContentType")
    for model in MOVED:
        if not ContentType.objects.filter(app_label="privacy", model=model).exists():
            ContentType.objects.filter(app_label="portal", model=model).update(app_label="privacy")


def content_types_return(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    ContentType.objects.filter(app_label="privacy", model__in=MOVED).update(app_label="portal")


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("contenttypes", "0002_remove_content_type_name"),
        ("portal", "0008_privacy_models_handed_over"),
        ("referrals", "0009_organisation_in_portal"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    state_operations = [
        migrations.CreateModel(
            name="RetentionRule",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                (
                    "record_type",
                    models.CharField(
                        choices=[
                            (
                                "closed_case",
                                "Closed cases: the person's identity, contact details, guardians and notes",
                            ),
                            ("letters", "Letters and police reports of closed cases (PDF files)"),
                        ],
                        max_length=20,
                        unique=True,
                        verbose_name="record type",
                    ),
                ),
                (
                    "retention_days",
                    models.PositiveIntegerField(
                        help_text="Counted from the last event on the closed case (e.g. 1825 for five years).",
                        verbose_name="retention period (days)",
                    ),
                ),
                (
                    "legal_basis",
                    models.CharField(
                        blank=True,
                        help_text="Why this period, e.g. the archive plan.",
                        max_length=300,
                        verbose_name="legal basis",
                    ),
                ),
                ("updated_at", models.DateTimeField(auto_now=True, verbose_name="changed")),
            ],
            options={
                "verbose_name": "retention rule",
                "verbose_name_plural": "retention rules",
                "db_table": "portal_retentionrule",
                "ordering": ["record_type"],
                "constraints": [
                    models.CheckConstraint(
                        condition=models.Q(("retention_days__gte", 1)), name="retention_days_positive"
                    )
                ],
            },
        ),
        migrations.CreateModel(
            name="BreakTheGlassAccess",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("reason", models.CharField(max_length=500, verbose_name="reason")),
                ("opened_at", models.DateTimeField(auto_now_add=True, db_index=True, verbose_name="opened")),
                ("expires_at", models.DateTimeField(verbose_name="access until")),
                ("followed_up_at", models.DateTimeField(blank=True, null=True, verbose_name="followed up")),
                (
                    "followed_up_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="followed up by",
                    ),
                ),
                (
                    "referral",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="referrals.referral",
                        verbose_name="referral",
                    ),
                ),
                (
                    "service",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="portal.counsellingservice",
                        verbose_name="service",
                    ),
                ),
                (
                    "user",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="staff member",
                    ),
                ),
            ],
            options={
                "verbose_name": "break-the-glass access",
                "verbose_name_plural": "break-the-glass accesses",
                "db_table": "portal_breaktheglassaccess",
                "ordering": ["-opened_at", "-id"],
                "indexes": [models.Index(fields=["user", "referral", "expires_at"], name="break_glass_lookup_idx")],
            },
        ),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(state_operations=state_operations),
        migrations.RunPython(content_types_follow, content_types_return),
    ]
