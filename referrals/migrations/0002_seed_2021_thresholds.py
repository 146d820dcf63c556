"""The threshold table proposed in Prop. 92 L (2020–2021), in force from 2021-01-01 until replaced.

Administrators change thresholds by adding a new regulation with a new validity date, never
by editing this one once referrals use it.
"""

import datetime
from decimal import Decimal

from django.db import migrations

SUBSTANCES = [
    # code, Bokmål name, English name, unit, lower, upper
    ("heroin", "Heroin", "Heroin", "g", "2", "5"),
    ("cocaine", "Kokain", "Cocaine", "g", "2", "5"),
    ("amphetamine", "Amfetamin", "Amphetamine", "g", "2", "5"),
    ("ghb", "GHB, GBL og 1,4-butandiol", "GHB, GBL and 1,4-butanediol", "dl", "0.5", "1"),
    ("lsd-tab", "LSD (tabletter / blotterpapir)", "LSD (tabs / blotter papers)", "tab", "1", "3"),
    ("lsd-pure", "LSD, rent virkestoff", "LSD, pure active substance", "mg", "1", "2"),
    ("mdma", "MDMA (pulver/krystaller)", "MDMA (powder/crystals)", "g", "0.5", "1"),
    ("cannabis", "Cannabis", "Cannabis", "g", "10", "15"),
    ("psilocybin-mushrooms", "Sopp med psilocin/psilocybin", "Mushrooms with psilocin/psilocybin", "g", "20", "50"),
    ("khat", "Khat", "Khat", "g", "500", "2000"),
    (
        "medicinal-doses",
        "Legemidler (f.eks. benzodiazepiner)",
        "Medicinal drugs (e.g. benzodiazepines)",
        "dose",
        "15",
        "25",
    ),
]


def seed(apps, schema_editor):
    Substance = apps.get_model("referrals", "Substance")
    ThresholdRegulation = apps.get_model("referrals", "ThresholdRegulation")
    Threshold = apps.get_model("referrals", "Threshold")
    regulation, _ = ThresholdRegulation.objects.get_or_create(
        valid_from=datetime.date(2021, 1, 1),
        defaults={
            "name": "Terskelverdier etter Prop. 92 L (2020–2021)",
            "max_substances": 3,
            "source": "Prop. 92 L (2020–2021) Endringer i legemiddelloven mv. (rusreform)",
        },
    )
    for code, name_nb, name_en, unit, lower, upper in SUBSTANCES:
        substance, _ = Substance.objects.get_or_create(
            code=code, defaults={"name_nb": name_nb, "name_en": name_en, "unit": unit}
        )
        Threshold.objects.get_or_create(
            regulation=regulation, substance=substance, defaults={"lower": Decimal(lower), "upper": Decimal(upper)}
        )


class Migration(migrations.Migration):
    dependencies = [("referrals", "0001_substances_and_thresholds")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
