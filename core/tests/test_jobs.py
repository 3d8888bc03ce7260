"""core.jobs: the sweep of jobs whose worker died, the heartbeat, and sending to a broker
that is down."""

from __future__ import annotations

import time
from datetime import timedelta

import pytest
from celery import Celery
from django.core.exceptions import ImproperlyConfigured
from django.utils import timezone, translation

from core import jobs
from core.errors import Unavailable
from registry.choices import ImportStatus
from registry.models import ImportJob
from tests.services import closed_port
from tests.support import make_user


def _job(status, *, heartbeat=None, created=None):
    job = ImportJob.objects.create(created_by=make_user(f"u{ImportJob.objects.count()}"))
    fields = {"status": status, "heartbeat_at": heartbeat}
    if created is not None:
        fields["created_at"] = created
    ImportJob.objects.filter(pk=job.pk).update(**fields)
    return job


@pytest.mark.django_db
def test_running_jobs_whose_heartbeat_stopped_are_failed_with_a_message():
    now = timezone.now()
    stale = _job(ImportStatus.RUNNING, heartbeat=now - timedelta(minutes=6))
    beating = _job(ImportStatus.RUNNING, heartbeat=now - timedelta(minutes=1))
    never_beat = _job(ImportStatus.RUNNING, created=now - timedelta(hours=2))
    just_started = _job(ImportStatus.RUNNING)
    queued = _job(ImportStatus.QUEUED, created=now - timedelta(days=1))  # no worker yet
    done = _job(ImportStatus.SUCCEEDED, heartbeat=now - timedelta(days=1))

    assert jobs.sweep_stale_jobs(timedelta(minutes=5)) == 2

    for job in (stale, never_beat):
        job.refresh_from_db()
        assert job.status == ImportStatus.FAILED
        assert job.finished_at is not None
        assert job.summary == {"error_count": 1}
        with translation.override("zh-hans"):
            message = str(jobs.MSG_WORKER_STOPPED)
        assert job.errors == [{"row": None, "column": "", "value": "", "message": message}]
        assert job.percent == 100
    for job, status in (
        (beating, ImportStatus.RUNNING),
        (just_started, ImportStatus.RUNNING),
        (queued, ImportStatus.QUEUED),
        (done, ImportStatus.SUCCEEDED),
    ):
        job.refresh_from_db()
        assert job.status == status
    assert jobs.sweep_stale_jobs(timedelta(minutes=5)) == 0  # nothing twice


@pytest.mark.django_db
def test_the_default_age_is_job_stale_minutes(settings):
    settings.JOB_STALE_MINUTES = 30
    job = _job(ImportStatus.RUNNING, heartbeat=timezone.now() - timedelta(minutes=20))
    assert jobs.sweep_stale_jobs() == 0
    settings.JOB_STALE_MINUTES = 10
    assert jobs.sweep_stale_jobs() == 1
    job.refresh_from_db()
    assert job.status == ImportStatus.FAILED


@pytest.mark.django_db
def test_the_sweep_task_sweeps():
    from core.tasks import sweep_stale_jobs

    _job(ImportStatus.RUNNING, heartbeat=timezone.now() - timedelta(minutes=3))
    assert sweep_stale_jobs(older_than_minutes=10) == 0
    assert sweep_stale_jobs(older_than_minutes=2) == 1


def test_a_listed_model_without_the_job_fields_is_refused(settings):
    settings.BACKGROUND_JOB_MODELS = ["registry.Region"]
    with pytest.raises(ImproperlyConfigured, match="lacks"):
        jobs.job_models()


@pytest.mark.django_db
def test_each_progress_report_is_a_heartbeat():
    job = _job(ImportStatus.RUNNING)
    assert job.heartbeat_at is None

    assert jobs.beat(ImportJob, job.pk, rows_done=10, phase="validate") == 1

    job.refresh_from_db()
    assert job.heartbeat_at is not None
    assert (job.rows_done, job.phase) == (10, "validate")
    assert jobs.sweep_stale_jobs(timedelta(minutes=5)) == 0  # alive: not swept


def test_sending_to_a_broker_that_is_down_is_unavailable_at_once():
    app = Celery("down", broker=f"redis://127.0.0.1:{closed_port()}/0", set_as_current=False)
    app.conf.broker_connection_timeout = 1

    @app.task(name="down.nothing")
    def nothing():  # pragma: no cover - never runs
        return None

    started = time.monotonic()
    with pytest.raises(Unavailable) as caught:
        jobs.enqueue(nothing)
    assert time.monotonic() - started < 5
    assert caught.value.status_code == 503
    assert str(caught.value) == str(jobs.MSG_QUEUE_UNAVAILABLE)
