"""Writing the audit log. Services call `audit_change`; views that show personal data call `audit_read`.

The request id comes from `portal.middleware.RequestIdMiddleware` through a context
variable, so services need no request object to tie their events to the request.
"""

from __future__ import annotations

import contextvars
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import models

from .models import AuditEvent

current_request_id: contextvars.ContextVar[str] = contextvars.ContextVar("current_request_id", default="")


def _actor_label(actor) -> str:
    if actor is None:
        return "system"
    return actor.get_username()


def audit_record(
    *,
    actor,
    kind: str,
    action: str,
    obj: models.Model | None = None,
    service=None,
    person_id: int | None = None,
    reason: str = "",
    extra: dict[str, Any] | None = None,
) -> AuditEvent:
    """Append one event. `actor` is a user, or None for scheduled jobs.

    The service defaults to the object's own (by id, so logging a read costs no extra query).
    """
    service_id = service.pk if service is not None else getattr(obj, "service_id", None)
    return AuditEvent.objects.create(
        actor=actor if actor is not None and actor.is_authenticated else None,
        actor_label=_actor_label(actor),
        kind=kind,
        action=action,
        service_id=service_id,
        object_type=ContentType.objects.get_for_model(obj) if obj is not None else None,
        object_id=str(obj.pk) if obj is not None else "",
        object_repr=str(obj) if obj is not None else "",
        person_id=person_id,
        reason=reason,
        request_id=current_request_id.get(),
        extra=extra or {},
    )


def audit_change(*, actor, action: str, obj: models.Model | None = None, **kwargs) -> AuditEvent:
    return audit_record(actor=actor, kind=AuditEvent.Kind.CHANGE, action=action, obj=obj, **kwargs)


def audit_read(*, actor, action: str, obj: models.Model | None = None, **kwargs) -> AuditEvent:
    return audit_record(actor=actor, kind=AuditEvent.Kind.READ, action=action, obj=obj, **kwargs)


def audit_reads_of_persons(*, actor, action: str, service, person_ids, extra: dict[str, Any] | None = None) -> None:
    """One read event per person, written in one query: a list that showed these persons (a search's results)."""
    AuditEvent.objects.bulk_create(
        AuditEvent(
            actor=actor if actor is not None and actor.is_authenticated else None,
            actor_label=_actor_label(actor),
            kind=AuditEvent.Kind.READ,
            action=action,
            service_id=service.pk,
            person_id=person_id,
            request_id=current_request_id.get(),
            extra=extra or {},
        )
        for person_id in sorted(person_ids)
    )
