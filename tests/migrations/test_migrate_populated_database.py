"""A database built at an earlier head, with the demo data in it, migrates to the current head without losing a row.

Each dump in fixtures/ is such a database (fixtures/README.md says which commit built it and how to build the next
one). The test loads it into a database of its own, runs the current code's `manage.py migrate` on it as a deploy
would, and compares every table before and after: the same rows, the same ids, every content type under its old
name or its declared new one with the same id, and every permission, object permission and admin log entry still
pointing at it.
"""

import contextlib
import gzip
import os
import secrets
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

import pytest
from django.apps import apps
from django.conf import settings

from tests.conftest import require

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = Path(__file__).resolve().parent / "fixtures"
DUMPS = sorted(FIXTURES.glob("*.sql.gz"))

# A model that moves to another app keeps its content type (and so its permissions, object permissions and admin
# log entries) only if a migration renames the content type in place. Declare each such move here, as
# ("old_app_label", "model"): ("new_app_label", "model"); the test then expects the same id under the new name.
CONTENT_TYPE_RENAMES: dict[tuple[str, str], tuple[str, str]] = {
    # The counselling app handed its models over to portal, counselling.scheduling and counselling.attendance.
    ("counselling", "municipality"): ("portal", "municipality"),
    ("counselling", "counsellingservice"): ("portal", "counsellingservice"),
    ("counselling", "staffmembership"): ("portal", "staffmembership"),
    ("counselling", "location"): ("scheduling", "location"),
    ("counselling", "openinghours"): ("scheduling", "openinghours"),
    ("counselling", "availabilityexception"): ("scheduling", "availabilityexception"),
    ("counselling", "meeting"): ("scheduling", "meeting"),
    ("counselling", "lettertemplate"): ("scheduling", "lettertemplate"),
    ("counselling", "letter"): ("scheduling", "letter"),
    ("counselling", "calendarfeed"): ("scheduling", "calendarfeed"),
    ("counselling", "reminderrule"): ("scheduling", "reminderrule"),
    ("counselling", "remindertext"): ("scheduling", "remindertext"),
    ("counselling", "reminder"): ("scheduling", "reminder"),
    ("counselling", "flag"): ("scheduling", "flag"),
    ("counselling", "attendance"): ("attendance", "attendance"),
    ("counselling", "needsassessment"): ("attendance", "needsassessment"),
    ("counselling", "policereport"): ("attendance", "policereport"),
    # Portal handed break-the-glass accesses and retention rules over to privacy.
    ("portal", "breaktheglassaccess"): ("privacy", "breaktheglassaccess"),
    ("portal", "retentionrule"): ("privacy", "retentionrule"),
}

# Migrate itself adds rows here (the migrations it applies, the content types and permissions of new models, the
# role groups' new permissions; each service's own copy of a person record that services shared, referrals 0013, and
# the audit event for each copy; each service's copy of a retention rule): these may gain rows, but every row they had must still be there.
WRITTEN_BY_MIGRATE = {
    "django_migrations",
    "django_content_type",
    "auth_permission",
    "auth_group_permissions",
    "referrals_person",
    "portal_auditevent",
    "portal_retentionrule",  # a deployment's rule becomes each service's own (privacy 0002)
}

# What ties a user or group to a permission, or a log entry to an object, by content type and permission id.
LINK_TABLES = [
    "auth_permission",
    "auth_group_permissions",
    "guardian_userobjectpermission",
    "guardian_groupobjectpermission",
    "django_admin_log",
]

# The production settings module, with placeholders for what it requires and migrate never uses: migrate must
# need nothing but the database.
DEPLOY_ENV = {
    "DJANGO_SETTINGS_MODULE": "config.settings.production",
    "SECRET_KEY": secrets.token_urlsafe(50),
    "ALLOWED_HOSTS": "portal.kommune.example",
    "REDIS_URL": "redis://redis.invalid:6379/0",
    "EMAIL_URL": "smtp+tls://portal:secret@smtp.invalid:587",
}

pytestmark = [pytest.mark.postgres, pytest.mark.processes]


@dataclass
class Snapshot:
    rows: dict[str, int]
    id_checksums: dict[str, str | None]  # tables with an `id` column
    ids: dict[str, set]  # the tables migrate writes to
    links: dict[str, set[tuple]]
    link_columns: dict[str, list[str]]
    content_types: dict[int, tuple[str, str]]


@dataclass
class Migrated:
    dump: str
    before: Snapshot
    after: Snapshot
    migrate: subprocess.CompletedProcess
    database_url: str
    conninfo: str


def _server() -> dict:
    database = settings.DATABASES["default"]
    return {
        "host": database["HOST"] or "127.0.0.1",
        "port": database["PORT"] or 5432,
        "user": database["USER"],
        "password": database["PASSWORD"] or None,
    }


def _database_url(name: str) -> str:
    server = _server()
    password = f":{quote(server['password'], safe='')}" if server["password"] else ""
    return f"postgres://{server['user']}{password}@{server['host']}:{server['port']}/{name}"


def _manage(*args: str, database_url: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**os.environ, **DEPLOY_ENV, "DATABASE_URL": database_url},
        capture_output=True,
        text=True,
        timeout=300,
    )


def _output(result: subprocess.CompletedProcess) -> str:
    return f"exit {result.returncode}\n--- stdout\n{result.stdout}\n--- stderr\n{result.stderr}"


def _load(dump: Path, conninfo: str) -> None:
    # The dump is psql's input (COPY from stdin, \restrict), not plain statements a driver could execute.
    result = subprocess.run(
        ["psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", "--single-transaction", "-d", conninfo],
        input=gzip.decompress(dump.read_bytes()),
        capture_output=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr.decode()


def _add_what_the_demo_leaves_empty(conn) -> None:
    """A portal in use has admin log entries and group object permissions; the demo data has none. One log entry
    per content type and a group object permission beside each user's gives those links something to keep."""
    logged = conn.execute(
        """
        INSERT INTO django_admin_log (action_time, object_id, object_repr, action_flag, change_message,
                                      content_type_id, user_id)
        SELECT now(), '1', ct.app_label || '.' || ct.model, 2, '[]', ct.id,
               (SELECT min(id) FROM auth_user WHERE is_superuser)
        FROM django_content_type ct
        """
    ).rowcount
    granted = conn.execute(
        """
        INSERT INTO guardian_groupobjectpermission (object_pk, content_type_id, group_id, permission_id)
        SELECT DISTINCT p.object_pk, p.content_type_id, g.group_id, p.permission_id
        FROM guardian_userobjectpermission p JOIN auth_user_groups g ON g.user_id = p.user_id
        """
    ).rowcount
    assert logged and granted, "the dump has no superuser, content types or object permissions: is it the demo?"
    # A retention rule as the whole deployment had one before rules were per service (privacy 0002 copies it to each).
    conn.execute(
        "INSERT INTO portal_retentionrule (record_type, retention_days, legal_basis, updated_at) "
        "VALUES ('closed_case', 1825, 'Arkivplanen', now())"
    )


def _snapshot(conn) -> Snapshot:
    from psycopg import sql

    tables = [t for (t,) in conn.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY 1")]
    with_id = {
        t
        for (t,) in conn.execute(
            "SELECT table_name FROM information_schema.columns WHERE table_schema = 'public' AND column_name = 'id'"
        )
    }
    rows, id_checksums, ids = {}, {}, {}
    for table in tables:
        name = sql.Identifier(table)
        rows[table] = conn.execute(sql.SQL("SELECT count(*) FROM {}").format(name)).fetchone()[0]
        if table in with_id:
            query = sql.SQL("SELECT md5(string_agg(id::text, ',' ORDER BY id)) FROM {}").format(name)
            id_checksums[table] = conn.execute(query).fetchone()[0]
        if table in WRITTEN_BY_MIGRATE:
            ids[table] = {i for (i,) in conn.execute(sql.SQL("SELECT id FROM {}").format(name))}
    links, link_columns = {}, {}
    for table in LINK_TABLES:
        columns = [
            c
            for (c,) in conn.execute(
                "SELECT column_name FROM information_schema.columns WHERE table_schema = 'public' AND table_name = %s "
                "ORDER BY ordinal_position",
                [table],
            )
        ]
        link_columns[table] = columns
        if not columns:  # the table is gone; the comparison says so
            links[table] = set()
            continue
        query = sql.SQL("SELECT {} FROM {}").format(
            sql.SQL(", ").join(map(sql.Identifier, columns)), sql.Identifier(table)
        )
        links[table] = set(conn.execute(query).fetchall())
    content_types = {i: (a, m) for i, a, m in conn.execute("SELECT id, app_label, model FROM django_content_type")}
    return Snapshot(rows, id_checksums, ids, links, link_columns, content_types)


def _link_rows(snapshot: Snapshot, table: str, columns: list[str]) -> set[tuple]:
    """The rows of a link table in the columns the table had before, whatever a migration added since."""
    positions = [snapshot.link_columns[table].index(c) for c in columns]
    return {tuple(row[p] for p in positions) for row in snapshot.links[table]}


def _renamed(label: tuple[str, str]) -> tuple[str, str]:
    seen = set()
    while label in CONTENT_TYPE_RENAMES and label not in seen:  # a model may move again at a later change
        seen.add(label)
        label = CONTENT_TYPE_RENAMES[label]
    return label


@contextlib.contextmanager
def migrated_dump(dump: Path):
    """The dump loaded into a database of its own and migrated by the current code, dropped afterwards."""
    import psycopg
    from psycopg.conninfo import make_conninfo

    require(shutil.which("psql") is not None, "psql (PostgreSQL's client) is not installed")
    # Not test_…: the audit log's truncate trigger lets only test databases through, and this one is the
    # production database of an earlier head.
    name = f"portal_populated_{secrets.token_hex(6)}"
    conninfo = make_conninfo(dbname=name, **_server())
    with psycopg.connect(make_conninfo(dbname="postgres", **_server()), autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
        try:
            _load(dump, conninfo)
            with psycopg.connect(conninfo, autocommit=True) as conn:
                _add_what_the_demo_leaves_empty(conn)
                before = _snapshot(conn)
            result = _manage("migrate", "--no-input", database_url=_database_url(name))
            with psycopg.connect(conninfo, autocommit=True) as conn:
                after = _snapshot(conn)
            yield Migrated(dump.name, before, after, result, _database_url(name), conninfo)
        finally:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(scope="module", params=DUMPS, ids=[d.name for d in DUMPS])
def migrated(request):
    with migrated_dump(request.param) as result:
        yield result


def test_the_current_code_migrates_it(migrated):
    assert migrated.migrate.returncode == 0, _output(migrated.migrate)


def test_every_table_keeps_its_rows_and_ids(migrated):
    before, after = migrated.before, migrated.after
    lost = []
    for table, rows in sorted(before.rows.items()):
        if table not in after.rows:
            lost.append(f"{table}: gone ({rows} rows)")
        elif table in WRITTEN_BY_MIGRATE:
            missing = before.ids[table] - after.ids[table]
            if missing:
                lost.append(f"{table}: {len(missing)} of {rows} rows gone (ids {sorted(missing)[:10]}…)")
        elif after.rows[table] != rows:
            lost.append(f"{table}: {rows} rows before, {after.rows[table]} after")
        elif before.id_checksums.get(table) != after.id_checksums.get(table):
            lost.append(f"{table}: {rows} rows, but not the same ids")
    assert not lost, f"after migrating {migrated.dump}:\n" + "\n".join(lost)


def test_every_content_type_keeps_its_id_under_its_old_or_declared_name(migrated):
    models = {(m._meta.app_label, m._meta.model_name) for m in apps.get_models()}
    wrong = []
    for id_, label in sorted(migrated.before.content_types.items()):
        expected = _renamed(label)
        now = migrated.after.content_types.get(id_)
        if now != expected:
            wrong.append(f"content type {id_} {label}: expected {expected}, found {now or 'nothing'}")
        elif expected not in models:
            wrong.append(
                f"content type {id_} {expected} names no model of the current code: if the model moved, rename the "
                f"content type in a migration and declare it in CONTENT_TYPE_RENAMES"
            )
    for id_, label in sorted(migrated.after.content_types.items()):
        moved_from = [old for old in migrated.before.content_types.values() if old[1] == label[1] and old != label]
        if id_ not in migrated.before.content_types and moved_from:
            wrong.append(
                f"content type {id_} {label} is new beside {moved_from}: the model's permissions and links stay "
                f"with the old one"
            )
    assert not wrong, f"after migrating {migrated.dump}:\n" + "\n".join(wrong)


@pytest.mark.parametrize("table", LINK_TABLES)
def test_every_permission_object_permission_and_admin_log_entry_is_kept(migrated, table):
    columns = migrated.before.link_columns[table]
    gone = set(columns) - set(migrated.after.link_columns[table])
    assert not gone, f"{table} lost its columns {sorted(gone)} after migrating {migrated.dump}"
    missing = _link_rows(migrated.before, table, columns) - _link_rows(migrated.after, table, columns)
    assert not missing, f"{table} lost {len(missing)} rows after migrating {migrated.dump}; {columns}:\n" + "\n".join(
        map(str, sorted(missing)[:20])
    )


def test_nothing_is_left_to_migrate_or_to_write(migrated):
    for command in (["migrate", "--check"], ["makemigrations", "--check", "--dry-run"]):
        result = _manage(*command, database_url=migrated.database_url)
        assert result.returncode == 0, " ".join(command) + "\n" + _output(result)
