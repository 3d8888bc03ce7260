"""The xlsx report of a region is built by a worker (analytics.tasks): a request queues it
and shows its progress; the workbook of the current data is then served at once, to every
user, until the data changes."""

from __future__ import annotations

from datetime import timedelta

import pytest
from celery import Celery
from django.urls import reverse
from django.utils import timezone

from analytics import services
from analytics.models import ReportJob
from core import jobs as core_jobs
from core.jobs import MSG_QUEUE_UNAVAILABLE
from tests.services import closed_port
from tests.support import make_user

REPORT = reverse("analytics:region_report", args=["330482", 2022])
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
EN = {"HTTP_ACCEPT_LANGUAGE": "en"}


@pytest.fixture
def queued_only(settings, monkeypatch):
    settings.IMPORT_RUN_INLINE = False
    sent = []
    monkeypatch.setattr(services, "enqueue", lambda task, *args: sent.append((task.name, args)))
    return sent


def test_a_report_is_queued_built_by_the_worker_then_served(stats, client_for, clerk, queued_only):
    client = client_for(clerk)

    response = client.get(REPORT, **EN)

    job = ReportJob.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("analytics:report_job", args=[job.pk])
    assert queued_only == [("analytics.region_report", (job.pk,))]
    page = client.get(response.url, **EN).content.decode()
    assert "Waiting to start" in page
    assert reverse("analytics:report_job_status", args=[job.pk]) in page  # it polls
    # Asked again meanwhile: the same job, nothing sent twice.
    assert client.get(REPORT, **EN).url == response.url
    assert len(queued_only) == 1

    from analytics.tasks import region_report

    region_report(job.pk)  # the worker

    job.refresh_from_db()
    assert (job.status, job.rows_done, job.percent) == ("succeeded", 2, 100)
    status = client.get(reverse("analytics:report_job_status", args=[job.pk]), **EN)
    assert "hx-trigger" not in status.content.decode()  # done: no more polling
    assert REPORT in status.content.decode()
    served = client_for(make_user("another")).get(REPORT, **EN)
    assert served.status_code == 200
    assert served["Content-Type"] == XLSX
    assert served.content[:2] == b"PK"
    assert served.content == job.result.open("rb").read()
    assert ReportJob.objects.count() == 1


def test_a_change_of_the_data_builds_a_new_report(stats, client_for, clerk, queued_only):
    client = client_for(clerk)
    client.get(REPORT)
    first = ReportJob.objects.get()
    from registry.models import VillageStat

    stat = VillageStat.objects.first()
    stat.total_income += 100
    stat.save()  # logged: a new data version

    client.get(REPORT)

    assert ReportJob.objects.count() == 2
    assert ReportJob.objects.latest("pk").data_version > first.data_version


def test_a_queue_that_does_not_answer_is_a_503_page_and_no_job_is_kept(
    stats, client_for, clerk, settings, monkeypatch
):
    settings.IMPORT_RUN_INLINE = False
    import analytics.tasks  # noqa: F401

    down = Celery("down", broker=f"redis://127.0.0.1:{closed_port()}/0", set_as_current=False)
    down.conf.broker_connection_timeout = 1
    monkeypatch.setattr(analytics.tasks, "region_report", down.tasks["analytics.region_report"])

    response = client_for(clerk).get(REPORT, **EN)

    assert response.status_code == 503
    assert str(MSG_QUEUE_UNAVAILABLE) in response.content.decode()
    assert not ReportJob.objects.exists()


def test_a_report_whose_worker_died_is_swept_and_asked_for_again(
    stats, client_for, clerk, queued_only
):
    client = client_for(clerk)
    client.get(REPORT)
    job = ReportJob.objects.get()
    ReportJob.objects.filter(pk=job.pk).update(
        status="running", heartbeat_at=timezone.now() - timedelta(hours=1)
    )

    assert core_jobs.sweep_stale_jobs() == 1

    job.refresh_from_db()
    assert job.status == "failed"
    again = client.get(REPORT)
    assert ReportJob.objects.count() == 2
    assert again.url == reverse("analytics:report_job", args=[ReportJob.objects.latest("pk").pk])


def test_a_year_without_statistics_is_the_jobs_error(stats, client_for, clerk, queued_only):
    client = client_for(clerk)
    url = reverse("analytics:region_report", args=["330482", 2015])
    client.get(url)
    job = ReportJob.objects.get()
    from analytics.tasks import region_report

    region_report(job.pk)

    job.refresh_from_db()
    assert job.status == "failed"
    page = client.get(reverse("analytics:report_job", args=[job.pk]), **EN).content.decode()
    assert job.errors[0]["message"] in page


def test_a_report_needs_an_actor():
    from core.errors import NotAllowed

    with pytest.raises(NotAllowed):
        services.request_report("330482", 2022, actor=None)


def test_old_reports_are_removed_by_the_daily_purge(stats, client_for, clerk, queued_only):
    from django.utils import timezone as tz

    from analytics.tasks import purge_reports, region_report

    client_for(clerk).get(REPORT)
    job = ReportJob.objects.get()
    region_report(job.pk)
    job.refresh_from_db()
    name = job.result.name
    assert job.result.storage.exists(name)
    assert purge_reports() == 0  # a fresh one stays
    ReportJob.objects.filter(pk=job.pk).update(created_at=tz.now() - timedelta(days=8))

    assert purge_reports() == 1

    assert not ReportJob.objects.exists()
    assert not job.result.storage.exists(name)
    assert client_for(clerk).get(REPORT).status_code == 302  # asked again: built afresh
