"""Copy the documents an older deployment kept as files under MEDIA_ROOT into the database (portal.models.Document).

Every name any FileField of any model holds is looked for: already in the database, it is left alone; found in
MEDIA_ROOT (or `--media-root`), it is copied in under the same name, so the row that names it finds it; found
nowhere, it is reported (retention may have deleted it, or the node that wrote it is gone). Safe to run again: a
second run copies nothing and reports the same missing names. The files themselves are left where they are.
"""

from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.core.files.storage import FileSystemStorage
from django.core.management.base import BaseCommand
from django.db import models, transaction

from portal.models import Document


def named_documents() -> list[tuple[str, str]]:
    """Every stored name with the model field that names it, e.g. ("scheduling.Letter.pdf", "letters/…")."""
    named = []
    for model in apps.get_models():
        for field in model._meta.concrete_fields:
            if isinstance(field, models.FileField):
                names = model._default_manager.exclude(**{field.name: ""}).values_list(field.name, flat=True)
                named += [(f"{model._meta.label}.{field.name}", name) for name in names.distinct()]
    return named


class Command(BaseCommand):
    help = "Copy documents from MEDIA_ROOT into the database; report the names found nowhere. Safe to run again."

    def add_arguments(self, parser):
        parser.add_argument("--media-root", type=Path, help="Where the files are (default: MEDIA_ROOT).")

    def handle(self, *args, media_root=None, **options):
        files = FileSystemStorage(location=media_root or settings.MEDIA_ROOT)
        named = named_documents()
        stored = set(Document.objects.filter(name__in=[name for _f, name in named]).values_list("name", flat=True))
        copied, missing = 0, []
        for field, name in named:
            if name in stored:
                continue
            if not files.exists(name):
                missing.append((field, name))
                continue
            with files.open(name, "rb") as handle:
                content = handle.read()
            with transaction.atomic():
                Document.objects.create(name=name, content=content, size=len(content))
            stored.add(name)
            copied += 1
        self.stdout.write(
            f"{len(named)} documents named: {copied} copied, {len(named) - copied - len(missing)} already in the "
            f"database, {len(missing)} found nowhere"
        )
        for field, name in missing:
            self.stdout.write(f"  missing: {name} ({field})")
