"""Django's own Redis cache backend, tolerant of a Redis that does not answer.

`settings.CACHES` names `core.cache.RedisCache` when REDIS_URL is set: every server then reads
and writes the same cache. A cache is an optimisation, so a Redis that is down, slow or out of
memory must cost a cache miss, never an error page: each failed call is logged and answers
as a miss (get → default, add/touch/delete/has_key → False, set → nothing). After a failure
the process leaves Redis alone for `CACHE_RETRY_SECONDS` (answering misses at once) instead of
waiting for a connect timeout on every call of every request; then it tries again.

`incr`/`decr` are not softened: a counter that silently answers a made-up number is worse
than an error.
"""

from __future__ import annotations

import logging
import time
from functools import wraps

from django.conf import settings
from django.core.cache.backends.redis import RedisCache as DjangoRedisCache
from django.core.cache.backends.redis import RedisCacheClient

__all__ = ["RedisCache", "reset_breaker"]

logger = logging.getLogger(__name__)

# Until when (time.monotonic()) each Redis server is left alone, process-wide: Django keeps
# one cache object per thread, and one thread's failure should spare the others the wait.
_down_until: dict[tuple[str, ...], float] = {}


def reset_breaker() -> None:
    """Forget past failures (tests)."""
    _down_until.clear()


def _tolerant(miss):
    """Wrap a client method: on a Redis error (or while the breaker is open) return `miss`."""

    def decorate(method):
        @wraps(method)
        def wrapper(self, *args, **kwargs):
            key = tuple(self._servers)
            if _down_until.get(key, 0.0) > time.monotonic():
                return miss(*args) if callable(miss) else miss
            try:
                return method(self, *args, **kwargs)
            except self._lib.exceptions.RedisError as exc:
                retry = getattr(settings, "CACHE_RETRY_SECONDS", 5)
                _down_until[key] = time.monotonic() + retry
                logger.warning(
                    "cache unavailable (%s: %s); serving without it for %ss",
                    type(exc).__name__,
                    exc,
                    retry,
                )
                return miss(*args) if callable(miss) else miss

        return wrapper

    return decorate


class TolerantRedisCacheClient(RedisCacheClient):
    add = _tolerant(False)(RedisCacheClient.add)
    get = _tolerant(lambda key, default: default)(RedisCacheClient.get)
    set = _tolerant(None)(RedisCacheClient.set)
    touch = _tolerant(False)(RedisCacheClient.touch)
    delete = _tolerant(False)(RedisCacheClient.delete)
    get_many = _tolerant(lambda keys: {})(RedisCacheClient.get_many)
    has_key = _tolerant(False)(RedisCacheClient.has_key)
    set_many = _tolerant(lambda data, timeout: list(data))(RedisCacheClient.set_many)
    delete_many = _tolerant(None)(RedisCacheClient.delete_many)
    clear = _tolerant(False)(RedisCacheClient.clear)


class RedisCache(DjangoRedisCache):
    """`django.core.cache.backends.redis.RedisCache` whose failures are cache misses."""

    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = TolerantRedisCacheClient
