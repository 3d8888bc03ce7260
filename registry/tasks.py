"""Worker tasks of registry: the statistics import of a web job (registry.services.jobs)."""

from __future__ import annotations

from celery import shared_task

from core.actors import SYSTEM
from registry.models import ImportJob
from registry.services import jobs, stats_io


def _import(data, *, actor, filename, dry_run, progress, limits):
    return stats_io.import_stats(
        data, actor=actor, filename=filename, dry_run=dry_run, progress=progress, limits=limits
    )


@shared_task(name=stats_io.TASK)
def import_stats(job_pk: int) -> None:
    """Run statistics import job `job_pk` as the user who started it."""
    job = ImportJob.objects.select_related("created_by").filter(pk=job_pk).first()
    if job is None:  # removed meanwhile (its message could not be sent, say)
        return
    jobs.run_import_job(job_pk, actor=job.created_by, importer=_import)


@shared_task(name="registry.purge_import_files")
def purge_import_files() -> int:
    """Remove the files old import jobs still keep (beat, daily)."""
    return jobs.purge_kept_files(actor=SYSTEM)
