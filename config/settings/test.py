"""Tests: real PostgreSQL and Redis (CI always), from DATABASE_URL / REDIS_URL.

When PostgreSQL is unreachable outside CI the suite falls back to SQLite and says so
loudly; tests that need PostgreSQL features are marked and skip there. When Redis is, the
cache falls back to process memory, as loudly. Under CI=true a missing service is an
error, never a silent skip.
"""

import os
import socket
import sys
from urllib.parse import urlsplit

from config.redis_databases import cache_url_for, redis_cache

from .base import *  # noqa: F403
from .base import VAR_DIR, env

CI = env.bool("CI", default=False)
DATABASE_URL = env.str("DATABASE_URL", default="postgres://postgres@127.0.0.1:5432/portal")
REDIS_URL = env.str("REDIS_URL", default="redis://127.0.0.1:6379/0")


def _reachable(url: str, default_port: int) -> bool:
    parts = urlsplit(url)
    try:
        with socket.create_connection((parts.hostname or "127.0.0.1", parts.port or default_port), timeout=1):
            return True
    except OSError:
        return False


POSTGRES_AVAILABLE = _reachable(DATABASE_URL, 5432)
if POSTGRES_AVAILABLE:
    DATABASES = {"default": env.db_url_config(DATABASE_URL)}
elif CI:
    raise RuntimeError(f"CI=true but PostgreSQL is unreachable at {DATABASE_URL}")
else:
    sys.stderr.write(
        f"\n*** PostgreSQL unreachable at {DATABASE_URL}: running on SQLite; "
        "PostgreSQL-only tests will be SKIPPED. ***\n\n"
    )
    DATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": str(VAR_DIR / "test.sqlite3")}}
DATABASES["default"]["ATOMIC_REQUESTS"] = True  # as in base: a failed request leaves nothing half-saved

CELERY_BROKER_URL = REDIS_URL
CELERY_RESULT_BACKEND = REDIS_URL
CELERY_BROKER_TRANSPORT_OPTIONS = {}
# Tests run tasks explicitly (a real worker, or the task function); nothing published by
# an ordinary test may pile up in the shared Redis' default queue.
CELERY_TASK_DEFAULT_QUEUE = env.str("CELERY_TASK_DEFAULT_QUEUE", default="portal-test")

# The cache as in production: Redis, on the database after the broker's. That database is shared by every test
# process on the machine (both pytest-xdist workers, another developer's run), so each process writes under a
# prefix of its own, and `clear()` (tests/conftest.py empties the cache after every test) deletes that prefix's
# keys only: Django's RedisCache.clear() is FLUSHDB, which would wipe the other processes' keys mid-test. A database
# number per process instead would run out (Redis has 16) and still meet another run using the same numbers. A
# process a test starts (a Celery worker) gets a prefix of its own. TIMEOUT: a key a crashed run left behind expires.
# The processes a multi-node test starts share one prefix, as a deployment's nodes share the cache.
CACHE_KEY_PREFIX = env.str(
    "CACHE_KEY_PREFIX",
    default=f"test-{socket.gethostname()}-{os.getpid()}-{os.environ.get('PYTEST_XDIST_WORKER', 'main')}",
)
if _reachable(REDIS_URL, 6379) or CI:  # under CI a missing Redis fails the tests that use it
    CACHES = {
        "default": redis_cache(
            cache_url_for(REDIS_URL),
            BACKEND="tests.cache.RedisCacheClearedByPrefix",
            KEY_PREFIX=CACHE_KEY_PREFIX,
            TIMEOUT=300,
        )
    }
else:
    sys.stderr.write(
        f"\n*** Redis unreachable at {REDIS_URL}: the cache is in process memory; Redis tests will be SKIPPED. ***\n\n"
    )
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

DEBUG = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # speed; tests only
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
# A worker process started by a multi-node test writes its mail where the test can read it instead.
EMAIL_BACKEND = env.str("EMAIL_BACKEND", default=EMAIL_BACKEND)
EMAIL_FILE_PATH = env.str("EMAIL_FILE_PATH", default=str(VAR_DIR / "test-mail"))
# A worker process started by a reliability test sends through the test's own HTTP gateway instead.
SMS_BACKEND = env.str("SMS_BACKEND", default="portal.sms.backends.locmem.SmsBackend")
# Nothing is written here (documents are in the database); a multi-node test gives each node a folder of its own
# to prove it stays empty.
MEDIA_ROOT = env.path("MEDIA_ROOT", default=VAR_DIR / "test-media")
LOGGING = {"version": 1, "disable_existing_loggers": False, "root": {"level": "WARNING"}}
