"""Every web node and worker shares one cache, in Redis, on a database of its own; test processes never see each
other's keys."""

import pytest
from django.conf import settings
from django.core.cache import caches

from config.redis_databases import cache_url_for, redis_db, redis_url_with_db
from tests.cache import RedisCacheClearedByPrefix
from tests.portal.test_deploy_checks import PRODUCTION_ENV, _manage


@pytest.mark.parametrize(
    ("broker", "cache"),
    [
        ("redis://redis.internal:6379/0", "redis://redis.internal:6379/1"),
        ("redis://redis.internal:6379", "redis://redis.internal:6379/1"),
        ("redis://redis.internal:6379/", "redis://redis.internal:6379/1"),
        ("redis://127.0.0.1:6379/6", "redis://127.0.0.1:6379/7"),
        (
            "rediss://:s3cret@redis.internal:6380/2?ssl_cert_reqs=required",
            "rediss://:s3cret@redis.internal:6380/3?ssl_cert_reqs=required",
        ),
        ("redis://portal:p%40ss@redis.internal/0?db=4", "redis://portal:p%40ss@redis.internal/0?db=5"),
        ("unix:///run/redis/redis.sock?db=2", "unix:///run/redis/redis.sock?db=3"),
        ("unix:///run/redis/redis.sock", "unix:///run/redis/redis.sock?db=1"),
    ],
)
def test_the_cache_takes_the_database_after_the_brokers_on_the_same_server(broker, cache):
    assert cache_url_for(broker) == cache
    assert redis_db(cache) == redis_db(broker) + 1


def test_a_database_number_can_be_set_in_any_redis_url():
    assert redis_url_with_db("redis://:pw@h:1/0", 9) == "redis://:pw@h:1/9"
    assert redis_db(redis_url_with_db("unix:///s.sock?db=3&timeout=2", 0)) == 0


def test_a_path_that_is_no_database_number_is_refused_without_showing_the_password():
    with pytest.raises(ValueError, match="not a Redis database number") as refused:
        cache_url_for("redis://:s3cret@redis.internal:6379/cache")
    assert "s3cret" not in str(refused.value)


def _settings_of(env: dict, expression: str) -> str:
    result = _manage("shell", "--no-imports", "-c", f"from django.conf import settings; print({expression})", env=env)
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout.strip()


CACHE = "settings.CACHES['default']['BACKEND'], settings.CACHES['default'].get('LOCATION')"


def test_production_caches_in_redis_on_the_database_after_the_brokers():
    assert _settings_of(PRODUCTION_ENV, CACHE) == (
        "django.core.cache.backends.redis.RedisCache redis://redis.internal:6379/1"
    )


def test_production_takes_redis_cache_url_when_given():
    env = {**PRODUCTION_ENV, "REDIS_CACHE_URL": "redis://cache.internal:6379/0"}
    assert _settings_of(env, CACHE) == "django.core.cache.backends.redis.RedisCache redis://cache.internal:6379/0"


def test_make_run_without_redis_keeps_the_cache_in_process_memory():
    env = {"DJANGO_SETTINGS_MODULE": "config.settings.base", "REDIS_URL": "", "REDIS_CACHE_URL": ""}
    assert _settings_of(env, CACHE) == "django.core.cache.backends.locmem.LocMemCache None"


@pytest.fixture
def test_cache(redis_url):
    if settings.CACHES["default"]["BACKEND"] != "tests.cache.RedisCacheClearedByPrefix":
        pytest.fail("the test settings' cache is not the prefixed Redis cache although Redis is reachable")
    return caches["default"]


def test_each_test_process_writes_under_a_prefix_of_its_own(test_cache):
    test_cache.set("counter", 1)
    client = test_cache._cache.get_client(write=True)
    assert client.exists(f"{settings.CACHE_KEY_PREFIX}:1:counter")
    assert client.ttl(f"{settings.CACHE_KEY_PREFIX}:1:counter") <= 300  # nothing stays behind a crashed run


def test_clearing_the_cache_leaves_the_keys_of_other_processes(test_cache):
    other_process = RedisCacheClearedByPrefix(
        settings.CACHES["default"]["LOCATION"], {"KEY_PREFIX": "another-process[1]*"}
    )
    other_process.set("lockout", 3, timeout=60)
    test_cache.set("lockout", 5)
    try:
        test_cache.clear()
        assert test_cache.get("lockout") is None
        assert other_process.get("lockout") == 3
        test_cache.set("lockout", 5)
        other_process.clear()  # a prefix with * and [ ] in it is matched literally
        assert other_process.get("lockout") is None
        assert test_cache.get("lockout") == 5
    finally:
        other_process.delete("lockout")


def test_a_cache_cleared_by_prefix_needs_a_prefix():
    with pytest.raises(ValueError, match="KEY_PREFIX"):
        RedisCacheClearedByPrefix("redis://127.0.0.1:6379/1", {})


@pytest.mark.parametrize("turn", ["first", "second"])
def test_no_test_sees_what_an_earlier_one_left_in_the_cache(test_cache, turn):
    assert test_cache.get("left-by-an-earlier-test") is None
    test_cache.set("left-by-an-earlier-test", turn)
