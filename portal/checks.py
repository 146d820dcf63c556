"""Deployment checks: a production that would quietly lose data, mail or SMS, or count per process what must be
counted once, fails `check --deploy`."""

from django.conf import settings
from django.core.checks import Error, Tags, Warning, register
from django.db import connections


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


# Cache backends that no two web nodes share, and what each keeps where.
UNSHARED_CACHES = {
    "django.core.cache.backends.locmem.LocMemCache": "its keys in each process's memory",
    "django.core.cache.backends.filebased.FileBasedCache": "its keys on each node's own disk",
    "django.core.cache.backends.dummy.DummyCache": "nothing",
}


@register(Tags.caches, deploy=True)
def check_cache_is_shared(app_configs, **kwargs):
    backend = settings.CACHES.get("default", {}).get("BACKEND", "")
    if backend in UNSHARED_CACHES:
        return [
            Warning(
                f"The cache is not shared between processes and nodes ({backend.rsplit('.', 1)[-1]} keeps "
                f"{UNSHARED_CACHES[backend]}): anything counted or limited through it (lockout counters, rate "
                "limits, throttles) counts separately in every web process and worker.",
                hint="Use django.core.cache.backends.redis.RedisCache: config.settings.production does, at "
                "REDIS_CACHE_URL (default: REDIS_URL's server, the database after the broker's).",
                id="portal.W011",
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


# The database's own guards of the append-only audit log (portal migrations 0002 and 0006).
AUDIT_TRIGGERS = ("portal_auditevent_append_only", "portal_auditevent_no_truncate")


@register(Tags.database, deploy=True)
def check_audit_log_triggers(app_configs, databases=None, **kwargs):
    """Run with `check --deploy --database default` (after migrate): as Django's own database checks, it needs a
    connection, which a build without the database has not."""
    errors = []
    for alias in databases or []:
        connection = connections[alias]
        if connection.vendor != "postgresql":
            continue
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT tgname FROM pg_trigger WHERE tgrelid = to_regclass('portal_auditevent') "
                "AND tgname = ANY(%s) AND tgenabled <> 'D'",
                [list(AUDIT_TRIGGERS)],
            )
            present = {name for (name,) in cursor.fetchall()}
        missing = [name for name in AUDIT_TRIGGERS if name not in present]
        if missing:
            errors.append(
                Error(
                    f"The audit log can be changed in database '{alias}': trigger {', '.join(missing)} "
                    "is missing or disabled.",
                    hint="Run `manage.py migrate`; if the triggers were dropped or disabled, re-create them with "
                    "portal migrations 0002 and 0006. They refuse UPDATE, DELETE and TRUNCATE of audit events.",
                    id="portal.E006",
                )
            )
    return errors


@register(deploy=True)
def check_senders_are_discreet(app_configs, **kwargs):
    """The e-mail address and SMS sender ID the person sees on a locked phone name neither drugs nor the unit."""
    from .discretion import revealing_words
    from .models import UNIT_NAME_DEFAULT

    warnings = []
    for setting in ("DEFAULT_FROM_EMAIL", "SMS_SENDER"):
        value = getattr(settings, setting, "")
        # In an address, "radgivende-enhet" and "rus.oslo" are words too.
        words = revealing_words(value.replace("-", " ").replace(".", " "), unit_name=UNIT_NAME_DEFAULT)
        if words:
            warnings.append(
                Warning(
                    f"{setting} gives the case away on the person's phone ({', '.join(words)}).",
                    hint=f"Set {setting} to a sender that names neither drugs nor the unit, e.g. the municipality's.",
                    id="portal.W010",
                )
            )
    return warnings
