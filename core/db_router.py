"""Reads of the read-only public pages on a streaming replica; everything else on the primary.

Nothing changes unless settings.DATABASES has a "replica" alias (DATABASE_REPLICA_URL). Then:

- `ReplicaMiddleware` lets a request read from the replica when it is a GET or HEAD of a path
  in `REPLICA_READ_PATHS` (dashboards, indicators API, showcase), the visitor has not written
  within `REPLICA_PIN_SECONDS` (the pin cookie), and the replica answers and lags less than
  `REPLICA_MAX_LAG_SECONDS` (checked at most every `REPLICA_CHECK_SECONDS`, with the short
  connect timeout of the replica's OPTIONS). Every other request, every management command,
  worker task and script reads the primary: no opt-in, no replica.
- `ReplicaRouter` sends every write to the primary, and once a request has written, every
  later read of that request too; the response then sets the pin cookie, so the visitor's
  next requests read the primary until the replica has surely caught up: a user sees their
  own write at once.
- Models in `REPLICA_PRIMARY_ONLY` (an app label, or "app.model") are always read from the
  primary, whatever the page: money (ledger, ventures: balances, statements, runs — a
  lagging replica never serves a money figure), accounts, grants and sessions (a new grant or
  login counts at once), and the rankings (the showcase's page cache is keyed by the
  ranking generation read from the primary, so a page rendered for a new generation must
  not come from a replica that has not replayed it yet).
- A replica that does not answer, or lags too far, is left alone until the next check: reads
  fall back to the primary. A database error in a request that read the replica re-checks it
  at once, so only the requests already running when it failed see the error.

`replica_reads()` lets a worker task (a whole-region report, say) opt in explicitly.
"""

from __future__ import annotations

import logging
import math
import time
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from functools import lru_cache

from django.conf import settings
from django.db import DatabaseError, connections

__all__ = [
    "PIN_COOKIE",
    "PRIMARY",
    "REPLICA",
    "ReplicaMiddleware",
    "ReplicaRouter",
    "check_replica",
    "replica_available",
    "replica_configured",
    "replica_reads",
    "reset",
]

logger = logging.getLogger(__name__)

PRIMARY = "default"
REPLICA = "replica"
PIN_COOKIE = "baotuan_primary"


@dataclass
class _Routing:
    """The current request's (or block's) routing: may it read the replica, has it written."""

    replica: bool
    wrote: bool = False


_routing: ContextVar[_Routing | None] = ContextVar("baotuan_db_routing", default=None)


@dataclass
class _Health:
    ok: bool = False
    checked_at: float = -math.inf
    detail: str = "not checked"


_health = _Health()


def reset() -> None:
    """Forget the last check of the replica (tests, or after changing its settings)."""
    global _health
    _health = _Health()


def replica_configured() -> bool:
    return REPLICA in settings.DATABASES


@lru_cache(maxsize=8)
def _primary_only(names: tuple[str, ...]) -> frozenset[str]:
    return frozenset(name.lower() for name in names)


def _is_primary_only(model) -> bool:
    names = _primary_only(tuple(settings.REPLICA_PRIMARY_ONLY))
    meta = model._meta
    return meta.app_label in names or meta.label_lower in names


class ReplicaRouter:
    """Named in settings.DATABASE_ROUTERS. Reads go to the replica only inside a request (or
    block) that `ReplicaMiddleware` (or `replica_reads`) allowed and that has not written."""

    def db_for_read(self, model, **hints):
        routing = _routing.get()
        if routing is None or not routing.replica or routing.wrote or _is_primary_only(model):
            return PRIMARY
        return REPLICA

    def db_for_write(self, model, **hints):
        # Explicitly the primary: with no answer Django would write an instance back to the
        # database it was read from, the replica.
        routing = _routing.get()
        if routing is not None:
            routing.wrote = True
        return PRIMARY

    def allow_relation(self, obj1, obj2, **hints):
        return True  # the replica is a copy of the primary: one database

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        return False if db == REPLICA else None


# ---------------------------------------------------------------------------------- health

_LAG_SQL = (
    "SELECT pg_is_in_recovery(), pg_last_wal_replay_lsn() >= %s::pg_lsn,"
    " EXTRACT(EPOCH FROM now() - pg_last_xact_replay_timestamp())"
)


def _measure() -> tuple[bool, str]:
    """Connect to the replica (short timeout) and measure its lag behind the primary."""
    replica = connections[REPLICA]
    try:
        replica.ensure_connection()
        if replica.vendor != "postgresql":
            return True, "ok"
        with connections[PRIMARY].cursor() as cursor:
            cursor.execute("SELECT pg_current_wal_lsn()")
            (primary_lsn,) = cursor.fetchone()
        with replica.cursor() as cursor:
            cursor.execute(_LAG_SQL, [primary_lsn])
            in_recovery, caught_up, seconds = cursor.fetchone()
    except DatabaseError as exc:
        replica.close()
        return False, f"{type(exc).__name__}: {str(exc).strip()}"
    if not in_recovery:
        return True, "ok (not a standby)"
    if caught_up:
        return True, "ok (caught up)"
    # Behind the primary with nothing replayed since it started: the lag is unknown.
    lag = math.inf if seconds is None else float(seconds)
    if lag > settings.REPLICA_MAX_LAG_SECONDS:
        return False, f"lagging {lag:.1f} s behind the primary"
    return True, f"ok (lag {lag:.1f} s)"


def check_replica() -> tuple[bool, str]:
    """Check the replica now and remember the answer for REPLICA_CHECK_SECONDS."""
    global _health
    ok, detail = _measure()
    if ok != _health.ok:
        log = logger.info if ok else logger.warning
        log("read replica %s: %s", "in use" if ok else "not used", detail)
    _health = _Health(ok=ok, checked_at=time.monotonic(), detail=detail)
    return ok, detail


def replica_available() -> bool:
    """Whether reads may go to the replica now (the last check, or a new one when it is
    older than REPLICA_CHECK_SECONDS)."""
    if not replica_configured():
        return False
    if time.monotonic() - _health.checked_at < settings.REPLICA_CHECK_SECONDS:
        return _health.ok
    return check_replica()[0]


@contextmanager
def replica_reads():
    """Let the reads of the block go to the replica (when available); writes still pin the
    rest of the block to the primary. For worker tasks that only read (reports)."""
    token = _routing.set(_Routing(replica=replica_available()))
    try:
        yield
    finally:
        _routing.reset(token)


# ------------------------------------------------------------------------------ middleware


class ReplicaMiddleware:
    """Decides per request whether its reads may go to the replica, and pins a visitor who
    has just written to the primary (the `PIN_COOKIE` cookie, REPLICA_PIN_SECONDS long).

    Placed before the session and authentication middleware, so that their reads (always
    the primary: they are in REPLICA_PRIMARY_ONLY) and writes count too."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not replica_configured():
            return self.get_response(request)
        routing = _Routing(replica=self._may_read_replica(request))
        request.reads_replica = routing.replica
        token = _routing.set(routing)
        try:
            response = self.get_response(request)
        finally:
            _routing.reset(token)
        if routing.wrote:
            response.set_cookie(
                PIN_COOKIE,
                "1",
                max_age=settings.REPLICA_PIN_SECONDS,
                httponly=True,
                samesite="Lax",
                secure=request.is_secure(),
            )
        return response

    def process_exception(self, request, exception):
        if getattr(request, "reads_replica", False) and isinstance(exception, DatabaseError):
            check_replica()  # a replica that went away is not used by the next request
        return None

    @staticmethod
    def _may_read_replica(request) -> bool:
        return (
            request.method in ("GET", "HEAD")
            and PIN_COOKIE not in request.COOKIES
            and request.path.startswith(tuple(settings.REPLICA_READ_PATHS))
            and replica_available()
        )
