"""Personal data, declared by the app that owns the model: which fields hold it, how the model's rows go into a
person's data export, and what each field becomes when retention anonymises the case.

pretix registers a data shredder per data type, export and erase side by side next to the models they cover
(STYLE.md, "Personal data declared where it lives"): a list of every app's fields kept in one place goes stale
when a field is added elsewhere. So each app declares its models in its own `personal_data.py` and registers
them from its AppConfig.ready(); `privacy.retention` and `privacy.data_export` read the declarations and keep
only their rules (which cases, whose export). This module is on the ground floor: it knows the other apps'
models only as their declarations hand them over.

The declarations make a tree. One that `belongs_to` another model (its foreign key to it) is exported inside that
model's rows under `export_key`, and retention reaches its rows through it; one that belongs to nothing is a
root, exported where the reader asks for it (the person; the cases of one service). Inside a row, what belongs
to it one-to-one comes before its lists, each in the order of registration (the floors, lowest first).

`tests/privacy/test_personal_data_registry.py` fails when a field that looks like personal data is declared by
no one.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import FieldDoesNotExist, ImproperlyConfigured
from django.core.files.storage import default_storage
from django.db import models
from django.db.models import Case, Q, QuerySet, Value, When

from .selectors import staff_name

# What a name or a typed text becomes where the column may not be left empty (a constraint, or a row that must
# still read as a letter to someone).
ANONYMISED = "Anonymisert"


def placeholder_unless_empty(name: str) -> Case:
    """ANONYMISED for a text that was written, empty for one that was not: a text required only once its step is
    done (a cancelled meeting's reason, a fee decision's reasons) must not appear where the step never came."""
    return Case(When(**{name: ""}, then=Value("")), default=Value(ANONYMISED))


@dataclass(frozen=True)
class TextsInJson:
    """Free text someone typed, under these keys of a JSON object (the timeline's parameters): each key present
    becomes ANONYMISED, the others (dates, labels, staff names) stay. Applied row by row, as every database the
    portal runs on reads JSON keys but not all of them rewrite one."""

    keys: tuple[str, ...]

    def anonymised(self, value: dict) -> dict:
        return {key: ANONYMISED if key in self.keys else item for key, item in value.items()}


@dataclass(frozen=True)
class Anonymise:
    """One step of the retention sweep: each field gets its value — a constant, a database expression of the row
    (`Concat`, `TruncYear`, `placeholder_unless_empty`…), or `TextsInJson` as the step's only field. The sweep's
    result counts the rows it changed as `count_as`."""

    count_as: str
    values: Mapping[str, Any]

    def __post_init__(self):
        in_json = [name for name, value in self.values.items() if isinstance(value, TextsInJson)]
        if in_json and len(self.values) > 1:
            raise ImproperlyConfigured(f"{self.count_as}: texts in JSON ({in_json[0]}) are a step of their own")

    def _in_json(self) -> tuple[str, TextsInJson] | None:
        for name, value in self.values.items():
            if isinstance(value, TextsInJson):
                return name, value
        return None

    def pending(self, rows: QuerySet) -> QuerySet:
        """The rows where some field does not hold its anonymised value yet, so a second sweep finds none."""
        in_json = self._in_json()
        if in_json:
            name, texts = in_json
            return rows.filter(**{f"{name}__has_any_keys": list(texts.keys)})
        differs = Q()
        for name, value in self.values.items():
            differs |= ~Q(**{name: value})
        return rows.filter(differs)

    def run(self, rows: QuerySet, *, apply: bool) -> int:
        """Anonymise `rows` (or, without apply, count what would change): the number of rows changed."""
        in_json = self._in_json()
        if in_json is None:
            pending = self.pending(rows)
            return pending.update(**self.values) if apply else pending.count()
        name, texts = in_json
        changed = 0
        for row in self.pending(rows).only("pk", name):
            before = getattr(row, name)
            after = texts.anonymised(before)
            if after != before:
                changed += 1
                if apply:
                    rows.model.objects.filter(pk=row.pk).update(**{name: after})
        return changed


@dataclass(frozen=True, kw_only=True)
class PersonalData:
    """What one model holds about the people in a case, declared by the app that owns the model.

    - `belongs_to`: the foreign key to the row this one is part of ("" for a root); `export_key` is where its rows
      go in that row's export: a list, or for a one-to-one key the one row (None when there is none).
    - `export`: the row as the data-subject export has it (a dict where rows belong to it; they are added under
      their keys); `select_related` and `prefetch_related` are what it reads. None: not exported.
    - `export_only`: which rows go in the export, as a Q made when the export is made (None: every row); the rows
      left out, and what belongs to them, are those the person may not be told of yet (an unannounced drug test
      before its day).
    - `anonymise`: the retention sweep's steps for the row once its case has passed the closed-case period.
    - `files`: file fields of documents deleted from storage once the case has passed the letters period.
    - `kept`: fields that hold, or look as if they held, personal data and stay, each with the reason.
    """

    model: type[models.Model]
    belongs_to: str = ""
    export_key: str = ""
    export: Callable[[Any], Any] | None = None
    select_related: tuple[str, ...] = ()
    prefetch_related: tuple[str, ...] = ()
    export_only: Callable[[], Q] | None = None
    anonymise: tuple[Anonymise, ...] = ()
    files: tuple[str, ...] = ()
    kept: Mapping[str, str] = field(default_factory=dict)

    @property
    def label(self) -> str:
        return self.model._meta.label

    @property
    def fields(self) -> frozenset[str]:
        """Every field the declaration speaks for: anonymised, deleted as files, or kept with a reason."""
        anonymised = {name for step in self.anonymise for name in step.values}
        return frozenset(anonymised | set(self.files) | set(self.kept))

    @property
    def parent(self) -> models.ForeignKey | None:
        return self.model._meta.get_field(self.belongs_to) if self.belongs_to else None

    def check(self) -> None:
        """Refuse at start-up a declaration that names a field its model does not have or leaves a reason out."""
        try:
            for name in self.fields | ({self.belongs_to} - {""}):
                self.model._meta.get_field(name)
        except FieldDoesNotExist as error:
            raise ImproperlyConfigured(f"personal data of {self.label}: {error}") from None
        if self.parent is not None and not (self.parent.many_to_one or self.parent.one_to_one):
            raise ImproperlyConfigured(f"personal data of {self.label}: {self.belongs_to} is no foreign key")
        if self.export is not None and bool(self.belongs_to) != bool(self.export_key):
            raise ImproperlyConfigured(f"personal data of {self.label}: belongs_to and export_key go together")
        for name, reason in self.kept.items():
            if not reason.strip():
                raise ImproperlyConfigured(f"personal data of {self.label}: say why {name} is kept")


_declarations: dict[str, PersonalData] = {}


def register(*declarations: PersonalData) -> None:
    """Register an app's declarations, from its AppConfig.ready(); registering a model again replaces it."""
    for declaration in declarations:
        declaration.check()
        _declarations[declaration.label] = declaration


def declarations() -> tuple[PersonalData, ...]:
    """Every declaration, in the order the apps registered them (the floors, lowest first)."""
    return tuple(_declarations.values())


def declaration_of(model: type[models.Model]) -> PersonalData:
    try:
        return _declarations[model._meta.label]
    except KeyError:
        raise LookupError(f"no personal data declared for {model._meta.label}") from None


def lookup_to(declaration: PersonalData, model: type[models.Model]) -> str | None:
    """The lookup from the declaration's rows to the `model` they belong to, through the declarations between
    ("attendance__meeting__referral"; "pk" for `model` itself), or None when they do not belong to it."""
    path: list[str] = []
    while declaration.model is not model:
        parent = declaration.parent
        if parent is None:
            return None
        path.append(declaration.belongs_to)
        declaration = declaration_of(parent.related_model)
    return "__".join(path) or "pk"


def _parts_of(model: type[models.Model]) -> list[PersonalData]:
    """The exported declarations whose rows belong to `model`'s: one-to-one first, then the lists."""
    parts = [
        declaration
        for declaration in _declarations.values()
        if declaration.export is not None
        and declaration.parent is not None
        and declaration.parent.related_model is model
    ]
    return sorted(parts, key=lambda part: not part.parent.one_to_one)


def _exported(rows: QuerySet) -> list[tuple[models.Model, dict]]:
    declaration = declaration_of(rows.model)
    if declaration.export is None:
        raise LookupError(f"{declaration.label} is not in the person export")
    if declaration.export_only is not None:
        rows = rows.filter(declaration.export_only())
    rows = rows.select_related(*declaration.select_related).prefetch_related(*declaration.prefetch_related)
    if not rows.ordered:
        rows = rows.order_by("pk")
    found = [(row, declaration.export(row)) for row in rows]
    if not found:
        return found
    for part in _parts_of(rows.model):
        parent = part.parent
        inside: defaultdict[Any, list[dict]] = defaultdict(list)
        for row, data in _exported(part.model.objects.filter(**{f"{part.belongs_to}__in": [row for row, _ in found]})):
            inside[getattr(row, parent.attname)].append(data)
        for row, data in found:
            rows_inside = inside.get(getattr(row, parent.target_field.attname), [])
            data[part.export_key] = (rows_inside or [None])[0] if parent.one_to_one else rows_inside
    return found


def export(rows: QuerySet) -> list[dict]:
    """The rows as the data-subject export has them, each with the rows that belong to it inside: one query per
    declaration, whatever the number of rows."""
    return [data for _row, data in _exported(rows)]


# For the declarations' export functions: what the export says about staff and about stored documents.


def staff(user) -> str:
    """The staff member's name, or nothing for a scheduled job."""
    return staff_name(user) if user else ""


def file_kept(file) -> bool:
    """Whether the document is still in storage (retention deletes the files and keeps the rows)."""
    return bool(file.name) and default_storage.exists(file.name)
