"""Deployment checks: a production that would quietly lose data or mail fails `check --deploy`."""

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
