"""Which Redis database holds what.

One Redis server serves the Celery broker and result backend (REDIS_URL's database, usually 0) and the cache, on a
database of its own: a cache flush (Django's `cache.clear()` is FLUSHDB) then never drops queued tasks, and
`redis-cli -n` shows one use at a time. The cache takes the broker's database number plus one rather than a fixed
number, so that it never lands on the broker's database, whichever REDIS_URL names. A deployment that wants
another layout sets REDIS_CACHE_URL.
"""

from urllib.parse import parse_qsl, urlencode, urlsplit

REDIS_SCHEMES = ("redis", "rediss")


def redis_db(url: str) -> int:
    """The database number a redis://, rediss:// or unix:// URL selects, as redis-py reads it (default 0)."""
    parts = urlsplit(url)
    query = dict(parse_qsl(parts.query))
    if "db" in query:  # redis-py lets ?db= win over the path
        return _number(query["db"], url)
    if parts.scheme in REDIS_SCHEMES and parts.path.strip("/"):
        return _number(parts.path.strip("/"), url)
    return 0


def redis_url_with_db(url: str, db: int) -> str:
    """`url` selecting database `db`; user, password, host, port and other options unchanged."""
    parts = urlsplit(url)
    query = parse_qsl(parts.query)
    if parts.scheme in REDIS_SCHEMES and not any(key == "db" for key, _ in query):
        return parts._replace(path=f"/{db}").geturl()
    query = [(key, value) for key, value in query if key != "db"] + [("db", str(db))]
    # Not SplitResult.geturl(): it would shorten unix:///path to unix:/path.
    return f"{url.partition('?')[0]}?{urlencode(query)}"


def cache_url_for(redis_url: str) -> str:
    """The cache's Redis: the broker's server, the database after the broker's."""
    return redis_url_with_db(redis_url, redis_db(redis_url) + 1)


def redis_cache(location: str, **params) -> dict:
    """A CACHES entry: Django's RedisCache at `location`, with `params` (KEY_PREFIX, TIMEOUT…) on top."""
    return {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": location,
        # A Redis that does not answer costs a request two seconds, not a web worker hung on a socket.
        "OPTIONS": {"socket_connect_timeout": 2, "socket_timeout": 2},
        **params,
    }


def _number(text: str, url: str) -> int:
    if not text.isdigit():
        raise ValueError(f"not a Redis database number in {urlsplit(url)._replace(netloc='…').geturl()!r}: {text!r}")
    return int(text)
