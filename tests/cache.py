"""The test settings' cache: Django's RedisCache on a Redis database every test process shares."""

import re

from django.core.cache.backends.redis import RedisCache


class RedisCacheClearedByPrefix(RedisCache):
    """`clear()` deletes this process's keys (its KEY_PREFIX) and no one else's.

    Django's RedisCache.clear() is FLUSHDB: on a database that both pytest-xdist workers and other developers' runs
    write to, it would empty their caches in the middle of their tests. Deleting by prefix costs one SCAN of a
    database that holds only test keys."""

    def __init__(self, server, params):
        super().__init__(server, params)
        if not self.key_prefix:
            raise ValueError("RedisCacheClearedByPrefix needs a KEY_PREFIX, or clear() would delete every key")

    def clear(self):
        # Django's client has no public accessor for its redis-py client; this is the one its own methods use.
        client = self._cache.get_client(write=True)
        pattern = re.sub(r"([*?\[\]\\])", r"\\\1", self.key_prefix) + ":*"
        keys = list(client.scan_iter(match=pattern, count=1000))
        if keys:
            client.delete(*keys)
        return True
