"""Operations in one process: /healthz, JSON log lines with the request id, the beat
schedule, the remind task, and the 503 of a queue that is down."""

from __future__ import annotations

import io
import json
import logging
from datetime import timedelta

import pytest
from django.conf import settings
from django.test import RequestFactory
from django.utils import timezone

from audit.context import change_context
from audit.logs import ContextFilter, RequestLogMiddleware
from baotuan.celery import app
from core.errors import Unavailable
from core.middleware import DomainErrorMiddleware


@pytest.mark.django_db
def test_healthz_reports_each_check_with_its_time(client, monkeypatch):
    from core import db_router

    monkeypatch.setattr(db_router, "replica_configured", lambda: False)  # core/tests/test_replica
    response = client.get("/healthz")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert set(body["checks"]) == {"database", "replica", "cache", "broker"}
    for check in body["checks"].values():
        assert check["status"] in {"ok", "off"}
        assert isinstance(check["ms"], float)
    assert body["checks"]["cache"]["detail"] == "LocMemCache"
    assert "no-store" in response["Cache-Control"]
    assert client.post("/healthz").status_code == 405


@pytest.mark.django_db
def test_healthz_says_what_is_down(client, settings):
    settings.CELERY_BROKER_URL = "redis://127.0.0.1:1/0"  # nothing listens on port 1
    app.conf.broker_url = settings.CELERY_BROKER_URL
    try:
        body = client.get("/healthz").json()
    finally:
        app.conf.broker_url = "memory://"
    assert body["status"] == "degraded"
    assert body["checks"]["broker"]["status"] == "error"
    assert "Error" in body["checks"]["broker"]["detail"]


def _json_line(record_args, **context) -> dict:
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.addFilter(ContextFilter())
    from pythonjsonlogger.json import JsonFormatter

    formatter = settings.LOGGING["formatters"]["json"]
    handler.setFormatter(
        JsonFormatter(
            formatter["fmt"],
            timestamp=formatter["timestamp"],
            rename_fields=formatter["rename_fields"],
            json_ensure_ascii=False,
        )
    )
    logger = logging.getLogger("baotuan.tests.logs")
    logger.addHandler(handler)
    logger.propagate = False
    try:
        if context:
            with change_context(**context):
                logger.warning(*record_args)
        else:
            logger.warning(*record_args)
    finally:
        logger.removeHandler(handler)
    return json.loads(stream.getvalue())


def test_a_log_line_is_json_with_the_change_logs_request_id():
    with change_context(source="web") as context:
        request_id = str(context.request_id)
        line = _json_line(("导入 %s 行", 3), source="web", request_id=context.request_id)
    assert line["message"] == "导入 3 行"  # readable, not \\u escapes
    assert line["level"] == "WARNING"
    assert line["logger"] == "baotuan.tests.logs"
    assert line["request_id"] == request_id
    assert line["task_id"] is None
    assert line["time"].endswith("+00:00")


def test_outside_a_request_the_request_id_is_null():
    assert _json_line(("nothing",))["request_id"] is None


def test_the_request_log_line_names_the_request(caplog, admin):
    request = RequestFactory().get("/registry/villages/")
    request.user = admin
    middleware = RequestLogMiddleware(lambda r: type("R", (), {"status_code": 204})())
    with caplog.at_level(logging.INFO, logger="baotuan.requests"):
        middleware(request)
    (record,) = caplog.records
    assert record.getMessage() == "GET /registry/villages/ 204"
    assert (record.method, record.path, record.status, record.user) == (
        "GET",
        "/registry/villages/",
        204,
        "admin",
    )
    assert record.ms >= 0


def test_a_queue_that_is_down_answers_503_on_pages_and_in_the_api():
    from django.contrib.auth.models import AnonymousUser

    from core.api.handlers import exception_handler

    error = Unavailable("队列不可用")
    request = RequestFactory().get("/")
    request.user = AnonymousUser()
    response = exception_handler(error, {})
    assert response.status_code == 503
    assert response.data == {"error": {"status": 503, "detail": {"detail": "队列不可用"}}}
    assert (
        DomainErrorMiddleware(lambda r: None).process_exception(request, error).status_code == 503
    )


def test_beat_runs_remind_daily_and_the_sweep_every_few_minutes():
    schedule = app.conf.beat_schedule
    remind = schedule["remind-daily"]
    assert remind["task"] == "alliances.remind"
    assert remind["schedule"].hour == {8}
    assert remind["schedule"].minute == {0}
    assert schedule["sweep-stale-jobs"]["task"] == "core.sweep_stale_jobs"
    assert schedule["sweep-stale-jobs"]["schedule"] == settings.JOB_SWEEP_MINUTES * 60
    assert app.conf.beat_scheduler == "django_celery_beat.schedulers:DatabaseScheduler"
    app.loader.import_default_modules()  # what a worker does at start: find every app's tasks
    assert {"alliances.remind", "core.sweep_stale_jobs"} <= set(app.tasks)
    # The web jobs' tasks, and the daily removal of the files old jobs keep.
    assert {
        "registry.import_stats",
        "projects.import_progress",
        "projects.import_cooperation",
        "analytics.region_report",
    } <= set(app.tasks)
    for name, task in (
        ("purge-import-files", "registry.purge_import_files"),
        ("purge-reports", "analytics.purge_reports"),
    ):
        assert schedule[name]["task"] == task
        assert task in app.tasks
        assert schedule[name]["schedule"].hour == {3}


@pytest.mark.django_db(transaction=True)  # beat commits and closes connections itself
def test_the_database_scheduler_keeps_the_schedule_in_the_database():
    from django_celery_beat.models import PeriodicTask
    from django_celery_beat.schedulers import DatabaseScheduler

    DatabaseScheduler(app=app)
    remind = PeriodicTask.objects.get(name="remind-daily")
    assert remind.task == "alliances.remind"
    assert (remind.crontab.hour, remind.crontab.minute) == ("8", "0")
    sweep = PeriodicTask.objects.get(name="sweep-stale-jobs")
    assert sweep.interval.every == settings.JOB_SWEEP_MINUTES * 60


@pytest.mark.django_db
def test_the_remind_task_reports_due_and_overdue_duties_as_the_system(xujiadai, caplog):
    from alliances.choices import DutyStatus
    from alliances.models import Alliance, Duty
    from alliances.tasks import remind

    alliance = Alliance.objects.create(name="测试联盟", region_id="330482")
    today = timezone.localdate()
    Duty.objects.create(
        alliance=alliance,
        title="修缮仓库",
        owner_village=xujiadai,
        due_on=today - timedelta(days=2),
        status=DutyStatus.PLANNED,
    )
    Duty.objects.create(
        alliance=alliance,
        title="年度总结",
        owner_village=xujiadai,
        due_on=today + timedelta(days=30),  # not due within 7 days
        status=DutyStatus.PLANNED,
    )
    with caplog.at_level(logging.INFO, logger="alliances.tasks"):
        report = remind(days=7)
    assert report["today"] == today.isoformat()
    (owner,) = report["owners"]
    assert [d["title"] for d in owner["duties"]] == ["修缮仓库"]
    assert owner["duties"][0]["days_late"] == 2
    (record,) = caplog.records
    assert record.getMessage() == "remind: 1 duties due within 7 days or overdue, 1 owners"
    assert record.remind == report
