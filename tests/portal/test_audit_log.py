import contextlib
import importlib
import secrets

import pytest
from django.db import connection
from django.http import HttpResponse

from portal.audit import audit_read
from portal.memberships import membership_grant
from portal.middleware import RequestIdMiddleware
from portal.models import AppendOnlyError, AuditEvent, Role
from tests.factories import CounsellingServiceFactory, UserFactory


@pytest.fixture
def event(db):
    service = CounsellingServiceFactory()
    return audit_read(
        actor=UserFactory(), action="person.viewed", obj=service, service=service, person_id=42, reason="case work"
    )


def test_an_audit_event_cannot_be_changed(event):
    event.action = "something.else"
    with pytest.raises(AppendOnlyError):
        event.save()
    event.refresh_from_db()
    assert event.action == "person.viewed"


def test_an_audit_event_cannot_be_deleted(event):
    with pytest.raises(AppendOnlyError):
        event.delete()
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.filter(pk=event.pk).delete()
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.filter(pk=event.pk).update(action="x")
    assert AuditEvent.objects.filter(pk=event.pk, action="person.viewed").exists()


@pytest.mark.postgres
def test_the_database_refuses_to_change_or_delete_audit_events_even_in_raw_sql(event):
    from django.db import DatabaseError, transaction

    for statement in (
        "UPDATE portal_auditevent SET action = 'x' WHERE id = %s",
        "DELETE FROM portal_auditevent WHERE id = %s",
    ):
        with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(statement, [event.pk])
    assert AuditEvent.objects.get(pk=event.pk).action == "person.viewed"


def test_audit_event_records_actor_object_person_and_service(event):
    assert event.actor_label.startswith("staff")
    assert event.kind == AuditEvent.Kind.READ
    assert event.object_repr == str(event.service)
    assert event.person_id == 42
    assert event.reason == "case work"


def test_events_logged_during_a_request_carry_its_request_id(rf, counsellor, service):
    """Reads and writes of one request can be tied together in the log, and to the proxy's logs."""

    def view(request):
        audit_read(actor=counsellor, action="service.viewed", obj=service)
        return HttpResponse()

    response = RequestIdMiddleware(view)(rf.get("/", HTTP_X_REQUEST_ID="req-123"))
    assert response["X-Request-ID"] == "req-123"
    assert AuditEvent.objects.get(action="service.viewed").request_id == "req-123"

    response = RequestIdMiddleware(view)(rf.get("/", HTTP_X_REQUEST_ID="<script>"))
    generated = response["X-Request-ID"]
    assert generated != "<script>"
    assert AuditEvent.objects.filter(action="service.viewed").latest("id").request_id == generated


def test_granting_a_role_is_logged(db):
    admin = UserFactory(username="admin-user")
    user = UserFactory()
    service = CounsellingServiceFactory()
    membership = membership_grant(actor=admin, user=user, service=service, role=Role.COUNSELLOR)
    event = AuditEvent.objects.get(action="membership.granted", object_id=str(membership.pk))
    assert event.actor == admin
    assert event.service == service
    assert event.extra["role"] == Role.COUNSELLOR


def test_sign_in_and_failed_sign_in_are_logged(client, counsellor):
    client.post("/accounts/login/", {"username": "counsellor", "password": "wrong password"})
    failed = AuditEvent.objects.get(action="auth.login_failed")
    assert failed.actor is None
    assert failed.extra == {"username": "counsellor"}
    assert "wrong password" not in str(failed.extra)

    client.post("/accounts/login/", {"username": "counsellor", "password": "correct horse battery staple"})
    assert AuditEvent.objects.filter(action="auth.login", actor=counsellor).count() == 1


APPEND_ONLY = importlib.import_module("portal.migrations.0002_auditevent_append_only_trigger")
NO_TRUNCATE = importlib.import_module("portal.migrations.0006_auditevent_no_truncate_trigger")


@contextlib.contextmanager
def throwaway_database(name: str):
    """A database of its own, with the audit table and the migrations' triggers, dropped afterwards: the test
    database cannot be renamed, and the trigger's rule depends on the database's name."""
    import psycopg
    from psycopg.conninfo import make_conninfo

    database = connection.settings_dict
    server = {
        "host": database["HOST"] or "127.0.0.1",
        "port": database["PORT"] or 5432,
        "user": database["USER"],
        "password": database["PASSWORD"] or None,
    }
    with psycopg.connect(make_conninfo(dbname="postgres", **server), autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
        try:
            with psycopg.connect(make_conninfo(dbname=name, **server), autocommit=True) as probe:
                probe.execute("CREATE TABLE portal_auditevent (id bigserial PRIMARY KEY, action text NOT NULL)")
                probe.execute(APPEND_ONLY.CREATE)
                probe.execute(NO_TRUNCATE.CREATE)
                probe.execute("INSERT INTO portal_auditevent (action) VALUES ('person.viewed')")
                yield probe
        finally:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _rows(probe) -> int:
    return probe.execute("SELECT count(*) FROM portal_auditevent").fetchone()[0]


@pytest.mark.postgres
@pytest.mark.parametrize("prefix", ["portal_truncate_probe_", "testportal_truncate_probe_"])
def test_the_database_refuses_to_truncate_the_audit_log(prefix):
    import psycopg

    with throwaway_database(prefix + secrets.token_hex(4)) as probe:
        for statement in (
            "TRUNCATE portal_auditevent",
            "TRUNCATE portal_auditevent RESTART IDENTITY CASCADE",  # as Django's flush writes it
            "UPDATE portal_auditevent SET action = 'x'",
            "DELETE FROM portal_auditevent",
        ):
            with pytest.raises(psycopg.errors.RaiseException, match="append-only"):
                probe.execute(statement)
        assert _rows(probe) == 1


@pytest.mark.postgres
def test_a_test_database_may_be_emptied_by_the_test_runner_but_its_rows_still_not_changed():
    """Django's test runner empties a test database (test_<name>) with TRUNCATE; that alone is allowed there."""
    import psycopg

    with throwaway_database("test_portal_truncate_probe_" + secrets.token_hex(4)) as probe:
        for statement in ("UPDATE portal_auditevent SET action = 'x'", "DELETE FROM portal_auditevent"):
            with pytest.raises(psycopg.errors.RaiseException, match="append-only"):
                probe.execute(statement)
        probe.execute("TRUNCATE portal_auditevent RESTART IDENTITY CASCADE")
        assert _rows(probe) == 0
