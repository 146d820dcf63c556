"""Persons and referrals point to the organisation's models in portal (the same tables: state only)."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("portal", "0007_organisation_from_counselling"),
        ("referrals", "0008_legal_hold"),
    ]

    state_operations = [
        migrations.AlterField(
            model_name="person",
            name="municipality",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="portal.municipality",
                verbose_name="municipality of residence",
            ),
        ),
        migrations.AlterField(
            model_name="referral",
            name="service",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT,
                related_name="referrals",
                to="portal.counsellingservice",
                verbose_name="service",
            ),
        ),
    ]

    operations = [migrations.SeparateDatabaseAndState(state_operations=state_operations)]
