"""Settings shared by every environment.

Everything that differs between a laptop, CI and production comes from environment
variables (django-environ). The defaults here are the embedded ones `make run` uses: a
SQLite file, a filesystem Celery broker, mail printed to the console and SMS written to a
file, so a newcomer needs nothing but Python to see a working portal.
"""

from pathlib import Path

import environ
from django.utils.translation import gettext_lazy as _

from config.redis_databases import cache_url_for, redis_cache

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = BASE_DIR / "var"  # local runtime state (SQLite, broker folders); never committed

env = environ.Env()

DEBUG = env.bool("DJANGO_DEBUG", default=True)
SECRET_KEY = env.str("SECRET_KEY", default="insecure-local-development-key-never-use-in-production")
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost"])

INSTALLED_APPS = [
    "portal.admin_site.PortalAdminConfig",  # django.contrib.admin on a site that is safe against hostile input
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "crispy_forms",
    "crispy_bootstrap5",
    "django_filters",
    "guardian",
    "django_celery_beat",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "axes",
    # The floors, lowest first: each app imports only from its own floor or below (see README, Layout).
    "portal",
    "referrals",
    "counselling",  # the migration history of the two apps below; no models
    "counselling.scheduling",
    "counselling.attendance",
    "fees",
    "privacy",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "portal.middleware.RequestIdMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "portal.middleware.LanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "portal.security_middleware.SecondFactorRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "portal.security_middleware.PermissionsPolicyMiddleware",
    "portal.security_middleware.BreakTheGlassMiddleware",
    # Last, so that it sees the failed logins of every view above it (django-axes' rule).
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "portal.context_processors.portal",
            ],
        },
    },
]

DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'portal.sqlite3'}")}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # The web server, the Celery worker and beat share one SQLite file under `make run`:
    # WAL and immediate transactions avoid "database is locked" between them.
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
# A request that fails leaves nothing half-saved: each view runs in one transaction, rolled back on an
# exception (a row written before a later error, an audit entry for a page that then failed).
DATABASES["default"]["ATOMIC_REQUESTS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTHENTICATION_BACKENDS = [
    # First: refuses a locked-out user and IP before the password is even checked.
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
    "guardian.backends.ObjectPermissionBackend",
]
# Staff only: no object permissions for anonymous visitors, so guardian creates no
# "AnonymousUser" row.
ANONYMOUS_USER_NAME = None

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "portal:home"
LOGOUT_REDIRECT_URL = "login"

# Language and time. Bokmål is the default whatever the browser says; English is complete.
LANGUAGE_CODE = "nb"
LANGUAGES = [("nb", _("Norwegian Bokmål")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
FORMAT_MODULE_PATH = ["config.formats"]
LANGUAGE_COOKIE_NAME = "portal_language"
LANGUAGE_COOKIE_AGE = 60 * 60 * 24 * 365
LANGUAGE_COOKIE_SAMESITE = "Lax"
TIME_ZONE = "Europe/Oslo"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = env.path("STATIC_ROOT", default=BASE_DIR / "staticfiles")
STATICFILES_DIRS = [BASE_DIR / "static"]
# WhiteNoise serves static files straight from STATICFILES_DIRS and the apps, with DEBUG on or off: the demo runs
# with DEBUG off (Procfile.dev) so that it shows the portal's own error pages, and needs no collectstatic.
# Production serves the collected, compressed and hashed files instead (production.py).
WHITENOISE_USE_FINDERS = True
STORAGES = {
    # Generated documents in PostgreSQL, beside the rows that name them: any node serves any of them (portal.storage).
    "default": {"BACKEND": "portal.storage.DatabaseStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# Where an older deployment kept its documents as files: `manage.py documents_into_database` reads them from here.
# Nothing writes here any more.
MEDIA_ROOT = env.path("MEDIA_ROOT", default=VAR_DIR / "media")

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
X_FRAME_OPTIONS = "DENY"
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CONTENT_TYPE_NOSNIFF = True

# Sessions end after 30 minutes without a request (each request renews the cookie) and when
# the browser closes: a screen left open in a shared office does not stay signed in.
SESSION_COOKIE_AGE = env.int("SESSION_COOKIE_AGE", default=30 * 60)
SESSION_SAVE_EVERY_REQUEST = True
SESSION_EXPIRE_AT_BROWSER_CLOSE = True

# Two-factor login (django-otp): every staff user, admin included; portal.security_middleware
# sends a signed-in user without a verified second factor to enrolment or verification.
OTP_TOTP_ISSUER = "Rådgivende enhet"
# A sensitive action (fee decision, collection export, a confidential note, break-the-glass)
# asks for the password again when it was last checked longer ago than this (portal.reauth).
REAUTH_MAX_AGE_MINUTES = env.int("REAUTH_MAX_AGE_MINUTES", default=15)
# How long a counsellor's stated reason opens a case not assigned to them (privacy.break_glass).
BREAK_THE_GLASS_HOURS = env.int("BREAK_THE_GLASS_HOURS", default=8)

# Lockout (django-axes) per user name *and* IP, so a guesser elsewhere cannot lock a colleague
# out. Axes locks when the count of failures reaches the limit: with 6, five wrong passwords
# are forgiven and the sixth locks. An administrator unlocks in the admin (Access attempts).
# https://django-axes.readthedocs.io/en/latest/4_configuration.html
AXES_FAILURE_LIMIT = 6
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "portal.lockout.lockout_response"
# The client's address comes from django-ipware: REMOTE_ADDR here, and in production the entry the
# trusted reverse proxy adds to X-Forwarded-For (config/settings/production.py), never one a client sent.

# Content Security Policy (django-csp): no inline script or style, nothing from elsewhere.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
        "base-uri": ["'none'"],
        "object-src": ["'none'"],
    },
}
# Features no page of the portal uses, switched off for every page (portal.security_middleware).
PERMISSIONS_POLICY = "camera=(), microphone=(), geolocation=(), payment=(), usb=()"

# Mail: printed to the console unless EMAIL_URL says otherwise (smtp+tls://user:pw@host:587).
EMAIL_CONFIG = env.email_url("EMAIL_URL", default="consolemail://")
vars().update(EMAIL_CONFIG)
# The person sees this sender on a locked phone: an address that names neither drugs nor the unit
# (portal.discretion); the service's neutral name is put before it.
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="ikke-svar@kommune.localhost")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# SMS reminders (portal.sms): written as JSON lines to var/sms/ unless SMS_BACKEND says
# otherwise; production sets portal.sms.backends.http.SmsBackend with the gateway's URL and token.
SMS_BACKEND = env.str("SMS_BACKEND", default="portal.sms.backends.filebased.SmsBackend")
SMS_FILE_PATH = env.path("SMS_FILE_PATH", default=VAR_DIR / "sms")
SMS_GATEWAY_URL = env.str("SMS_GATEWAY_URL", default="")
SMS_GATEWAY_TOKEN = env.str("SMS_GATEWAY_TOKEN", default="")
SMS_GATEWAY_TIMEOUT = env.float("SMS_GATEWAY_TIMEOUT", default=10.0)  # seconds
# An alphanumeric sender ID: at most 11 characters; gateways accept ASCII letters and digits
# there, hence no "å".
SMS_SENDER = env.str("SMS_SENDER", default="Radgiving")

# Celery. Redis when REDIS_URL is set; otherwise Kombu's filesystem transport, which needs
# no server, so `make run` works on a bare machine.
REDIS_URL = env.str("REDIS_URL", default="")
CELERY_BROKER_DIR = VAR_DIR / "celery-broker"
if REDIS_URL:
    CELERY_BROKER_URL = REDIS_URL
    CELERY_RESULT_BACKEND = REDIS_URL
    CELERY_BROKER_TRANSPORT_OPTIONS = {}
else:
    CELERY_BROKER_URL = "filesystem://"
    CELERY_RESULT_BACKEND = None
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(CELERY_BROKER_DIR),
        "data_folder_out": str(CELERY_BROKER_DIR),
        "processed_folder": str(CELERY_BROKER_DIR / "processed"),
        "store_processed": False,
    }
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_RESULT_EXPIRES = 60 * 60
# A task is acknowledged only when it has finished, and a worker that dies mid-task puts
# it back: every task must therefore be idempotent (the database decides what is done).
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SOFT_TIME_LIMIT = 60
CELERY_TASK_TIME_LIMIT = 90
CELERY_TIMEZONE = TIME_ZONE
CELERY_ENABLE_UTC = True
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True

# The cache. With REDIS_URL, Redis on a database of its own (config/redis_databases.py), so the web server, the
# worker and beat see the same keys; without it, each process's own memory, which needs no server: `make run` on a
# bare machine. Production always uses Redis (config/settings/production.py; check --deploy warns otherwise).
if REDIS_URL:
    CACHES = {"default": redis_cache(env.str("REDIS_CACHE_URL", default=cache_url_for(REDIS_URL)))}
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# Free times offered for booking start this long from now, so the summons can reach the person first.
BOOKING_NOTICE_HOURS = env.int("BOOKING_NOTICE_HOURS", default=24)

# A meeting whose end is this long past with no attendance recorded is flagged for its counsellor.
ATTENDANCE_FLAG_GRACE_HOURS = env.int("ATTENDANCE_FLAG_GRACE_HOURS", default=2)
# When the morning's drug-test call-ins are sent ("meet today before 15:00"), Norwegian time.
CALL_IN_SEND_TIME = env.str("CALL_IN_SEND_TIME", default="08:00")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "filters": {"expected_refusals": {"()": "portal.log_filters.ExpectedRefusalsOnOneLine"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain", "filters": ["expected_refusals"]}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    # WeasyPrint and fontTools log every step of every PDF at INFO.
    "loggers": {name: {"level": "WARNING"} for name in ("weasyprint", "fontTools")},
}
