"""core.cache.RedisCache: Django's Redis backend, whose failures are cache misses."""

from __future__ import annotations

import time

import pytest
from django.core.cache import cache

from analytics.tests.conftest import stats  # noqa: F401  (fixture)
from core import cache as tolerant
from tests.services import REDIS_URL, closed_port, flush_redis, need


def _redis(settings, url):
    settings.CACHES = {
        "default": {
            "BACKEND": "core.cache.RedisCache",
            "LOCATION": url,
            "KEY_PREFIX": "baotuan-test",
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 2},
        }
    }
    tolerant.reset_breaker()


@pytest.fixture
def redis_down(settings):
    _redis(settings, f"redis://127.0.0.1:{closed_port()}/0")
    yield
    tolerant.reset_breaker()


def test_a_redis_that_is_down_answers_misses(redis_down, caplog):
    assert cache.get("k") is None
    assert cache.get("k", "fallback") == "fallback"
    cache.set("k", 1)  # no error
    assert cache.add("k", 1) is False
    assert cache.get_many(["a", "b"]) == {}
    cache.set_many({"a": 1})
    cache.delete_many(["a"])
    assert cache.delete("k") is False
    assert cache.has_key("k") is False
    assert cache.touch("k") is False
    assert cache.get_or_set("k", lambda: "computed") == "computed"
    assert "cache unavailable" in caplog.text


def test_after_a_failure_redis_is_left_alone_for_a_while(redis_down, settings, caplog):
    settings.CACHE_RETRY_SECONDS = 60
    cache.get("k")
    started = time.perf_counter()
    for _ in range(1000):
        cache.get("k")
    assert time.perf_counter() - started < 0.5  # no connection attempts
    assert caplog.text.count("cache unavailable") == 1


def test_counters_are_not_made_up(redis_down):
    import redis

    with pytest.raises(redis.exceptions.ConnectionError):
        cache.incr("counter")


@pytest.mark.django_db
def test_pages_answer_while_redis_is_down(redis_down, client_for, clerk, stats):  # noqa: F811
    assert client_for(None).get("/showcase/").status_code == 200
    response = client_for(clerk).get("/api/v1/indicators/", {"region": "330482", "year": 2022})
    assert response.status_code == 200
    assert response.json()["weak"]["count"] == 1


def test_a_redis_that_answers_is_a_cache(settings):
    need("redis", REDIS_URL)
    flush_redis()
    _redis(settings, REDIS_URL)
    cache.set("k", {"v": [1, 2]}, 30)
    assert cache.get("k") == {"v": [1, 2]}
    assert cache.add("k", 0) is False
    cache.set("n", 0)
    assert cache.incr("n") == 1
    assert cache.delete("k") is True
    assert cache.get("k") is None
