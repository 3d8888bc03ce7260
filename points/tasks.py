"""Worker tasks of points: the meeting sheet of a web import job (the job rows are
registry's: registry.services.jobs)."""

from __future__ import annotations

from celery import shared_task

from points import services
from points.models import Scheme
from registry.models import ImportJob
from registry.services import jobs

IMPORT_TASK = "points.import_entries"


@shared_task(name=IMPORT_TASK)
def import_entries(job_pk: int) -> None:
    """Run points import job `job_pk` (its scheme in the job's params) as its user."""
    job = ImportJob.objects.select_related("created_by").filter(pk=job_pk).first()
    if job is None:
        return
    scheme = Scheme.objects.select_related("village", "grid").get(
        pk=job.context["params"]["scheme"]
    )

    def run(data, *, actor, filename, dry_run, progress, limits):
        return services.import_entries(
            data,
            actor=actor,
            scheme=scheme,
            filename=filename,
            dry_run=dry_run,
            progress=progress,
            limits=limits,
        )

    jobs.run_import_job(job_pk, actor=job.created_by, importer=run)
