"""Worker tasks of grids: the household file of a web import job (the job rows and their
plumbing are registry's: registry.services.jobs)."""

from __future__ import annotations

from celery import shared_task

from grids import services
from registry.models import ImportJob, Village
from registry.services import jobs

HOUSEHOLD_TASK = "grids.import_households"


@shared_task(name=HOUSEHOLD_TASK)
def import_households(job_pk: int) -> None:
    """Run household import job `job_pk` as the user who started it: the household file of
    the village in the job's params or, without one, a file whose rows name their villages."""
    job = ImportJob.objects.select_related("created_by").filter(pk=job_pk).first()
    if job is None:  # removed meanwhile (its message could not be sent, say)
        return
    code = job.context["params"].get("village")
    village = Village.objects.get(pk=code) if code else None

    def run(data, *, actor, filename, dry_run, progress, limits):
        return services.import_households(
            data,
            actor=actor,
            village=village,
            filename=filename,
            dry_run=dry_run,
            progress=progress,
            limits=limits,
        )

    jobs.run_import_job(job_pk, actor=job.created_by, importer=run)
