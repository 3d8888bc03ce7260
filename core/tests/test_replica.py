"""core.db_router: the read-only public pages read the replica; writes, money, accounts and
whoever has just written read the primary; a replica that lags or is down is not used.

The router's decisions are checked on any database. The rest runs against a real streaming
replica of the test database (`.ci/replica` builds one on port 5433) when
DATABASE_REPLICA_URL is set on the PostgreSQL run — and must, under REQUIRE_REPLICA=1.
Lag is made real by pausing the replica's replay (`pg_wal_replay_pause()`).
"""

from __future__ import annotations

import os
import re
import time
from datetime import date

import dj_database_url
import pytest
from django.conf import settings as django_settings
from django.db import connections
from django.test.utils import CaptureQueriesContext

from analytics.tests.conftest import stats  # noqa: F401  (fixture)
from analytics.tests.test_services import posted_2022  # noqa: F401  (fixture)
from core import db_router
from core.db_router import PIN_COOKIE, PRIMARY, REPLICA, ReplicaRouter, _Routing, _routing
from ledger.models import Account
from registry.models import Village, VillageStat
from tests.services import closed_port
from ventures import services as ventures
from ventures.models import DistributionLine
from ventures.tests.conftest import register, venture  # noqa: F401  (fixtures)

INDICATORS = "/api/v1/indicators/"
QUERY = {"region": "330482", "year": 2022}
PRODUCTION_PATHS = ["/analytics/", "/showcase/", "/api/v1/indicators/"]


# ------------------------------------------------------------------- the router's choices


@pytest.fixture
def routing():
    state = _Routing(replica=True)
    token = _routing.set(state)
    yield state
    _routing.reset(token)


def test_outside_an_allowed_request_every_read_goes_to_the_primary():
    assert ReplicaRouter().db_for_read(VillageStat) == PRIMARY


def test_an_allowed_request_reads_statistics_on_the_replica(routing):
    router = ReplicaRouter()
    assert router.db_for_read(VillageStat) == REPLICA
    assert router.db_for_read(Village) == REPLICA


def test_money_and_accounts_are_always_read_on_the_primary(routing):
    from django.contrib.sessions.models import Session

    from accounts.models import Grant, User
    from analytics.models import RankingSnapshot

    router = ReplicaRouter()
    for model in (Account, DistributionLine, User, Grant, Session, RankingSnapshot):
        assert router.db_for_read(model) == PRIMARY, model


def test_after_a_write_the_rest_of_the_request_reads_the_primary(routing):
    router = ReplicaRouter()
    assert router.db_for_write(VillageStat) == PRIMARY
    assert routing.wrote
    assert router.db_for_read(VillageStat) == PRIMARY


def test_nothing_is_migrated_on_the_replica():
    router = ReplicaRouter()
    assert router.allow_migrate(REPLICA, "registry") is False
    assert router.allow_migrate(PRIMARY, "registry") is None


@pytest.mark.django_db
def test_without_a_replica_nothing_changes(client, settings, monkeypatch):
    monkeypatch.setattr(db_router, "replica_configured", lambda: False)
    settings.REPLICA_READ_PATHS = PRODUCTION_PATHS
    assert not db_router.replica_available()
    response = client.get("/showcase/")
    assert PIN_COOKIE not in response.cookies


# ------------------------------------------------------------------------ a real replica


def _replica_url() -> str | None:
    return os.getenv("DATABASE_REPLICA_URL") or None


@pytest.fixture
def real_replica(settings, transactional_db):
    """Point the "replica" alias (a mirror of the test database) at the real replica's copy
    of the test database; every check runs afresh."""
    if connections[PRIMARY].vendor != "postgresql":
        pytest.skip("the replica is a PostgreSQL standby: needs the PostgreSQL run")
    url = _replica_url()
    if url is None or "replica" not in django_settings.DATABASES:
        if os.getenv("REQUIRE_REPLICA"):
            pytest.fail("REQUIRE_REPLICA is set but DATABASE_REPLICA_URL is not")
        pytest.skip("DATABASE_REPLICA_URL is not set")
    replica = connections[REPLICA]
    original = replica.settings_dict
    parsed = dj_database_url.parse(url)
    replica.close()
    replica.settings_dict = {
        **connections[PRIMARY].settings_dict,
        "HOST": parsed["HOST"],
        "PORT": parsed["PORT"],
        "OPTIONS": {"connect_timeout": 2},
        "TEST": {"MIRROR": PRIMARY},  # still a mirror: the suite never flushes it
    }
    settings.REPLICA_READ_PATHS = PRODUCTION_PATHS
    settings.REPLICA_CHECK_SECONDS = 0
    settings.REPLICA_MAX_LAG_SECONDS = 3600
    db_router.reset()
    try:
        _wait_until(_replica_has_test_database, "the test database on the replica")
        yield replica
    finally:
        _resume(replica)
        replica.close()
        replica.settings_dict = original
        db_router.reset()


def _wait_until(condition, what, timeout=30):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.1)
    pytest.fail(f"timed out waiting for {what}")


def _replica_has_test_database() -> bool:
    try:
        connections[REPLICA].ensure_connection()
        return True
    except Exception:
        connections[REPLICA].close()
        return False


def replayed() -> bool:
    """Whether the replica has replayed everything the primary has written so far."""
    with connections[PRIMARY].cursor() as cursor:
        cursor.execute("SELECT pg_current_wal_lsn()")
        (lsn,) = cursor.fetchone()
    with connections[REPLICA].cursor() as cursor:
        cursor.execute("SELECT pg_last_wal_replay_lsn() >= %s::pg_lsn", [lsn])
        return cursor.fetchone()[0]


def _pause(replica) -> None:
    with replica.cursor() as cursor:
        cursor.execute("SELECT pg_wal_replay_pause()")


def _resume(replica) -> None:
    try:
        with replica.cursor() as cursor:
            cursor.execute("SELECT pg_wal_replay_resume()")
    except Exception:  # a replica pointed at a closed port by the test
        replica.close()


@pytest.fixture
def lagging(real_replica):
    """A replica that has replayed the data so far and then stopped replaying."""
    _wait_until(replayed, "the replica to catch up")
    _pause(real_replica)
    yield real_replica
    _resume(real_replica)


def _tables(context) -> set[str]:
    """The quoted names (tables, and columns: harmless) in the captured queries."""
    return {
        name
        for query in context.captured_queries
        for name in re.findall(r'"([a-z]+_[a-z0-9_]+)"', query["sql"])
    }


def _get(client, path, params=None, *, replica_up=True):
    """The response, and the names in the queries sent to the primary and the replica."""
    db_router.reset()  # each request checks the replica afresh
    primary = CaptureQueriesContext(connections[PRIMARY])
    # (Capturing connects first: not to a replica that is down.)
    replica = CaptureQueriesContext(connections[REPLICA if replica_up else PRIMARY])
    with primary, replica:
        response = client.get(path, params or {})
    return response, _tables(primary), _tables(replica) if replica_up else set()


pytestmark_replica = pytest.mark.django_db(
    transaction=True,
    databases=[PRIMARY, REPLICA] if REPLICA in django_settings.DATABASES else [PRIMARY],
)


@pytestmark_replica
def test_reads_go_where_they_should(real_replica, stats, client_for, clerk):  # noqa: F811
    client = client_for(clerk)
    _wait_until(replayed, "the replica to catch up")

    response, primary, replica = _get(client, INDICATORS, QUERY)
    assert response.status_code == 200
    assert response.json()["weak"]["count"] == 1
    assert "registry_villagestat" in replica
    assert "registry_villagestat" not in primary
    # Who is signed in, and the money, come from the primary.
    assert {"django_session", "accounts_user"} <= primary
    assert not {t for t in replica if t.startswith(("django_session", "accounts_", "ventures_"))}
    assert "ventures_distributionline" in primary

    response, primary, replica = _get(client, "/analytics/region/330482/2022/")
    assert response.status_code == 200
    assert "registry_villagestat" in replica

    # A page that is not read-only public reads the primary only.
    response, primary, replica = _get(client, "/registry/villages/")
    assert response.status_code == 200
    assert not replica
    # So does a worker task or a command: no request, no replica.
    with CaptureQueriesContext(connections[REPLICA]) as on_replica:
        assert VillageStat.objects.count() == 9
    assert not on_replica.captured_queries


@pytestmark_replica
def test_a_user_sees_their_own_write_at_once(stats, admin, clerk, lagging, client_for):  # noqa: F811
    writer = client_for(admin)
    assert writer.get(INDICATORS, QUERY).json()["weak"]["count"] == 1
    stat = VillageStat.objects.get(village_id="330482107208", year=2022)

    response = writer.patch(
        f"/api/v1/stats/{stat.pk}/",
        {"total_income": 1_500_000_00},
        content_type="application/json",
    )
    assert response.status_code == 200
    pin = response.cookies[PIN_COOKIE]
    assert int(pin["max-age"]) == django_settings.REPLICA_PIN_SECONDS
    assert pin["httponly"]

    # The writer's next request reads the primary: their change, at once.
    response, primary, replica = _get(writer, INDICATORS, QUERY)
    assert response.json()["weak"]["count"] == 0
    assert not replica
    # Someone else reads the replica, which has not replayed the change yet.
    from django.test import Client

    other = Client()
    other.force_login(clerk, backend="django.contrib.auth.backends.ModelBackend")
    response, primary, replica = _get(other, INDICATORS, QUERY)
    assert response.json()["weak"]["count"] == 1
    assert "audit_objectchange" in replica  # the replica's data version: the old figures
    assert "audit_objectchange" not in primary

    _resume(lagging)
    _wait_until(replayed, "the replica to catch up")
    assert _get(other, INDICATORS, QUERY)[0].json()["weak"]["count"] == 0


@pytestmark_replica
def test_a_lagging_replica_never_serves_a_money_figure(
    posted_2022,  # noqa: F811
    finance,
    clerk,
    lagging,
    client_for,
):
    from django.core.cache import cache

    run, approver = posted_2022
    client = client_for(clerk)
    assert client.get(INDICATORS, QUERY).json()["returns"] is None  # prepared, not posted

    run = ventures.approve_run(run, actor=approver)
    ventures.post_run(run, actor=finance, date=date(2023, 1, 15))  # on the primary
    assert not replayed()  # the replica has not seen the posting

    cache.clear()  # the figure computed now, not one cached before the posting
    response, primary, replica = _get(client, INDICATORS, QUERY)
    assert response.status_code == 200
    assert response.json()["returns"]["total"] == 40_000_000  # the primary's figure
    assert "registry_villagestat" in replica  # the statistics did come from the replica
    assert "ventures_distributionline" in primary
    assert not {t for t in replica if t.startswith(("ventures_", "ledger_"))}


@pytestmark_replica
def test_a_replica_lagging_too_far_is_not_used(stats, clerk, lagging, client_for, settings):  # noqa: F811
    client = client_for(clerk)
    settings.REPLICA_MAX_LAG_SECONDS = 0.5
    VillageStat.objects.filter(village_id="330482107208", year=2022).update(population=1001)
    time.sleep(1.0)
    response, primary, replica = _get(client, INDICATORS, QUERY)
    assert response.status_code == 200
    assert "registry_villagestat" in primary
    assert not replica.intersection({"registry_villagestat"})
    assert "lagging" in db_router.check_replica()[1]


@pytestmark_replica
def test_a_replica_that_is_down_falls_back_to_the_primary(
    real_replica,
    stats,  # noqa: F811
    client_for,
    clerk,
):
    client = client_for(clerk)
    real_replica.close()
    real_replica.settings_dict = {**real_replica.settings_dict, "PORT": closed_port()}
    started = time.monotonic()
    response, primary, _ = _get(client, INDICATORS, QUERY, replica_up=False)
    assert time.monotonic() - started < 5
    assert response.status_code == 200
    assert response.json()["weak"]["count"] == 1
    assert "registry_villagestat" in primary
    ok, detail = db_router.check_replica()
    assert not ok
    assert "OperationalError" in detail
    assert client.get("/healthz").json()["checks"]["replica"]["status"] == "error"
