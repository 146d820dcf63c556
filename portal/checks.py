"""Deployment checks: a production that would quietly lose data, mail or SMS fails `check --deploy`."""

from django.conf import settings
from django.core.checks import Error, Tags, Warning, register


@register(Tags.database, deploy=True)
def check_database_is_postgresql(app_configs, **kwargs):
    engine = settings.DATABASES["default"]["ENGINE"]
    if engine != "django.db.backends.postgresql":
        return [
            Error(
                "The database is not PostgreSQL.",
                hint="Set DATABASE_URL=postgres://…; booking conflicts rely on PostgreSQL constraints.",
                id="portal.E001",
            )
        ]
    return []


@register(deploy=True)
def check_celery_broker_is_redis(app_configs, **kwargs):
    broker = getattr(settings, "CELERY_BROKER_URL", "") or ""
    if not broker.startswith(("redis://", "rediss://")):
        return [
            Error(
                "The Celery broker is not Redis.",
                hint="Set REDIS_URL; the filesystem broker is for a single development machine only.",
                id="portal.E002",
            )
        ]
    return []


@register(deploy=True)
def check_email_is_delivered(app_configs, **kwargs):
    if settings.EMAIL_BACKEND in {
        "django.core.mail.backends.console.EmailBackend",
        "django.core.mail.backends.locmem.EmailBackend",
        "django.core.mail.backends.dummy.EmailBackend",
        "django.core.mail.backends.filebased.EmailBackend",
    }:
        return [
            Warning(
                "Email is not delivered (console, memory, file or dummy backend).",
                hint="Set EMAIL_URL=smtp+tls://user:password@host:587 so summons and password resets reach people.",
                id="portal.W003",
            )
        ]
    return []


SMS_HTTP_BACKEND = "portal.sms.backends.http.SmsBackend"


@register(deploy=True)
def check_sms_is_delivered(app_configs, **kwargs):
    if settings.SMS_BACKEND in {
        "portal.sms.backends.console.SmsBackend",
        "portal.sms.backends.filebased.SmsBackend",
        "portal.sms.backends.locmem.SmsBackend",
    }:
        return [
            Warning(
                "SMS is not delivered (console, file or memory backend).",
                hint=f"Set SMS_BACKEND={SMS_HTTP_BACKEND} with SMS_GATEWAY_URL and SMS_GATEWAY_TOKEN "
                "so meeting reminders reach people.",
                id="portal.W004",
            )
        ]
    return []


@register(deploy=True)
def check_sms_gateway_is_configured(app_configs, **kwargs):
    if settings.SMS_BACKEND == SMS_HTTP_BACKEND and not (settings.SMS_GATEWAY_URL and settings.SMS_GATEWAY_TOKEN):
        return [
            Error(
                "The HTTP SMS backend has no gateway URL or token.",
                hint="Set SMS_GATEWAY_URL and SMS_GATEWAY_TOKEN; without them every reminder fails.",
                id="portal.E005",
            )
        ]
    return []
