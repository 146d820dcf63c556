"""Retention rules per service: each service is the controller of its own cases and sets its own periods.

A rule that held for the whole deployment becomes the same rule for every service, so no service keeps less or
longer than it did: the first service keeps the row (and its id), every other gets a copy. Each service's
administrator can change its own from then on."""

import django.db.models.deletion
from django.db import migrations, models


def rules_for_every_service(apps, schema_editor):
    RetentionRule = apps.get_model("privacy", "RetentionRule")
    CounsellingService = apps.get_model("portal", "CounsellingService")
    services = list(CounsellingService.objects.order_by("pk").values_list("pk", flat=True))
    for rule in RetentionRule.objects.filter(service__isnull=True).order_by("pk"):
        if not services:
            rule.delete()  # a deployment without services has no cases to keep or sweep
            continue
        RetentionRule.objects.filter(pk=rule.pk).update(service_id=services[0])
        RetentionRule.objects.bulk_create(
            RetentionRule(
                service_id=service_id,
                record_type=rule.record_type,
                retention_days=rule.retention_days,
                legal_basis=rule.legal_basis,
            )
            for service_id in services[1:]
        )


def one_rule_per_record_type(apps, schema_editor):
    """Back to one rule per record type: the longest period any service had, so nothing goes sooner."""
    RetentionRule = apps.get_model("privacy", "RetentionRule")
    for record_type in set(RetentionRule.objects.values_list("record_type", flat=True)):
        rules = RetentionRule.objects.filter(record_type=record_type).order_by("-retention_days", "pk")
        keep = rules.first()
        rules.exclude(pk=keep.pk).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("portal", "0010_service_demonstration"),
        ("privacy", "0001_initial"),
    ]

    operations = [
        migrations.AlterModelOptions(
            name="retentionrule",
            options={
                "ordering": ["service", "record_type"],
                "verbose_name": "retention rule",
                "verbose_name_plural": "retention rules",
            },
        ),
        migrations.AddField(
            model_name="retentionrule",
            name="service",
            field=models.ForeignKey(
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="portal.counsellingservice",
                verbose_name="service",
            ),
        ),
        migrations.AlterField(
            model_name="retentionrule",
            name="record_type",
            field=models.CharField(
                choices=[
                    ("closed_case", "Closed cases: the person's identity, contact details, guardians and notes"),
                    ("letters", "Letters and police reports of closed cases (PDF files)"),
                ],
                max_length=20,
                verbose_name="record type",
            ),
        ),
        migrations.RunPython(rules_for_every_service, one_rule_per_record_type),
        migrations.AlterField(
            model_name="retentionrule",
            name="service",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="portal.counsellingservice",
                verbose_name="service",
            ),
        ),
        migrations.AddConstraint(
            model_name="retentionrule",
            constraint=models.UniqueConstraint(
                fields=("service", "record_type"),
                name="one_retention_rule_per_record_type_in_service",
                violation_error_message="The service already has a rule for this record type.",
            ),
        ),
    ]
