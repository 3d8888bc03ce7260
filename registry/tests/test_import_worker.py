"""Web imports through a real worker process (`celery -A baotuan worker`, pool solo) on the
real Redis: the page queues the job, the worker runs it from Django's storage; a worker
SIGKILLed in the middle of the write leaves nothing of the import, the sweep fails the job
with a clear message, and a retry on a new worker imports the file once.

PostgreSQL (the worker opens the test database) and Redis (REDIS_URL of the test run,
default redis://127.0.0.1:6379/15; TEST_REDIS_URL chooses another database): skipped
without them, unless REQUIRE_REDIS=1.
"""

from __future__ import annotations

import signal
from datetime import timedelta

import psycopg
import pytest
from celery import Celery
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation

from analytics.tests.conftest import stats  # noqa: F401  (fixture)
from audit.models import ObjectChange
from core import jobs as core_jobs
from registry.choices import ImportStatus
from registry.models import ImportJob, VillageStat
from registry.services import jobs
from tests import services
from tests.services import REDIS_URL, need, wait_for

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

IMPORT_URL = reverse("registry:stats_import")
ROWS = (
    "统计用区划代码,村名,年度,集体经济总收入（元）\r\n"
    "330482107208,徐家埭村,2023,1234.56\r\n"
    "330482107208,徐家埭村,2022,1000\r\n"
)


@pytest.fixture
def queue(tmp_path, settings, monkeypatch):
    """The web side as in production: no inline run, the upload in files under MEDIA_ROOT
    (shared with the worker), messages to the real Redis; the queue emptied first."""
    services.need_shared_database()
    need("redis", REDIS_URL)
    services.flush_redis(REDIS_URL)
    media = tmp_path / "media"
    settings.IMPORT_RUN_INLINE = False
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(media)},
        },
    }
    import registry.tasks  # noqa: F401  (shared tasks bind to the app below too)

    app = Celery("web", broker=REDIS_URL, set_as_current=False)
    app.conf.broker_connection_timeout = 3
    monkeypatch.setattr(jobs, "_task", app.tasks.__getitem__)
    return media


def _worker(tmp_path, media):
    return services.start_worker(tmp_path, REDIS_URL, "celery", MEDIA_ROOT=str(media))


def _job() -> ImportJob:
    return ImportJob.objects.get()


def _status(status):
    def check():
        job = _job()
        return job if job.status == status else None

    return check


def test_a_worker_runs_the_uploaded_file(tmp_path, queue, client_for, clerk):
    upload = SimpleUploadedFile("s.csv", ROWS.encode())
    response = client_for(clerk).post(IMPORT_URL, {"file": upload})
    assert response.status_code == 302
    job = _job()
    assert job.status == ImportStatus.QUEUED  # no worker yet: it waits
    kept = queue / job.upload.name
    assert kept.is_file()

    worker = _worker(tmp_path, queue)
    try:
        job = wait_for(
            _status(ImportStatus.SUCCEEDED), timeout=60, what="the import", process=worker
        )
    finally:
        worker.stop()
    assert (job.summary["created"], job.attempts, job.rows_total) == (2, 1, 2)
    assert VillageStat.objects.count() == 2
    assert not kept.exists()  # a result: the file is no longer kept
    lines = worker.output()
    assert '"task": "registry.import_stats"' in lines


def test_a_worker_killed_mid_import_writes_nothing_and_a_retry_imports_once(
    tmp_path, queue, client_for, clerk
):
    client = client_for(clerk)
    # Another session holds the statistics table: the import blocks inside its write
    # transaction, where the worker is killed.
    blocker = psycopg.connect(services.database_url(), autocommit=False)
    blocker.execute(f"LOCK TABLE {VillageStat._meta.db_table} IN EXCLUSIVE MODE")
    worker = _worker(tmp_path, queue)
    try:
        client.post(IMPORT_URL, {"file": SimpleUploadedFile("s.csv", ROWS.encode())})

        def writing():
            job = _job()
            return job if (job.status, job.phase) == (ImportStatus.RUNNING, "writing") else None

        wait_for(writing, timeout=60, what="the import to write", process=worker)
        wait_for(lambda: _waiting_for_lock(blocker), timeout=30, what="the write", process=worker)
        worker.popen.send_signal(signal.SIGKILL)
        worker.popen.wait(timeout=30)
    finally:
        blocker.rollback()
        blocker.close()
        worker.stop()

    # Nothing of the import was written; the job still says running, until the sweep.
    assert VillageStat.objects.count() == 0
    assert not ObjectChange.objects.filter(content_type=VillageStat.content_type()).exists()
    job = _job()
    assert job.status == ImportStatus.RUNNING
    assert core_jobs.sweep_stale_jobs(timedelta(0)) == 1
    job.refresh_from_db()
    assert job.status == ImportStatus.FAILED
    with translation.override("zh-hans"):
        assert job.errors[0]["message"] == str(core_jobs.MSG_WORKER_STOPPED)
    assert job.retryable
    assert (queue / job.upload.name).is_file()

    # Started again, on a new worker: imported, once.
    response = client.post(reverse("registry:import_job_retry", args=[job.pk]))
    assert response.status_code == 302
    worker = _worker(tmp_path, queue)
    try:
        job = wait_for(
            _status(ImportStatus.SUCCEEDED), timeout=60, what="the retry", process=worker
        )
    finally:
        worker.stop()
    assert (job.attempts, job.summary["created"]) == (2, 2)
    assert VillageStat.objects.count() == 2
    logged = ObjectChange.objects.filter(content_type=VillageStat.content_type())
    assert logged.count() == 2


def _waiting_for_lock(blocker) -> bool:
    """Whether another session waits for a lock the blocker holds (the worker's write)."""
    with blocker.cursor() as cursor:
        cursor.execute("SELECT pg_stat_clear_snapshot()")  # fresh figures in a transaction
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity "
            "WHERE wait_event_type = 'Lock' AND pid <> pg_backend_pid() "
            "AND datname = current_database()"
        )
        return cursor.fetchone()[0] > 0


def test_a_worker_builds_a_regions_report_and_the_page_serves_it(
    tmp_path,
    queue,
    client_for,
    clerk,
    monkeypatch,
    stats,  # noqa: F811
):
    import analytics.tasks
    from analytics import services as analytics_services
    from analytics.models import ReportJob

    app = Celery("web-reports", broker=REDIS_URL, set_as_current=False)
    monkeypatch.setattr(analytics.tasks, "region_report", app.tasks[analytics_services.REPORT_TASK])
    client = client_for(clerk)
    url = reverse("analytics:region_report", args=["330482", 2022])

    response = client.get(url)
    job = ReportJob.objects.get()
    assert response.url == reverse("analytics:report_job", args=[job.pk])
    assert job.status == "queued"

    worker = _worker(tmp_path, queue)
    try:

        def built():
            job.refresh_from_db()
            return job.status == "succeeded"

        wait_for(built, timeout=60, what="the report", process=worker)
    finally:
        worker.stop()
    assert (queue / job.result.name).is_file()
    served = client.get(url)
    assert served.status_code == 200
    assert served.content == (queue / job.result.name).read_bytes()
