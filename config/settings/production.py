"""Production: PostgreSQL, Redis, real mail; everything secret comes from the environment.

Required: SECRET_KEY, ALLOWED_HOSTS, DATABASE_URL, REDIS_URL, EMAIL_URL, and SMS_BACKEND
(portal.sms.backends.http.SmsBackend) with SMS_GATEWAY_URL and SMS_GATEWAY_TOKEN; the environment of
each process (web, worker, beat) is in README.md, "Deployment". Check with
`DJANGO_SETTINGS_MODULE=config.settings.production python manage.py check --deploy
--fail-level WARNING`.
"""

from config.redis_databases import cache_url_for, redis_cache

from .base import *  # noqa: F403
from .base import env

DEBUG = False
SECRET_KEY = env.str("SECRET_KEY")
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS")
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[f"https://{h}" for h in ALLOWED_HOSTS])

DATABASES = {"default": env.db("DATABASE_URL")}
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DATABASES["default"]["ATOMIC_REQUESTS"] = True  # as in base: a failed request leaves nothing half-saved

REDIS_URL = env.str("REDIS_URL")
CELERY_BROKER_URL = REDIS_URL
CELERY_RESULT_BACKEND = REDIS_URL
CELERY_BROKER_TRANSPORT_OPTIONS = {}
# Shared by every web node and worker, so that anything counted or limited through the cache (a rate limit, a
# throttle) counts once for the deployment, not once per process (check --deploy: portal.W011). Its own database
# on the broker's server unless REDIS_CACHE_URL says otherwise (config/redis_databases.py).
CACHES = {"default": redis_cache(env.str("REDIS_CACHE_URL", default=cache_url_for(REDIS_URL)))}

EMAIL_CONFIG = env.email_url("EMAIL_URL")
vars().update(EMAIL_CONFIG)

STORAGES = {
    # Generated documents in PostgreSQL, beside the rows that name them: any node serves any of them (portal.storage).
    "default": {"BACKEND": "portal.storage.DatabaseStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = False  # only what collectstatic gathered, hashed and compressed

# TLS terminates at the reverse proxy, which sets X-Forwarded-Proto.
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# The lockout's IP address (django-axes via django-ipware): the client as the TRUSTED_PROXY_COUNT proxies in
# front of the portal saw it. Without this every login would come from the proxy, and six wrong passwords
# typed anywhere would lock the user out.
AXES_IPWARE_META_PRECEDENCE_ORDER = ("HTTP_X_FORWARDED_FOR", "REMOTE_ADDR")
AXES_IPWARE_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=1)
AXES_IPWARE_PROXY_ORDER = "right-most"  # each proxy appends; the last entries are the trusted ones
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=60 * 60 * 24 * 365)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
LANGUAGE_COOKIE_SECURE = True
# The __Secure- prefix makes browsers refuse these cookies over plain HTTP.
SESSION_COOKIE_NAME = "__Secure-sessionid"
CSRF_COOKIE_NAME = "__Secure-csrftoken"
LANGUAGE_COOKIE_NAME = "__Secure-portal_language"
