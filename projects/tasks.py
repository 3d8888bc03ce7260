"""Worker tasks of projects: the progress and cooperation-list imports of web jobs (the job
rows and their plumbing are registry's: registry.services.jobs)."""

from __future__ import annotations

from celery import shared_task

from projects import services
from registry.models import ImportJob
from registry.services import jobs

PROGRESS_TASK = "projects.import_progress"
COOPERATION_TASK = "projects.import_cooperation"


def _run(job_pk: int, importer) -> None:
    job = ImportJob.objects.select_related("created_by").filter(pk=job_pk).first()
    if job is None:  # removed meanwhile (its message could not be sent, say)
        return

    def run(data, *, actor, filename, dry_run, progress, limits):
        progress(0, 0, "reading")
        return importer(data, actor=actor, filename=filename, limits=limits)

    jobs.run_import_job(job_pk, actor=job.created_by, importer=run)


@shared_task(name=PROGRESS_TASK)
def import_progress(job_pk: int) -> None:
    """Run progress import job `job_pk` as the user who started it."""
    _run(job_pk, services.import_progress)


@shared_task(name=COOPERATION_TASK)
def import_cooperation(job_pk: int) -> None:
    """Run cooperation-list import job `job_pk` as the user who started it."""
    _run(job_pk, services.import_cooperation)
