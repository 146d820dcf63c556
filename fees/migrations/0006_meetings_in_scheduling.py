"""Fee cases point to scheduling's meetings and portal's services (the same tables: state only)."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("fees", "0005_names_as_long_as_the_intake_form_takes"),
        ("portal", "0007_organisation_from_counselling"),
        ("scheduling", "0001_initial"),
    ]

    state_operations = [
        migrations.AlterField(
            model_name="collectionexport",
            name="service",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT,
                related_name="fee_exports",
                to="portal.counsellingservice",
                verbose_name="service",
            ),
        ),
        migrations.AlterField(
            model_name="feecase",
            name="meeting",
            field=models.OneToOneField(
                on_delete=django.db.models.deletion.PROTECT,
                related_name="fee_case",
                to="scheduling.meeting",
                verbose_name="missed meeting",
            ),
        ),
        migrations.AlterField(
            model_name="feepolicy",
            name="service",
            field=models.OneToOneField(
                on_delete=django.db.models.deletion.CASCADE,
                related_name="fee_policy",
                to="portal.counsellingservice",
                verbose_name="service",
            ),
        ),
    ]

    operations = [migrations.SeparateDatabaseAndState(state_operations=state_operations)]
