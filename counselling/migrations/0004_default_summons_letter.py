"""The default summons text, which administrators can adjust in the admin afterwards."""

from pathlib import Path

from django.db import migrations

DEFAULTS = Path(__file__).resolve().parent.parent / "scheduling" / "letter_defaults"


def seed(apps, schema_editor):
    LetterTemplate = apps.get_model("counselling", "LetterTemplate")
    LetterTemplate.objects.get_or_create(
        kind="summons",
        defaults={
            "subject": "Innkalling til samtale hos {{ service.name }}",
            "body": (DEFAULTS / "summons.html").read_text(encoding="utf-8"),
        },
    )


class Migration(migrations.Migration):
    dependencies = [("counselling", "0003_meetings_letters_reports")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
