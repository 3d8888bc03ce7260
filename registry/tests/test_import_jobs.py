"""Web imports as jobs on the task queue: the file kept through Django's storage, a job that
waits for a worker, a queue that does not answer, too many imports at once, a retry after
the worker died, and bad files refused with a clear message (issues 10 and 11)."""

from __future__ import annotations

import time
from datetime import timedelta

import pytest
from celery import Celery
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone, translation

from core import jobs as core_jobs
from registry.choices import ImportStatus
from registry.models import ImportJob, VillageStat
from registry.services import jobs
from tests.services import closed_port
from tests.spreadsheets import huge_string, many_rows, text_row, xlsx
from tests.support import make_user

IMPORT_URL = reverse("registry:stats_import")
OWN = "统计用区划代码,村名,年度,集体经济总收入（元）\r\n330482107208,徐家埭村,2023,1234.56\r\n"
EN = {"HTTP_ACCEPT_LANGUAGE": "en"}


def upload(data: str | bytes, name: str = "stats.csv") -> SimpleUploadedFile:
    if isinstance(data, str):
        data = data.encode("utf-8-sig")
    return SimpleUploadedFile(name, data)


def kept_files() -> list[str]:
    """Every file under imports/ in the default storage (the test settings' in-memory one
    lives as long as the process: compare before and after)."""
    if not default_storage.exists("imports"):
        return []
    folders, _files = default_storage.listdir("imports")
    found = []
    for year in folders:
        months, _ = default_storage.listdir(f"imports/{year}")
        for month in months:
            found += default_storage.listdir(f"imports/{year}/{month}")[1]
    return found


@pytest.fixture
def queued_only(settings, monkeypatch):
    """Production's path (no inline run), with the messages the web process sends kept here:
    no worker runs, as when none is started."""
    settings.IMPORT_RUN_INLINE = False
    sent = []

    def send(task, *args, **kwargs):
        sent.append((task.name, args))

    monkeypatch.setattr(jobs, "enqueue", send)
    return sent


def _down_tasks():
    """The tasks (shared tasks bind to every app) of a Celery app whose broker refuses
    connections: the real `core.jobs.enqueue` sends to it."""
    import registry.tasks  # noqa: F401  (the task is registered)

    down = Celery("down", broker=f"redis://127.0.0.1:{closed_port()}/0", set_as_current=False)
    down.conf.broker_connection_timeout = 1
    return down.tasks


@pytest.fixture
def broker_down(settings, monkeypatch):
    settings.IMPORT_RUN_INLINE = False
    monkeypatch.setattr(jobs, "_task", _down_tasks().__getitem__)


# --------------------------------------------------------------------- queue and storage


@pytest.mark.django_db
def test_with_no_worker_an_upload_stays_queued_with_its_file_kept(client_for, clerk, queued_only):
    response = client_for(clerk).post(IMPORT_URL, {"file": upload(OWN)})

    job = ImportJob.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("registry:import_job", args=[job.pk])
    # The message names the task and the job; the web process ran nothing.
    assert queued_only == [("registry.import_stats", (job.pk,))]
    assert job.status == ImportStatus.QUEUED
    assert VillageStat.objects.count() == 0
    # The file is in Django's storage under a name of our own, not in the temp folder.
    assert job.upload.name.startswith("imports/")
    assert job.upload.name.endswith(".csv")
    assert "stats" not in job.upload.name
    assert job.file_name == "stats.csv"
    assert default_storage.open(job.upload.name).read() == OWN.encode("utf-8-sig")
    page = client_for(clerk).get(reverse("registry:import_job", args=[job.pk]), **EN)
    assert "Waiting to start" in page.content.decode()


@pytest.mark.django_db
def test_the_worker_task_runs_the_kept_file_and_removes_it(client_for, clerk, queued_only):
    from registry.tasks import import_stats

    client_for(clerk).post(IMPORT_URL, {"file": upload(OWN)}, **EN)
    job = ImportJob.objects.get()
    name = job.upload.name

    import_stats(job.pk)  # what the worker does with the message

    job.refresh_from_db()
    assert (job.status, job.summary["created"], job.attempts) == (ImportStatus.SUCCEEDED, 1, 1)
    assert VillageStat.objects.get().total_income == 123456
    assert not job.upload
    assert not default_storage.exists(name)
    # Delivered twice, it runs once: the job is no longer queued.
    import_stats(job.pk)
    job.refresh_from_db()
    assert job.attempts == 1


@pytest.mark.django_db
def test_a_queue_that_does_not_answer_is_said_on_the_import_page_and_nothing_is_kept(
    client_for, clerk, broker_down
):
    before = kept_files()
    started = time.monotonic()
    response = client_for(clerk).post(IMPORT_URL, {"file": upload(OWN)}, **EN)

    assert time.monotonic() - started < 10
    assert response.status_code == 503
    body = response.content.decode()
    assert str(core_jobs.MSG_QUEUE_UNAVAILABLE) in body
    assert 'type="file"' in body  # the import page, with its form, to try again
    assert ImportJob.objects.count() == 0
    assert VillageStat.objects.count() == 0
    assert kept_files() == before


# --------------------------------------------------------------------- how many at once


@pytest.mark.django_db
def test_a_user_with_imports_waiting_is_refused_another(client_for, clerk, queued_only, settings):
    settings.IMPORT_MAX_JOBS_PER_USER = 2
    client = client_for(clerk)
    for _ in range(2):
        assert client.post(IMPORT_URL, {"file": upload(OWN)}).status_code == 302

    response = client.post(IMPORT_URL, {"file": upload(OWN)}, **EN)

    assert response.status_code == 409
    assert (
        "You already have 2 imports waiting or running; start another when one has finished."
        in response.content.decode()
    )
    assert ImportJob.objects.count() == 2
    assert len(queued_only) == 2
    # A finished job no longer counts.
    ImportJob.objects.filter(pk=ImportJob.objects.first().pk).update(status=ImportStatus.SUCCEEDED)
    assert client.post(IMPORT_URL, {"file": upload(OWN)}).status_code == 302


@pytest.mark.django_db
def test_the_server_refuses_imports_beyond_its_overall_limit(
    client_for, clerk, queued_only, settings
):
    settings.IMPORT_MAX_JOBS = 3
    for index in range(3):
        ImportJob.objects.create(
            created_by=make_user(f"other{index}"),
            status=ImportStatus.RUNNING if index else ImportStatus.QUEUED,
        )

    response = client_for(clerk).post(IMPORT_URL, {"file": upload(OWN)}, **EN)

    assert response.status_code == 503
    assert "3 imports are waiting or running on the server already" in response.content.decode()
    assert ImportJob.objects.count() == 3
    assert queued_only == []


# --------------------------------------------------------------------- the worker died


def _swept_job(client, queued_only) -> ImportJob:
    """A job a worker took and died in: running, its heartbeat long stopped, then swept."""
    client.post(IMPORT_URL, {"file": upload(OWN)}, **EN)
    job = ImportJob.objects.get()
    ImportJob.objects.filter(pk=job.pk).update(
        status=ImportStatus.RUNNING,
        attempts=1,
        heartbeat_at=timezone.now() - timedelta(hours=1),
        phase="validating",
    )
    assert core_jobs.sweep_stale_jobs() == 1
    job.refresh_from_db()
    return job


@pytest.mark.django_db
def test_a_job_whose_worker_died_can_be_started_again_and_imports_once(
    client_for, clerk, queued_only
):
    from registry.tasks import import_stats

    client = client_for(clerk)
    job = _swept_job(client, queued_only)
    assert job.status == ImportStatus.FAILED
    assert job.retryable
    page = client.get(reverse("registry:import_job", args=[job.pk]), **EN).content.decode()
    with translation.override("zh-hans"):  # stored in the site's language by the sweep
        assert str(core_jobs.MSG_WORKER_STOPPED) in page
    assert reverse("registry:import_job_retry", args=[job.pk]) in page

    response = client.post(reverse("registry:import_job_retry", args=[job.pk]))

    assert response.url == reverse("registry:import_job", args=[job.pk])
    job.refresh_from_db()
    assert (job.status, job.errors, job.finished_at) == (ImportStatus.QUEUED, [], None)
    assert queued_only[-1] == ("registry.import_stats", (job.pk,))
    import_stats(job.pk)
    job.refresh_from_db()
    assert (job.status, job.attempts, job.summary["created"]) == (ImportStatus.SUCCEEDED, 2, 1)
    assert VillageStat.objects.count() == 1
    # Done: no retry any more (its file is gone), and no button.
    assert not job.retryable
    refused = client.post(reverse("registry:import_job_retry", args=[job.pk]), **EN)
    assert refused.status_code == 409
    assert "Only an import that stopped without a result" in refused.content.decode()


@pytest.mark.django_db
def test_a_retry_when_the_queue_is_down_leaves_the_job_as_it_was(client_for, clerk, settings):
    client = client_for(clerk)
    settings.IMPORT_RUN_INLINE = False
    sent = []
    original = jobs.enqueue
    jobs.enqueue = lambda task, *args: sent.append(args)
    try:
        job = _swept_job(client, sent)
    finally:
        jobs.enqueue = original
    jobs._task, original_task = _down_tasks().__getitem__, jobs._task
    try:
        response = client.post(reverse("registry:import_job_retry", args=[job.pk]), **EN)
    finally:
        jobs._task = original_task

    assert response.status_code == 503
    assert str(core_jobs.MSG_QUEUE_UNAVAILABLE) in response.content.decode()
    before = job.errors
    job.refresh_from_db()
    assert (job.status, job.errors) == (ImportStatus.FAILED, before)
    assert job.retryable


@pytest.mark.django_db
def test_only_the_user_who_started_a_job_may_start_it_again(client_for, clerk, admin, queued_only):
    job = _swept_job(client_for(clerk), queued_only)

    response = client_for(admin).post(reverse("registry:import_job_retry", args=[job.pk]))

    assert response.status_code == 403
    job.refresh_from_db()
    assert job.status == ImportStatus.FAILED


def test_a_retry_needs_an_actor():
    from core.errors import NotAllowed

    with pytest.raises(NotAllowed):
        jobs.retry_import_job(ImportJob(), actor=None)


# --------------------------------------------------------------------- bad files


def _outcome(client, data, name) -> tuple[ImportJob, str]:
    started = time.monotonic()
    response = client.post(IMPORT_URL, {"file": upload(data, name)}, follow=True, **EN)
    job = ImportJob.objects.latest("pk")
    assert time.monotonic() - started < 30
    return job, response.content.decode()


@pytest.mark.django_db
def test_a_shared_string_that_unpacks_past_the_limit_is_refused(client_for, clerk, settings):
    settings.IMPORT_MAX_PART_BYTES = 1024 * 1024
    data = xlsx([text_row(1, "统计用区划代码")], [huge_string(2 * 1024 * 1024)])
    assert len(data) < 64 * 1024

    job, page = _outcome(client_for(clerk), data, "bomb.xlsx")

    assert job.status == ImportStatus.FAILED
    message = job.errors[0]["message"]
    assert message.startswith("The spreadsheet unpacks to more than 1 MB in one part")
    assert "(xl/sharedStrings.xml)" in message
    assert message in page
    assert not job.retryable  # a result: the file is refused, not stopped


@pytest.mark.django_db
def test_a_sheet_over_the_row_limit_is_refused_before_it_is_parsed(client_for, clerk, settings):
    settings.IMPORT_MAX_ROWS = 10_000
    data = xlsx([text_row(1, "统计用区划代码", "村名"), *many_rows(20_000)])

    job, _page = _outcome(client_for(clerk), data, "rows.xlsx")

    assert job.status == ImportStatus.FAILED
    assert job.errors[0]["message"].startswith("The file has more than 10,000 rows")
    assert job.rows_total == 0  # never parsed


@pytest.mark.django_db
def test_a_gbk_csv_from_excel_is_read(client_for, clerk):
    data = OWN.replace("\r\n", "\n").encode("gbk")

    job, _page = _outcome(client_for(clerk), data, "gbk.csv")

    assert (job.status, job.summary["created"]) == (ImportStatus.SUCCEEDED, 1)
    assert VillageStat.objects.get().total_income == 123456


@pytest.mark.django_db
def test_excels_unicode_text_utf16_is_read(client_for, clerk):
    data = OWN.replace(",", "\t").encode("utf-16")

    job, _page = _outcome(client_for(clerk), data, "unicode.txt")

    assert (job.status, job.summary["created"]) == (ImportStatus.SUCCEEDED, 1)


@pytest.mark.django_db
def test_a_csv_in_another_encoding_is_a_clear_error(client_for, clerk):
    data = "統計用區劃代碼,村名\n330482107208,徐家埭村\n".encode("big5")

    job, page = _outcome(client_for(clerk), data, "big5.csv")

    assert job.status == ImportStatus.FAILED
    message = job.errors[0]["message"]
    assert message.startswith("The CSV file is in an encoding that cannot be read")
    assert "CSV UTF-8" in message
    assert VillageStat.objects.count() == 0


@pytest.mark.django_db
def test_a_renamed_picture_is_not_a_spreadsheet(client_for, clerk):
    job, _page = _outcome(client_for(clerk), b"\x89PNG\r\n\x1a\n" + b"\0" * 100, "x.xlsx")

    assert job.errors[0]["message"] == (
        "The file is not a spreadsheet (xlsx, xls, ods) or CSV file."
    )


@pytest.mark.django_db
def test_with_the_redis_cache_down_the_import_pages_answer_and_import(client_for, clerk, settings):
    from django.core.cache import caches

    from core.cache import reset_breaker

    settings.CACHES = {
        "default": {
            "BACKEND": "core.cache.RedisCache",
            "LOCATION": f"redis://127.0.0.1:{closed_port()}/0",
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
        }
    }
    reset_breaker()
    assert caches["default"].get("anything", "miss") == "miss"  # down: a miss, no error
    client = client_for(clerk)

    page = client.get(IMPORT_URL)
    job, _ = _outcome(client, OWN, "stats.csv")

    assert page.status_code == 200
    assert (job.status, job.summary["created"]) == (ImportStatus.SUCCEEDED, 1)
    reset_breaker()


@pytest.mark.django_db
def test_kept_files_of_old_jobs_are_removed_by_the_daily_purge(client_for, clerk, queued_only):
    from core.actors import SYSTEM
    from registry.tasks import purge_import_files

    client = client_for(clerk)
    client.post(IMPORT_URL, {"file": upload(OWN)})
    client.post(IMPORT_URL, {"file": upload(OWN)})
    old, new = ImportJob.objects.order_by("pk")
    ImportJob.objects.filter(pk=old.pk).update(
        status=ImportStatus.FAILED, created_at=timezone.now() - timedelta(days=8)
    )

    assert purge_import_files() == 1

    old.refresh_from_db()
    new.refresh_from_db()
    assert not old.upload
    assert not old.retryable
    assert not default_storage.exists(old.upload.name or "imports/none")
    assert new.upload
    assert default_storage.exists(new.upload.name)
    assert jobs.purge_kept_files(actor=SYSTEM, older_than=timedelta(0)) == 1  # queued too
