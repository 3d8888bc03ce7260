"""Worker tasks of analytics (`baotuan.celery`): the xlsx report of a region, the purge of
old reports, and large optimiser runs from the screen."""

from __future__ import annotations

import logging

from celery import shared_task
from django.contrib.auth import get_user_model
from django.utils import timezone

from analytics import services
from analytics.models import OptimiserRun, ReportJob
from audit.context import change_context
from core.actors import SYSTEM
from registry.choices import ImportStatus

logger = logging.getLogger(__name__)


@shared_task(name=services.REPORT_TASK)
def region_report(job_pk: int) -> None:
    """Build report job `job_pk`'s workbook, as the user who asked for it."""
    job = ReportJob.objects.select_related("created_by").filter(pk=job_pk).first()
    if job is not None:
        services.run_report_job(job_pk, actor=job.created_by)


@shared_task(name="analytics.purge_reports")
def purge_reports() -> int:
    """Remove old report jobs and their workbooks (beat, daily)."""
    return services.purge_reports(actor=SYSTEM)


@shared_task(name="analytics.optimise")
def optimise(run_pk: int, user_pk: int) -> None:
    """Solve a large optimiser run from the screen as the user who started it (a worker
    that dies leaves it running: the sweep fails it when its heartbeat stops)."""
    user = get_user_model().objects.get(pk=user_pk)
    try:
        with change_context(user=user, source="system"):
            services.run_optimiser(run_pk, actor=user)
    except Exception:
        logger.exception("optimiser run %s failed", run_pk)
        OptimiserRun.objects.filter(pk=run_pk).update(
            status=ImportStatus.FAILED,
            summary={"error_count": 1},
            errors=[{"row": None, "column": "", "value": "", "message": "internal error"}],
            finished_at=timezone.now(),
        )
