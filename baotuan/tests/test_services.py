"""The real services, through real processes: a Celery worker takes tasks from Redis,
RabbitMQ or the embedded filesystem broker and writes to the database; two application
servers share one Redis cache (a change written through one is read through the other at
once); a server whose Redis is down still answers; `/healthz` reports each service.

These start `celery -A baotuan worker` and gunicorn against the test database, so they run
in the PostgreSQL run of `make test` (skipped on the in-memory SQLite database). Redis is
required under REQUIRE_REDIS=1 (CI) and RabbitMQ under REQUIRE_RABBITMQ=1.
"""

from __future__ import annotations

import json
import uuid
from datetime import timedelta

import pytest
from django.conf import settings
from django.test import Client
from django.utils import timezone, translation

from analytics import services as analytics_services
from analytics.tests.conftest import stats  # noqa: F401  (fixture)
from analytics.tests.rankings_setup import alliance_of_four, scheme  # noqa: F401  (fixtures)
from baotuan.celery import app
from core.actors import SYSTEM
from core.jobs import MSG_WORKER_STOPPED
from core.roles import Role
from registry.choices import ImportStatus
from registry.models import ImportJob, VillageStat
from tests import services
from tests.services import REDIS_URL, need, wait_for
from tests.support import make_user

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def shared_database():
    services.need_shared_database()


def _send(broker: str, name: str, queue: str, transport_options=None, **kwargs) -> None:
    """Send task `name` to `queue` on `broker` (not the test settings' in-memory broker)."""
    with app.connection_for_write(broker, transport_options=transport_options or {}) as conn:
        app.send_task(name, kwargs=kwargs, queue=queue, connection=conn)


def _stale_job() -> ImportJob:
    user = make_user("uploader")
    job = ImportJob.objects.create(created_by=user, file_name="2022.xlsx")
    ImportJob.objects.filter(pk=job.pk).update(
        status=ImportStatus.RUNNING, heartbeat_at=timezone.now() - timedelta(hours=1)
    )
    return job


BROKERS = {
    "redis": lambda tmp: (REDIS_URL, None),
    "rabbitmq": lambda tmp: (services.RABBITMQ_URL, None),
    "filesystem": lambda tmp: (
        "filesystem://localhost/",
        {
            "data_folder_in": str(tmp / "queue" / "messages"),
            "data_folder_out": str(tmp / "queue" / "messages"),
            "control_folder": str(tmp / "queue" / "control"),
        },
    ),
}


@pytest.mark.parametrize("broker_name", BROKERS)
def test_a_worker_takes_a_task_from_the_broker_and_writes_to_the_database(tmp_path, broker_name):
    """The same code, the broker chosen by one URL: Redis (production), RabbitMQ, files."""
    broker, options = BROKERS[broker_name](tmp_path)
    if broker_name != "filesystem":
        need(broker_name, broker)
    job = _stale_job()
    queue = f"test-{uuid.uuid4().hex[:12]}"
    worker = services.start_worker(tmp_path, broker, queue, QUEUE_DIR=str(tmp_path / "queue"))
    try:
        _send(broker, "core.sweep_stale_jobs", queue, options)

        def failed():
            job.refresh_from_db()
            return job.status == ImportStatus.FAILED

        wait_for(failed, timeout=30, what="the worker to sweep the job", process=worker)
    finally:
        worker.stop()
    with translation.override(settings.LANGUAGE_CODE):
        assert job.errors[0]["message"] == str(MSG_WORKER_STOPPED)
    assert job.finished_at is not None
    # The worker logs JSON lines naming the task it ran.
    lines = [json.loads(line) for line in worker.output().splitlines() if line.startswith("{")]
    swept = [line for line in lines if line["logger"] == "core.jobs"]
    assert swept, worker.output()
    assert swept[0]["task"] == "core.sweep_stale_jobs"
    assert swept[0]["task_id"]


def test_remind_runs_in_the_worker_and_logs_its_report(tmp_path, stats):  # noqa: F811
    from alliances.choices import DutyStatus
    from alliances.models import Alliance, Duty

    need("redis", REDIS_URL)
    alliance = Alliance.objects.create(name="测试联盟", region_id="330482")
    Duty.objects.create(
        alliance=alliance,
        title="修缮仓库",
        owner_village_id="330482107208",
        due_on=timezone.localdate() - timedelta(days=3),
        status=DutyStatus.PLANNED,
    )
    queue = f"test-{uuid.uuid4().hex[:12]}"
    worker = services.start_worker(tmp_path, REDIS_URL, queue)
    try:
        _send(REDIS_URL, "alliances.remind", queue)
        line = wait_for(
            lambda: next(
                (
                    json.loads(line)
                    for line in worker.output().splitlines()
                    if line.startswith('{"') and '"remind:' in line
                ),
                None,
            ),
            timeout=30,
            what="the remind report",
            process=worker,
        )
    finally:
        worker.stop()
    assert line["task"] == "alliances.remind"
    (owner,) = line["remind"]["owners"]
    assert owner["code"] == "330482107208"
    assert owner["duties"][0]["title"] == "修缮仓库"
    assert owner["duties"][0]["overdue"] is True


# --------------------------------------------------------------------- two app servers


@pytest.fixture
def two_servers(tmp_path):
    """Servers A and B (gunicorn) on the test database and one Redis cache, emptied first;
    this process's cache is the same Redis, as on another server."""
    need("redis", REDIS_URL)
    services.flush_redis()
    a, url_a = services.start_server(tmp_path, "A", REDIS_URL=REDIS_URL)
    b, url_b = services.start_server(tmp_path, "B", REDIS_URL=REDIS_URL)
    yield url_a, url_b
    a.stop()
    b.stop()


@pytest.fixture
def shared_cache(settings):
    settings.CACHES = {
        "default": {
            "BACKEND": "core.cache.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "baotuan",
        }
    }


def _signed_in(user) -> dict[str, str]:
    """Headers of a signed-in session (made here, in the shared database) and a CSRF pair."""
    client = Client()
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    token = uuid.uuid4().hex * 2
    return {
        "Cookie": f"sessionid={client.cookies['sessionid'].value}; csrftoken={token}",
        "X-CSRFToken": token,
        "Content-Type": "application/json",
    }


def _compute(scheme, year):  # noqa: F811
    return analytics_services.compute_snapshot(scheme, year, actor=SYSTEM)


def test_a_statistics_change_written_through_one_server_is_read_through_the_other(
    two_servers,
    stats,  # noqa: F811
):
    url_a, url_b = two_servers
    headers = _signed_in(make_user("city", Role.CITY_ADMIN))
    query = "/api/v1/indicators/?region=330482&year=2022"

    def weak(base):
        status, _, body = services.http("GET", base + query, headers=headers)
        assert status == 200, body
        return json.loads(body)["weak"]["count"]

    assert weak(url_a) == weak(url_b) == 1  # both cached now
    stat = VillageStat.objects.get(village_id="330482107208", year=2022)
    status, _, body = services.http(
        "PATCH",
        f"{url_a}/api/v1/stats/{stat.pk}/",
        data=json.dumps({"total_income": 1_500_000_00}).encode(),
        headers=headers,
    )
    assert status == 200, body
    assert weak(url_b) == 0  # at once, through the other server
    assert weak(url_a) == 0


def test_a_new_snapshot_shows_on_every_server_at_once(
    two_servers,
    shared_cache,
    scheme,  # noqa: F811
):
    url_a, url_b = two_servers
    _compute(scheme, 2021)
    for base in (url_a, url_b):
        status, _, body = services.http("GET", base + "/showcase/")
        assert status == 200
        assert "↑2" not in body.decode()

    _compute(scheme, 2022)  # on commit: a new generation, in the shared cache

    for base in (url_b, url_a):
        status, _, body = services.http("GET", base + "/showcase/")
        assert status == 200
        assert "↑2" in body.decode()


def test_a_server_whose_redis_is_down_still_answers(tmp_path, scheme):  # noqa: F811
    _compute(scheme, 2021)
    _compute(scheme, 2022)
    down = f"redis://127.0.0.1:{services.closed_port()}/0"
    server, base = services.start_server(tmp_path, "C", REDIS_URL=down)
    try:
        for _ in range(2):  # a miss, then a miss again (the page is rendered afresh)
            status, _, body = services.http("GET", base + "/showcase/")
            assert status == 200
            assert "↑2" in body.decode()
        status, _, body = services.http("GET", base + "/healthz")
    finally:
        server.stop()
    assert status == 200
    health = json.loads(body)
    assert health["status"] == "degraded"
    assert health["checks"]["database"]["status"] == "ok"
    assert health["checks"]["cache"]["status"] == "error"
    assert health["checks"]["broker"]["status"] == "error"  # the broker is that Redis too
    assert "cache unavailable" in server.output()


def test_healthz_reports_every_service(tmp_path):
    need("redis", REDIS_URL)
    server, base = services.start_server(tmp_path, "D", REDIS_URL=REDIS_URL)
    try:
        status, headers, body = services.http("GET", base + "/healthz")
    finally:
        server.stop()
    assert status == 200
    health = json.loads(body)
    assert health["status"] == "ok", health
    checks = health["checks"]
    assert {name: c["status"] for name, c in checks.items()} == {
        "database": "ok",
        "replica": "off",
        "cache": "ok",
        "broker": "ok",
    }
    assert checks["database"]["detail"] == "postgresql"
    assert checks["cache"]["detail"] == "RedisCache"
    assert checks["broker"]["detail"].startswith("redis://")
    assert all(c["ms"] >= 0 for c in checks.values())
    assert "no-cache" in headers["Cache-Control"]
