"""The foreign keys of attendance's models, after the models they point to (state only, as 0001)."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("attendance", "0001_initial"),
        ("referrals", "0009_organisation_in_portal"),
        ("scheduling", "0001_initial"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    state_operations = [
        migrations.AddField(
            model_name="attendance",
            name="meeting",
            field=models.OneToOneField(
                on_delete=django.db.models.deletion.PROTECT,
                related_name="attendance",
                to="scheduling.meeting",
                verbose_name="meeting",
            ),
        ),
        migrations.AddField(
            model_name="attendance",
            name="recorded_by",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
                verbose_name="recorded by",
            ),
        ),
        migrations.AddField(
            model_name="needsassessment",
            name="attendance",
            field=models.OneToOneField(
                on_delete=django.db.models.deletion.CASCADE,
                related_name="assessment",
                to="attendance.attendance",
                verbose_name="attendance",
            ),
        ),
        migrations.AddField(
            model_name="policereport",
            name="created_by",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
                verbose_name="made by",
            ),
        ),
        migrations.AddField(
            model_name="policereport",
            name="meeting",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="police_reports",
                to="scheduling.meeting",
            ),
        ),
        migrations.AddField(
            model_name="policereport",
            name="referral",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT,
                related_name="police_reports",
                to="referrals.referral",
                verbose_name="referral",
            ),
        ),
        migrations.AddField(
            model_name="policereport",
            name="sent_by",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
                verbose_name="sent by",
            ),
        ),
        migrations.AddConstraint(
            model_name="attendance",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    models.Q(("outcome", "valid_absence"), _negated=True),
                    models.Q(("absence_reason", ""), _negated=True),
                    _connector="OR",
                ),
                name="valid_absence_has_reason",
            ),
        ),
        migrations.AddConstraint(
            model_name="attendance",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("outcome", "attended"),
                    models.Q(("consent__isnull", True), ("person_present", False)),
                    _connector="OR",
                ),
                name="consent_only_when_attended",
            ),
        ),
        migrations.AddConstraint(
            model_name="policereport",
            constraint=models.UniqueConstraint(
                fields=("meeting", "kind"), name="one_police_report_per_meeting_and_kind"
            ),
        ),
    ]

    operations = [migrations.SeparateDatabaseAndState(state_operations=state_operations)]
