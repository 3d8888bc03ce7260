"""Worker tasks of tourism: the monthly figures file of a web import job (the job rows and
their plumbing are registry's: registry.services.jobs)."""

from __future__ import annotations

from celery import shared_task

from registry.models import ImportJob
from registry.services import jobs
from tourism import services

FIGURES_TASK = "tourism.import_figures"


@shared_task(name=FIGURES_TASK)
def import_figures(job_pk: int) -> None:
    """Run monthly figures import job `job_pk` as the user who started it."""
    job = ImportJob.objects.select_related("created_by").filter(pk=job_pk).first()
    if job is None:  # removed meanwhile (its message could not be sent, say)
        return
    jobs.run_import_job(job_pk, actor=job.created_by, importer=services.import_figures)
