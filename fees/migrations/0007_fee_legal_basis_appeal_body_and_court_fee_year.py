"""The fee's legal basis as data, the appeal body required, the payment due date and the court fee year a fee
case waits for.

Existing policies get the default appeal body where theirs is blank, and fees switched off where no legal basis
is recorded: the law in force has no fee rule, so a fee needs a basis an administrator records."""

import django.core.validators
from django.db import migrations, models

DEFAULT_APPEAL_BODY = "kommunens klagenemnd"


def fill(apps, schema_editor):
    FeePolicy = apps.get_model("fees", "FeePolicy")
    FeePolicy.objects.filter(appeal_body="").update(appeal_body=DEFAULT_APPEAL_BODY)
    FeePolicy.objects.filter(fees_enabled=True, legal_basis_citation="").update(fees_enabled=False)
    FeePolicy.objects.filter(fees_enabled=True, legal_basis_text="").update(fees_enabled=False)


class Migration(migrations.Migration):
    dependencies = [
        ("fees", "0006_meetings_in_scheduling"),
        ("portal", "0008_privacy_models_handed_over"),
    ]

    operations = [
        migrations.AddField(
            model_name="feecase",
            name="court_fee_missing_for",
            field=models.PositiveSmallIntegerField(
                blank=True, null=True, verbose_name="court fee missing for the year"
            ),
        ),
        migrations.AddField(
            model_name="feecase",
            name="payment_due",
            field=models.DateField(blank=True, null=True, verbose_name="payment due"),
        ),
        migrations.AddField(
            model_name="feepolicy",
            name="legal_basis_citation",
            field=models.CharField(
                blank=True,
                help_text="The provision that allows the fee, as the letters cite it. Required to switch fees on.",
                max_length=200,
                verbose_name="legal basis (citation)",
            ),
        ),
        migrations.AddField(
            model_name="feepolicy",
            name="legal_basis_text",
            field=models.TextField(
                blank=True,
                help_text="What the provision says about the fee, in plain words; printed in the advance notice and the decision. Required to switch fees on.",
                verbose_name="legal basis (text)",
            ),
        ),
        migrations.AddField(
            model_name="feepolicy",
            name="payment_period_days",
            field=models.PositiveSmallIntegerField(
                default=14,
                help_text="An imposed fee falls due this many days after the appeal deadline.",
                validators=[django.core.validators.MinValueValidator(1)],
                verbose_name="payment period (days)",
            ),
        ),
        migrations.AlterField(
            model_name="feepolicy",
            name="appeal_body",
            field=models.CharField(
                default="kommunens klagenemnd",
                help_text="Who decides appeals; printed in the decision letter. By default the municipality's own appeal board (forvaltningsloven § 28 (2)).",
                max_length=200,
                verbose_name="appeal body",
            ),
        ),
        migrations.AlterField(
            model_name="feepolicy",
            name="fees_enabled",
            field=models.BooleanField(
                default=False,
                help_text="Switch on only with the legal basis recorded below. Leave off for a service that works only with referrals on the condition route.",
                verbose_name="fees enabled",
            ),
        ),
        migrations.RunPython(fill, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name="feepolicy",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("fees_enabled", False),
                    models.Q(
                        models.Q(("legal_basis_citation", ""), _negated=True),
                        models.Q(("legal_basis_text", ""), _negated=True),
                    ),
                    _connector="OR",
                ),
                name="fee_policy_fees_need_a_legal_basis",
            ),
        ),
        migrations.AddConstraint(
            model_name="feepolicy",
            constraint=models.CheckConstraint(
                condition=models.Q(("appeal_body", ""), _negated=True), name="fee_policy_has_an_appeal_body"
            ),
        ),
        migrations.AddConstraint(
            model_name="feepolicy",
            constraint=models.CheckConstraint(
                condition=models.Q(("payment_period_days__gte", 1)), name="fee_policy_payment_period_positive"
            ),
        ),
    ]
