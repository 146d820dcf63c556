import pytest
from django.db import connection
from django.http import HttpResponse

from counselling.models import Role
from counselling.services import membership_grant
from portal.audit import audit_read
from portal.middleware import RequestIdMiddleware
from portal.models import AppendOnlyError, AuditEvent
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
