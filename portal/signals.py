"""Sign-ins, sign-outs and failed sign-ins go to the audit log."""

from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from .audit import audit_record
from .models import AuditEvent


@receiver(user_logged_in, dispatch_uid="portal.audit_login")
def audit_login(sender, request, user, **kwargs):
    audit_record(actor=user, kind=AuditEvent.Kind.AUTH, action="auth.login")


@receiver(user_logged_out, dispatch_uid="portal.audit_logout")
def audit_logout(sender, request, user, **kwargs):
    if user is not None:
        audit_record(actor=user, kind=AuditEvent.Kind.AUTH, action="auth.logout")


@receiver(user_login_failed, dispatch_uid="portal.audit_login_failed")
def audit_login_failed(sender, credentials, request=None, **kwargs):
    # Django has already masked the password in `credentials`; keep only the name tried.
    audit_record(
        actor=None,
        kind=AuditEvent.Kind.AUTH,
        action="auth.login_failed",
        extra={"username": str(credentials.get("username", ""))[:150]},
    )
