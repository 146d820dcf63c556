"""Threshold regulations get a status; the table seeded from Prop. 92 L (2020–2021) is marked as a proposal that
never took effect, under the proposition's real title, and LSD is counted in blotter papers ("lapper")."""

import datetime

from django.db import migrations, models

SEEDED_FROM = datetime.date(2021, 1, 1)
OLD_NAME = "Terskelverdier etter Prop. 92 L (2020–2021)"
NAME = "Terskelverdier foreslått i Prop. 92 L (2020–2021)"
OLD_SOURCE = "Prop. 92 L (2020–2021) Endringer i legemiddelloven mv. (rusreform)"
SOURCE = (
    "Prop. 92 L (2020–2021) Endringer i legemiddelloven mv. (rusreform – avkriminalisering av bruk og besittelse "
    "av mindre mengder narkotika til egen bruk)"
)
LSD_TAB = "lsd-tab"
OLD_LSD_NAME_NB = "LSD (tabletter / blotterpapir)"
LSD_NAME_NB = "LSD (lapper)"


def mark_the_proposal(apps, schema_editor):
    """The seeded table, as 0002 made it: marked a proposal, with its real title. A name or source an
    administrator wrote is left as it is; the status is set on the seeded table whatever it is called."""
    ThresholdRegulation = apps.get_model("referrals", "ThresholdRegulation")
    Substance = apps.get_model("referrals", "Substance")
    seeded = ThresholdRegulation.objects.filter(valid_from=SEEDED_FROM, source__in=[OLD_SOURCE, SOURCE])
    seeded.update(status="proposal")
    seeded.filter(name=OLD_NAME).update(name=NAME)
    seeded.filter(source=OLD_SOURCE).update(source=SOURCE)
    Substance.objects.filter(code=LSD_TAB, name_nb=OLD_LSD_NAME_NB).update(name_nb=LSD_NAME_NB)


class Migration(migrations.Migration):
    dependencies = [("referrals", "0010_letter_policy")]

    operations = [
        migrations.AddField(
            model_name="thresholdregulation",
            name="status",
            field=models.CharField(
                choices=[("in_force", "In force"), ("proposal", "Proposal, never in force")],
                default="in_force",
                help_text="A proposal that never took effect is shown as such beside every classification made with it.",
                max_length=10,
                verbose_name="status",
            ),
        ),
        migrations.AlterField(
            model_name="referral",
            name="classification",
            field=models.CharField(
                blank=True,
                choices=[
                    ("exempt", "Below the lower limit in the proposal (no punishment under the proposal)"),
                    ("waiver", "Between the limits in the proposal"),
                    ("not_eligible", "Outside the limits in the proposal"),
                ],
                help_text="Empty when unknown.",
                max_length=15,
                verbose_name="classification",
            ),
        ),
        migrations.AlterField(
            model_name="threshold",
            name="lower",
            field=models.DecimalField(
                decimal_places=3,
                help_text="In the substance's unit. In Prop. 92 L: at or below it, no punishment under the proposal.",
                max_digits=10,
                verbose_name="lower threshold",
            ),
        ),
        migrations.AlterField(
            model_name="threshold",
            name="upper",
            field=models.DecimalField(
                decimal_places=3,
                help_text="In Prop. 92 L: at or below it, waiver of prosecution as the main rule under the proposal.",
                max_digits=10,
                verbose_name="upper threshold",
            ),
        ),
        migrations.RunPython(mark_the_proposal, migrations.RunPython.noop),
    ]
