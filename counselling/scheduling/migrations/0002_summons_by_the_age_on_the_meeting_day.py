"""The shipped summons text says why the guardians come by the person's age on the day of the meeting (no longer
"under 18 da saken skjedde"), and what a 16- or 17-year-old decides alone and what the guardians are told
(pasient- og brukerrettighetsloven §§ 4-3 and 3-4). A text an administrator has changed is left alone: only the
one that is still the previous default, byte for byte, is replaced."""

import hashlib
from pathlib import Path

from django.db import migrations

DEFAULTS = Path(__file__).resolve().parent.parent / "letter_defaults"
# The sha256 of the summons body shipped before (counselling 0004 installed it from letter_defaults).
PREVIOUS_DEFAULT = "77f1e819bfd6c205ae13a6a3b5e69e61aee6c8241a02c4b2110929cea9435d52"


def update_default(apps, schema_editor):
    LetterTemplate = apps.get_model("scheduling", "LetterTemplate")
    for template in LetterTemplate.objects.filter(kind="summons"):
        if hashlib.sha256(template.body.encode("utf-8")).hexdigest() == PREVIOUS_DEFAULT:
            template.body = (DEFAULTS / "summons.html").read_text(encoding="utf-8")
            template.save(update_fields=["body"])


class Migration(migrations.Migration):
    dependencies = [("scheduling", "0001_initial")]

    operations = [migrations.RunPython(update_default, migrations.RunPython.noop)]
