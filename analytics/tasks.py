"""Worker tasks of analytics: the xlsx report of a region (analytics.services)."""

from __future__ import annotations

from celery import shared_task

from analytics import services
from analytics.models import ReportJob
from core.actors import SYSTEM


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
