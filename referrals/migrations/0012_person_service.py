"""A person record gets the service it belongs to (filled in by 0013, required from 0014), and the national ID is no
longer unique on its own: the same number in two services is two records."""

import django.db.models.deletion
from django.db import migrations, models

import referrals.identity


class Migration(migrations.Migration):
    dependencies = [
        ("portal", "0010_service_demonstration"),
        ("referrals", "0011_threshold_regulation_status"),
    ]

    operations = [
        migrations.AddField(
            model_name="person",
            name="service",
            field=models.ForeignKey(
                editable=False,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="persons",
                to="portal.counsellingservice",
                verbose_name="service",
            ),
        ),
        migrations.AddField(
            model_name="person",
            name="shared_record_id",
            field=models.BigIntegerField(blank=True, editable=False, null=True, verbose_name="shared record's id"),
        ),
        migrations.AlterField(
            model_name="person",
            name="national_id",
            field=models.CharField(
                help_text="Fødselsnummer or D-number, 11 digits.",
                max_length=11,
                validators=[referrals.identity.validate_national_id],
                verbose_name="national identity number",
            ),
        ),
    ]
