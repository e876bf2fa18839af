"""Redis as the shared cache, with the site still up when Redis is not.

Everything kept in the cache can be made again from the database: versions, fragments, whole
pages, menus. So when Redis cannot be reached, every cache call answers as a miss (a read
finds nothing, a write keeps nothing) instead of raising, the failure is logged once, and
for RETRY_AFTER seconds no call waits on Redis again: pages are rendered from the database,
slower, never a 500. The first call after that tries Redis again; when it answers, caching
resumes, and every version is bumped (shop/core/freshness.py `everything_changed`), because
the bumps of the outage were lost and the pages kept before it must not come back.

settings.cache_aliases puts this backend in place of Django's RedisCache whenever CACHE_URL
names Redis, with short socket timeouts so that an unreachable server costs little.
"""

import logging
import threading
import time

from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.redis import RedisCache

logger = logging.getLogger(__name__)

RETRY_AFTER = 5.0

# Shared by every cache alias and thread of the process that talks to the same server.
_state: dict[str, dict] = {}
_lock = threading.Lock()


def _redis_errors() -> tuple:
    import redis

    return (redis.exceptions.ConnectionError, redis.exceptions.TimeoutError)


class ResilientRedisCache(RedisCache):
    def __init__(self, server, params):
        super().__init__(server, params)
        self._where = str(server)
        with _lock:
            self._state = _state.setdefault(self._where, {"down_until": 0.0, "lost": False})

    def _call(self, name: str, default, *args, **kwargs):
        state = self._state
        if time.monotonic() < state["down_until"]:
            return default
        try:
            result = getattr(super(), name)(*args, **kwargs)
        except _redis_errors() as error:
            with _lock:
                if not state["lost"]:
                    logger.warning(
                        "The shared cache at %s cannot be reached (%s): pages are rendered "
                        "without it",
                        self._where,
                        error,
                    )
                state["lost"] = True
                state["down_until"] = time.monotonic() + RETRY_AFTER
            return default
        if state["lost"]:
            with _lock:
                came_back, state["lost"] = state["lost"], False
            if came_back:
                logger.warning("The shared cache at %s answers again", self._where)
                from shop.core.freshness import everything_changed

                everything_changed()
        return result

    def get(self, key, default=None, version=None):
        return self._call("get", default, key, default, version)

    def get_many(self, keys, version=None):
        return self._call("get_many", {}, keys, version)

    def has_key(self, key, version=None):
        return self._call("has_key", False, key, version)

    def set(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call("set", None, key, value, timeout, version)

    def set_many(self, data, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call("set_many", list(data), data, timeout, version)

    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call("add", False, key, value, timeout, version)

    def touch(self, key, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call("touch", False, key, timeout, version)

    def delete(self, key, version=None):
        return self._call("delete", False, key, version)

    def delete_many(self, keys, version=None):
        return self._call("delete_many", None, keys, version)

    def incr(self, key, delta=1, version=None):
        # A count that cannot be kept starts again (the contact form's hourly limit).
        return self._call("incr", delta, key, delta, version)

    def clear(self):
        return self._call("clear", None)
