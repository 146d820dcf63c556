"""The default storage: generated documents in PostgreSQL (`portal.models.Document`), not on a node's disk.

Every FileField of the portal (summons letters, police reports, fee letters, collection exports) stores through
`STORAGES["default"]`, so with this backend:

- a document is written in the caller's transaction: a letter row and its PDF are committed, or rolled back,
  together, and retention's delete goes with the sweep's transaction (`transactional`);
- any web or worker node reads what any other wrote: there is no MEDIA_ROOT to share;
- documents have no public URL: the portal's views serve them, after checking who asks (`url` refuses).

A deployment may choose an S3-compatible store instead (README, "Deployment"); nothing else in the code knows.
"""

from __future__ import annotations

from django.core.files.base import ContentFile
from django.core.files.storage import Storage
from django.db import IntegrityError, transaction
from django.utils.deconstruct import deconstructible

from .models import DOCUMENT_NAME_LENGTH, Document

# Two requests storing the same name at once: the unique name decides, the second takes another free name.
SAVE_ATTEMPTS = 5


@deconstructible
class DatabaseStorage(Storage):
    # Writes and deletes are part of the caller's transaction (privacy.retention deletes at once, not after commit).
    transactional = True

    def _open(self, name, mode="rb"):
        if any(flag in mode for flag in "wa+"):
            raise ValueError("documents are written through save(), not opened for writing")
        content = Document.objects.filter(name=name).values_list("content", flat=True).first()
        if content is None:
            raise FileNotFoundError(f"no document named {name!r}")
        return ContentFile(bytes(content), name=name)

    def _save(self, name, content):
        content.seek(0)
        data = content.read()
        if isinstance(data, str):
            data = data.encode()
        for _attempt in range(SAVE_ATTEMPTS):
            try:
                with transaction.atomic():
                    Document.objects.create(name=name, content=data, size=len(data))
                return name
            except IntegrityError:
                name = self.get_available_name(name, max_length=DOCUMENT_NAME_LENGTH)
        raise IntegrityError(f"no free document name like {name!r}")

    def exists(self, name):
        return Document.objects.filter(name=name).exists()

    def existing(self, names) -> list[str]:
        """Which of `names` are stored, in one query (retention checks thousands at once)."""
        return list(Document.objects.filter(name__in=list(names)).values_list("name", flat=True))

    def delete(self, name):
        if not name:
            raise ValueError("the name must be given")
        Document.objects.filter(name=name).delete()

    def delete_many(self, names) -> None:
        """Delete these documents in one statement, in the caller's transaction."""
        Document.objects.filter(name__in=list(names)).delete()

    def size(self, name):
        size = Document.objects.filter(name=name).values_list("size", flat=True).first()
        if size is None:
            raise FileNotFoundError(f"no document named {name!r}")
        return size

    def listdir(self, path):
        prefix = f"{path.rstrip('/')}/" if path else ""
        directories, files = set(), []
        for name in Document.objects.filter(name__startswith=prefix).values_list("name", flat=True):
            rest = name[len(prefix) :]
            if "/" in rest:
                directories.add(rest.split("/", 1)[0])
            else:
                files.append(rest)
        return sorted(directories), sorted(files)

    def get_created_time(self, name):
        created = Document.objects.filter(name=name).values_list("created_at", flat=True).first()
        if created is None:
            raise FileNotFoundError(f"no document named {name!r}")
        return created

    get_modified_time = get_created_time

    def url(self, name):
        raise NotImplementedError("documents have no public address: the portal's views serve them, checking access")

    def path(self, name):
        raise NotImplementedError("documents are in the database, not on the node's disk")
