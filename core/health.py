"""`/healthz`: whether this server reaches what it needs, for load balancers and people.

    {"status": "ok" | "degraded" | "error",
     "checks": {"database": {"status": "ok", "ms": 0.4, "detail": "postgresql"},
                "replica":  {"status": "off", ...}, "cache": {...}, "broker": {...}}}

Each check is "ok", "error" (with what failed) or "off" (not configured), with the
milliseconds it took. The answer is 503 only when the primary database fails: without the
replica reads go to the primary, without the cache pages are computed afresh, and without
the broker only the starting of background work is refused — and since every server shares
them, taking servers out of the balancer for their sake would only take the site down.
No login, no cache, no session: safe to poll every few seconds.
"""

from __future__ import annotations

import time
import uuid

from django.conf import settings
from django.core.cache import cache
from django.db import connections
from django.http import JsonResponse
from django.utils.cache import add_never_cache_headers
from django.views.decorators.http import require_safe

from core import db_router

__all__ = ["checks", "healthz"]


def _timed(check) -> dict:
    started = time.perf_counter()
    try:
        status, detail = check()
    except Exception as exc:  # every failure is a finding, not a 500
        status, detail = "error", f"{type(exc).__name__}: {str(exc).strip()}"
    return {
        "status": status,
        "ms": round((time.perf_counter() - started) * 1000, 1),
        "detail": detail,
    }


def _database():
    connection = connections[db_router.PRIMARY]
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()
    return "ok", connection.vendor


def _replica():
    if not db_router.replica_configured():
        return "off", "DATABASE_REPLICA_URL is not set: every read goes to the primary"
    ok, detail = db_router.check_replica()
    return ("ok" if ok else "error"), detail


def _cache():
    backend = settings.CACHES["default"]["BACKEND"].rsplit(".", 1)[-1]
    key, token = "healthz:probe", uuid.uuid4().hex
    cache.set(key, token, 30)
    if cache.get(key) != token:
        return "error", f"{backend}: a value written could not be read back"
    return "ok", backend


def _broker():
    from celery import current_app  # the project's app (baotuan/celery.py), loaded with Django

    with current_app.connection_for_write() as connection:
        connection.ensure_connection(max_retries=1, interval_start=0, timeout=2)
        return "ok", connection.as_uri()


def checks() -> dict:
    return {
        "database": _timed(_database),
        "replica": _timed(_replica),
        "cache": _timed(_cache),
        "broker": _timed(_broker),
    }


@require_safe
def healthz(request):
    results = checks()
    if results["database"]["status"] == "error":
        status, code = "error", 503
    elif any(r["status"] == "error" for r in results.values()):
        status, code = "degraded", 200
    else:
        status, code = "ok", 200
    response = JsonResponse({"status": status, "checks": results}, status=code)
    add_never_cache_headers(response)
    return response
