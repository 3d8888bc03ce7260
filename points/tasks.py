"""Worker tasks of points: the meeting sheet of a web import job (the job rows are
registry's: registry.services.jobs)."""

from __future__ import annotations

from celery import shared_task

from points import services
from points.models import Scheme
from registry.models import ImportJob
from registry.services import jobs

IMPORT_TASK = "points.import_entries"
SETTLE_TASK = "points.settle"


@shared_task(name=SETTLE_TASK)
def settle() -> int:
    """Mark effective every published entry whose notice period has ended (beat, nightly)."""
    from audit.context import change_context
    from core.actors import SYSTEM

    with change_context(user=SYSTEM, source="system", path=SETTLE_TASK):
        return services.settle(actor=SYSTEM)


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
