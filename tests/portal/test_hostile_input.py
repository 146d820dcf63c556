"""Hostile input to every form the URL configuration reaches: never a 500, and nothing saved by an answer
that is an error.

Like the permission matrix, the probe walks the URL configuration, so a form added tomorrow is probed
without editing this file. For each service page it signs in with a role the page allows, on objects that
are the visitor's own (`OBJECT_KWARGS`), and finds what the view reads:

- every Django form the view makes (its fields, their initial values and choices), and
- every query-string and form key the view reads from `request.GET` / `request.POST`, with or without a
  form (a `next`, a filter),

by a GET and an empty POST that are rolled back afterwards. Then it sends each key, one at a time, every
value of HOSTILE_VALUES (and, for a choice of objects, the id of another service's object) while the
form's other fields keep plausible values, and asserts:

- never a 500;
- when the answer is an error (not a redirect and not a download), no row changed: the tables are
  compared by checksum, leaving out sessions, lockout counters, two-factor throttling and reads in the
  audit log, which an error page may rightly write;
- an id that the form did not offer is never accepted.
"""

import datetime
import functools
from collections.abc import Iterator
from contextlib import contextmanager
from decimal import Decimal
from urllib.parse import quote

import pytest
from django import forms
from django.contrib import admin
from django.db import connection, transaction
from django.db.models import Model
from django.http import QueryDict
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from portal.models import Role
from tests.factories import StaffMembershipFactory, UserFactory
from tests.portal.test_permission_matrix import OBJECT_KWARGS, SCOPED, _url

# A table of hostile values, as a careless user and an attacker would type them.
HOSTILE_VALUES: dict[str, str | bytes] = {
    "empty": "",
    "blank": "   ",
    "10,000 characters": "x" * 10_000,
    "NUL": "a\x00b",
    "invalid UTF-8": b"%FF%FE%FD",  # sent raw, percent-encoded bytes that are no UTF-8
    "minus one": "-1",
    "40 digits": "9" * 40,
    "impossible date": "2026-02-30",
    "first day of the calendar": "0001-01-01",
    "last day of the calendar": "9999-12-31",
    "last moment of the calendar": "9999-12-31 23:59",
    "impossible time": "2026-11-30 25:61",
    "wrong choice": "no-such-choice",
    "formula": '=HYPERLINK("http://evil.example")',
    "markup": "<script>alert(1)</script>",
    "huge number": "1e400",
    "not a number": "NaN",
}

# Each field gets the values that fit its kind, one field at a time with the others plausible; a key read
# without a form gets them all. Then every value goes to all keys at once.
FOR_EVERY_KEY = ["10,000 characters", "NUL"]
FOR_KIND = {
    "date": ["impossible date", "first day of the calendar", "last day of the calendar"],
    "datetime": ["impossible time", "first day of the calendar", "last moment of the calendar"],
    "number": ["minus one", "40 digits", "huge number", "not a number"],
    "choice": ["wrong choice", "minus one", "40 digits"],
    "text": ["empty"],
}


def _kind(field: forms.Field | None) -> str | None:
    """Which hostile values fit a field best; None (a key read without a form) gets them all."""
    if field is None:
        return None
    if isinstance(field, forms.DateTimeField | forms.SplitDateTimeField):
        return "datetime"
    if isinstance(field, forms.DateField):
        return "date"
    if isinstance(field, forms.IntegerField | forms.DecimalField | forms.FloatField):
        return "number"
    if isinstance(field, forms.ChoiceField):
        return "choice"
    return "text"


def _values_for(kind: str | None) -> list[str]:
    return list(HOSTILE_VALUES) if kind is None else FOR_EVERY_KEY + FOR_KIND[kind]


# What an error page may write: the session, django-axes' and django-otp's counters, and reads in the log.
UNCOMPARED_TABLES = {"django_session", "axes_accessattempt", "axes_accesslog", "axes_accessfailurelog"}
UNCOMPARED_TABLES |= {"django_migrations", "django_content_type", "auth_permission"}  # written by migrate only
UNCOMPARED_PREFIXES = ("otp_", "django_celery_")


def _tables() -> list[str]:
    return sorted(
        name
        for name in connection.introspection.table_names()
        if name not in UNCOMPARED_TABLES and not name.startswith(UNCOMPARED_PREFIXES)
    )


def _state(*, including_reads: bool = False) -> dict[str, str]:
    """A checksum of every compared table, in one query; reads in the audit log only when asked."""
    parts = []
    for table in _tables():
        quoted = connection.ops.quote_name(table)
        where = ""
        if table == "portal_auditevent" and not including_reads:
            where = " WHERE t.kind NOT IN ('read', 'auth')"
        # Table names come from the database itself.
        checksum = f"SELECT '{table}', md5(coalesce(string_agg(t::text, '|' ORDER BY t::text), '')) FROM {quoted} t"  # noqa: S608
        parts.append(checksum + where)
    with connection.cursor() as cursor:
        cursor.execute(" UNION ALL ".join(parts))
        return dict(cursor.fetchall())


class _Reads:
    """What one request's view read: the forms it made and the keys it asked the query dicts for."""

    def __init__(self):
        self.forms: list[forms.BaseForm] = []
        self.keys: set[str] = set()


@contextmanager
def _recording() -> Iterator[_Reads]:
    reads = _Reads()
    original_init = forms.BaseForm.__init__
    originals = {name: getattr(QueryDict, name) for name in ("get", "getlist", "__getitem__", "__contains__")}

    @functools.wraps(original_init)
    def init(self, *args, **kwargs):
        original_init(self, *args, **kwargs)
        reads.forms.append(self)

    def recorder(name):
        method = originals[name]

        @functools.wraps(method)
        def wrapper(self, key, *args, **kwargs):
            if isinstance(key, str):
                reads.keys.add(key)
            return method(self, key, *args, **kwargs)

        return wrapper

    forms.BaseForm.__init__ = init
    for name in originals:
        setattr(QueryDict, name, recorder(name))
    try:
        yield reads
    finally:
        forms.BaseForm.__init__ = original_init
        for name, method in originals.items():
            setattr(QueryDict, name, method)


def _as_typed(field: forms.DateTimeField, moment: datetime.datetime) -> str:
    """A date and time in the first format the field reads (the portal's fields read only the browser's)."""
    return moment.strftime(next(iter(field.input_formats)))


def _plausible(field: forms.Field, bound: forms.BoundField) -> str:
    """A value the field would accept, so that the hostile one is the only thing wrong."""
    value = bound.value()
    if isinstance(value, list | tuple):
        value = value[0] if value else None
    if isinstance(value, Model):
        value = value.pk
    if value not in (None, "") and not isinstance(field, forms.BooleanField):
        if isinstance(value, datetime.datetime) and isinstance(field, forms.DateTimeField):
            return _as_typed(field, timezone.localtime(value) if timezone.is_aware(value) else value)
        return str(value)
    if isinstance(field, forms.BooleanField):
        return "on"
    if isinstance(field, forms.ModelChoiceField):
        first = field.queryset.first()
        return str(first.pk) if first else ""
    if isinstance(field, forms.ChoiceField):
        # Grouped choices (a label that is a list of choices) are left out: their keys are one level down.
        choices = [key for key, label in field.choices if key not in ("", None) and not isinstance(label, list)]
        return str(choices[0]) if choices else ""
    if isinstance(field, forms.DateTimeField):
        next_week = timezone.localtime() + datetime.timedelta(days=7)
        return _as_typed(field, next_week.replace(hour=10, minute=0, second=0, microsecond=0))
    if isinstance(field, forms.DateField):
        return (timezone.localdate() + datetime.timedelta(days=7)).isoformat()
    if isinstance(field, forms.TimeField):
        return "10:00"
    if isinstance(field, forms.EmailField):
        return "probe@example.no"
    if isinstance(field, forms.IntegerField | forms.DecimalField | forms.FloatField):
        return str(max(Decimal(1), Decimal(field.min_value or 1)))
    return "Probe text"


def _foreign_id(field: forms.Field) -> str | None:
    """The id of an object of the field's kind that the form did not offer (another service's)."""
    if not isinstance(field, forms.ModelChoiceField):
        return None
    outside = field.queryset.model._default_manager.exclude(pk__in=field.queryset.values("pk")).first()
    return None if outside is None else str(outside.pk)


def _visitor_role(name: str) -> str:
    allowed = SCOPED[name].callback.allowed_roles
    return Role.SERVICE_LEAD if Role.SERVICE_LEAD in allowed else sorted(allowed)[0]


def _encoded(data: dict[str, str | bytes]) -> str:
    """A query string; bytes values go as they are (already percent-encoded, and no UTF-8 when decoded)."""
    return "&".join(
        f"{quote(key)}={value.decode() if isinstance(value, bytes) else quote(value)}" for key, value in data.items()
    )


def _send(client: Client, method: str, url: str, data: dict[str, str | bytes], hostile: dict):
    if method == "get":
        return client.get(f"{url}?{_encoded(data)}")
    if any(isinstance(value, bytes) for value in hostile.values()):
        return client.post(url, _encoded(data), content_type="application/x-www-form-urlencoded")
    return client.post(url, data)


def _is_success(response) -> bool:
    """A redirect, a download, or the admin's answer to a form saved in its pop-up window."""
    templates = getattr(response, "templates", [])
    popup = any((template.name or "").endswith("popup_response.html") for template in templates)
    return response.status_code in (301, 302, 303) or response.has_header("Content-Disposition") or popup


def _discover(client: Client, url: str) -> dict[str, dict]:
    """For GET and POST: the keys the view reads, with plausible values, and the model choices among them."""
    found = {}
    for method in ("get", "post"):
        with transaction.atomic(), _recording() as reads:
            response = getattr(client, method)(url)
            transaction.set_rollback(True)
        if response.status_code == 405:
            continue
        plausible, kinds, choices = {}, {}, {}
        for form in reads.forms:
            if "__prefix__" in (form.prefix or ""):
                continue  # a formset's empty form, the template its page's script copies; never posted
            for field_name, field in form.fields.items():
                html_name = form.add_prefix(field_name)
                plausible[html_name] = _plausible(field, form[field_name])
                kinds[html_name] = _kind(field)
                foreign = _foreign_id(field)
                if foreign is not None:
                    choices[html_name] = foreign
        for key in reads.keys - {"csrfmiddlewaretoken"}:
            plausible.setdefault(key, "")
            kinds.setdefault(key, None)
        if plausible:
            found[method] = {"plausible": plausible, "kinds": kinds, "foreign": choices}
    return found


def _probe(client: Client, url: str, discovered: dict[str, dict], extra_get: list[dict] = ()) -> list[str]:
    """Send the hostile values to what `_discover` found; the problems, in words."""
    problems = []
    if extra_get:
        discovered = {**discovered}
        discovered.setdefault("get", {"plausible": {}, "kinds": {}, "foreign": {}})
    for method, found in discovered.items():
        data = {k: v for k, v in found["plausible"].items() if v != ""}
        trials = [
            ({key: HOSTILE_VALUES[label]}, f"{key}={label}")
            for key, kind in found["kinds"].items()
            for label in _values_for(kind)
        ]
        trials += [({key: value}, f"{key}=id of another service") for key, value in found["foreign"].items()]
        trials += [
            (dict.fromkeys(found["plausible"], value), f"every key={label}")
            for label, value in HOSTILE_VALUES.items()
            if not isinstance(value, bytes) and found["plausible"]
        ]
        if method == "get":
            trials += [(query, "&".join(f"{k}={v}" for k, v in query.items())) for query in extra_get]
        # The state before a request is the state after the one before it: one checksum a request.
        before = _state() if method == "post" else None
        for hostile, what in trials:
            response = _send(client, method, url, {**data, **hostile}, hostile)
            what = f"{method.upper()} {what}"
            if response.status_code >= 500:
                problems.append(f"{what}: {response.status_code}")
            if "id of another service" in what and _is_success(response):
                problems.append(f"{what}: accepted an id the form did not offer")
            if before is not None:
                after = _state()
                changed = sorted(table for table in after if after[table] != before.get(table))
                if changed and not _is_success(response):
                    problems.append(f"{what}: answered {response.status_code} but changed {changed}")
                before = after
    return problems


@pytest.mark.probe
@pytest.mark.parametrize("name", sorted(SCOPED))
def test_hostile_input_never_gives_a_500_or_a_half_saved_change(service, other_service, name):
    role = _visitor_role(name)
    user = StaffMembershipFactory(service=service, role=role).user
    # Objects of another service, so that the ids of other services are there to be tried.
    for make in OBJECT_KWARGS.values():
        make(other_service, None) if make.__code__.co_argcount == 2 else make(other_service)
    url = _url(name, SCOPED[name], service, user)
    client = Client(raise_request_exception=False)
    client.force_login(user)

    problems = _probe(client, url, _discover(client, url))
    assert problems == [], f"{name} ({role}):\n" + "\n".join(problems)


ADMINS = {f"{model._meta.app_label}.{model._meta.model_name}": model for model in admin.site._registry}


def _edge_of_the_calendar(model_admin) -> list[dict]:
    """The admin's date drill-down at the calendar's edges (its own query keys, read without `get`)."""
    field = model_admin.date_hierarchy
    if not field:
        return []
    return [
        {f"{field}__year": "9999", f"{field}__month": "12", f"{field}__day": "31"},
        {f"{field}__year": "9999", f"{field}__month": "12"},
        {f"{field}__year": "9999"},
        {f"{field}__year": "1", f"{field}__month": "1", f"{field}__day": "1"},
        {f"{field}__year": "99999999999999999999"},
    ]


@pytest.mark.probe
@pytest.mark.parametrize("label", sorted(ADMINS))
def test_hostile_input_to_the_admin_never_gives_a_500_or_a_half_saved_change(service, other_service, label):
    """The same probe on the admin, as a superuser: its list (search, sorting, pages, date drill-down),
    its add form and the change form of an object."""
    for make in OBJECT_KWARGS.values():
        make(service, None) if make.__code__.co_argcount == 2 else make(service)
    model = ADMINS[label]
    model_admin = admin.site._registry[model]
    superuser = UserFactory(is_staff=True, is_superuser=True)
    client = Client(raise_request_exception=False)
    client.force_login(superuser)
    info = (model._meta.app_label, model._meta.model_name)
    changelist = reverse("admin:{}_{}_changelist".format(*info))
    queries = [{"q": value} for value in ("x" * 10_000, "a\x00b")] + [{"p": "-1"}, {"p": "9" * 40}, {"o": "99.-1"}]
    problems = _probe(client, changelist, {}, extra_get=queries + _edge_of_the_calendar(model_admin))
    pages = [reverse("admin:{}_{}_add".format(*info))]
    instance = model._default_manager.first()
    if instance is not None:
        pages.append(reverse("admin:{}_{}_change".format(*info), args=[instance.pk]))
    for page in pages:
        found = {method: what for method, what in _discover(client, page).items() if method == "post"}
        problems += _probe(client, page, found)
    assert problems == [], f"{label}:\n" + "\n".join(problems)


def test_the_probe_finds_the_forms_of_the_intake_page(service):
    """The probe is only as good as what it finds: the intake page's form and formsets are found."""
    user = StaffMembershipFactory(service=service, role=Role.COUNSELLOR).user
    client = Client()
    client.force_login(user)
    found = _discover(client, _url("referrals:create", SCOPED["referrals:create"], service, user))
    keys = set(found["post"]["plausible"])
    assert {"national_id", "first_name", "last_name"} <= keys
    assert any(key.endswith("TOTAL_FORMS") for key in keys)


class _FailedAfterWriting(Exception):
    pass


@pytest.mark.probe
@pytest.mark.parametrize("name", sorted(SCOPED))
def test_a_request_that_fails_after_its_work_leaves_nothing_behind(service, name, monkeypatch):
    """Every page that writes and then fails (here: when it answers with a redirect, the last thing a
    successful form or action does) leaves every table as it was, reads in the audit log included."""
    from django.http.response import HttpResponseRedirectBase

    role = _visitor_role(name)
    user = StaffMembershipFactory(service=service, role=role).user
    url = _url(name, SCOPED[name], service, user)
    client = Client(raise_request_exception=False)
    client.force_login(user)
    found = _discover(client, url)
    data = {k: v for k, v in found.get("post", {}).get("plausible", {}).items() if v != ""}

    def fail(self, *args, **kwargs):
        raise _FailedAfterWriting

    monkeypatch.setattr(HttpResponseRedirectBase, "__init__", fail)
    for method, payload in (("get", {}), ("post", data)):
        before = _state(including_reads=True)
        response = getattr(client, method)(url, payload)
        after = _state(including_reads=True)
        if response.status_code == 500:
            changed = sorted(table for table in after if after[table] != before[table])
            assert changed == [], f"{method.upper()} {name}: a request that failed left rows in {changed}"
