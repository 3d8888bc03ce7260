"""Web import jobs: an uploaded file kept through Django's storage on an ImportJob row, run
by a worker (the Celery task the row names), its progress and outcome on the row; refused
when too many imports wait or run; started again after a worker died.

The web process never runs an import (unless settings.IMPORT_RUN_INLINE, for tests): with
no worker running, a job stays queued. The job is committed before its message is sent, so
a worker never looks for a row that is not there yet; when the broker does not answer, the
row and its file are removed again and the page says the queue is unavailable (503):
nothing is half kept.

Running a job claims it first (queued → running, one UPDATE that counts the attempt), so a
message delivered twice runs it once; its progress reports are its heartbeat
(`core.jobs`). A job whose worker died is failed by the sweep with its file kept, and
`retry_import_job` queues it again: the import itself is all or nothing, so the retry
starts from a database without any of the first attempt, and a second run of the same file
changes nothing.
"""

from __future__ import annotations

import logging
import os
import uuid
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from celery import current_app
from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import F
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from audit.context import change_context, current
from core.actors import is_system, require_actor
from core.errors import Conflict, NotAllowed, Unavailable
from core.imports import ImportResult, upload_limits
from core.jobs import enqueue
from registry.choices import ImportStatus
from registry.models import ImportJob

__all__ = [
    "MSG_INTERNAL",
    "MSG_TOO_MANY_ALL",
    "MSG_TOO_MANY_MINE",
    "Importer",
    "purge_kept_files",
    "retry_import_job",
    "run_import_job",
    "start_import_job",
]

logger = logging.getLogger(__name__)

MAX_STORED_ERRORS = 1000
ACTIVE = (ImportStatus.QUEUED, ImportStatus.RUNNING)

MSG_INTERNAL = _("The import failed unexpectedly; nothing was imported.")
MSG_TOO_MANY_MINE = _(
    "You already have {count} imports waiting or running; start another when one has finished."
)
MSG_TOO_MANY_ALL = _(
    "{count} imports are waiting or running on the server already; try again in a few minutes."
)
MSG_NOT_RETRYABLE = _("Only an import that stopped without a result can be started again.")
MSG_NOT_YOURS = _("Only the user who started an import can start it again.")

Importer = Callable[..., ImportResult]
"""importer(data, *, actor, filename, dry_run, progress, limits) → ImportResult."""


def _context() -> dict[str, Any]:
    """The request's language and change context, kept on the job for the worker."""
    context = current()
    return {
        "language": translation.get_language(),
        "request_id": str(context.request_id) if context.request_id else None,
        "path": context.path or "",
        "ip": context.ip,
    }


def _check_capacity(actor) -> None:
    """Refuse a new job when the user, or everyone together, has as many imports waiting or
    running as the settings allow. Runs in the caller's transaction; the user's row is
    locked first, so that two uploads of one user at once are counted one after the other
    (SQLite's write lock serialises them anyway)."""
    list(get_user_model().objects.select_for_update().filter(pk=actor.pk).values_list("pk"))
    active = ImportJob.objects.filter(status__in=ACTIVE)
    mine = active.filter(created_by=actor).count()
    if mine >= settings.IMPORT_MAX_JOBS_PER_USER:
        raise Conflict(str(MSG_TOO_MANY_MINE).format(count=mine))
    everyone = active.count()
    if everyone >= settings.IMPORT_MAX_JOBS:
        raise Unavailable(str(MSG_TOO_MANY_ALL).format(count=everyone))


def start_import_job(
    upload, *, actor, task: str, dry_run: bool = False, page: str = "", params: dict | None = None
) -> ImportJob:
    """Keep an uploaded file on a new ImportJob and queue `task` (a Celery task name) to
    run it as `actor`; `params` (JSON) are kept for the task (the village of a household
    file, say). Raises Conflict/Unavailable (nothing kept) when too many imports wait
    or run, Unavailable when the queue does not answer. A job belongs to a signed-in user:
    SYSTEM imports with the import functions themselves."""
    actor = require_actor(actor)
    if is_system(actor):
        raise TypeError("an import job is started by a signed-in user; SYSTEM imports directly")
    suffix = os.path.splitext(upload.name)[1].lower()[:10]
    with transaction.atomic():
        _check_capacity(actor)
        job = ImportJob(
            created_by=actor,
            file_name=upload.name[:255],
            file_size=upload.size,
            dry_run=dry_run,
            task=task,
            page=page,
            context={**_context(), "params": params or {}},
        )
        # A name of our own (the user's may hold anything); the original is file_name.
        job.upload.save(f"{uuid.uuid4().hex}{suffix}", upload, save=False)
        try:
            job.save()
        except BaseException:
            job.upload.delete(save=False)
            raise
    try:
        _send(job)
    except Unavailable:
        job.upload.delete(save=False)
        job.delete()
        raise
    job.refresh_from_db()
    return job


def _task(name: str):
    """The Celery task `name`; the apps' tasks modules are imported on first use (a worker
    imports them when it starts; a web process only when it first sends one)."""
    if name not in current_app.tasks:
        current_app.loader.import_default_modules()
    return current_app.tasks[name]


def _send(job: ImportJob) -> None:
    task = _task(job.task)
    if settings.IMPORT_RUN_INLINE:
        task.run(job.pk)
    else:
        enqueue(task, job.pk)


def retry_import_job(job: ImportJob, *, actor) -> ImportJob:
    """Queue again a job that failed without a result (its worker died): same file, same
    user. Raises NotAllowed for another user, Conflict when it is not retryable (or too
    many imports wait), Unavailable when the queue does not answer (the job stays as it
    was)."""
    actor = require_actor(actor)
    if job.created_by_id != getattr(actor, "pk", None):
        raise NotAllowed(MSG_NOT_YOURS)
    if not job.retryable:
        raise Conflict(MSG_NOT_RETRYABLE)
    before = {
        "summary": job.summary,
        "errors": job.errors,
        "finished_at": job.finished_at,
        "phase": job.phase,
        "context": job.context,
    }
    with transaction.atomic():
        _check_capacity(actor)
        queued = ImportJob.objects.filter(pk=job.pk, status=ImportStatus.FAILED).update(
            status=ImportStatus.QUEUED,
            summary={},
            errors=[],
            phase="",
            rows_done=0,
            rows_total=0,
            finished_at=None,
            heartbeat_at=None,
            context={**_context(), "params": (job.context or {}).get("params", {})},
        )
    if not queued:
        raise Conflict(MSG_NOT_RETRYABLE)
    try:
        _send(job)
    except Unavailable:
        ImportJob.objects.filter(pk=job.pk, status=ImportStatus.QUEUED).update(
            status=ImportStatus.FAILED, **before
        )
        raise
    job.refresh_from_db()
    return job


def run_import_job(job_pk: int, *, actor, importer: Importer) -> None:
    """Run a queued job (in a worker): claim it, import its file with `importer` as
    `actor` (its `created_by`) in the language and change context of the request that
    started it, record progress and the outcome. Its file is removed once there is a result;
    after an unexpected error it is kept (the job may be started again)."""
    actor = require_actor(actor)
    claimed = ImportJob.objects.filter(pk=job_pk, status=ImportStatus.QUEUED).update(
        status=ImportStatus.RUNNING,
        attempts=F("attempts") + 1,
        heartbeat_at=timezone.now(),
        phase="",
        rows_done=0,
    )
    if not claimed:  # delivered twice, or failed meanwhile: nothing to do
        logger.warning("import job %s is not queued; not run", job_pk)
        return
    job = ImportJob.objects.get(pk=job_pk)
    # This attempt's writes only: a retry of a job swept by mistake must not be overwritten
    # by the first attempt finishing late.
    mine = ImportJob.objects.filter(pk=job_pk, attempts=job.attempts)
    context = job.context or {}
    language = context.get("language") or settings.LANGUAGE_CODE

    def progress(done: int, total: int, phase: str) -> None:
        mine.update(heartbeat_at=timezone.now(), rows_done=done, rows_total=total, phase=phase)

    try:
        with (
            translation.override(language),
            change_context(
                user=actor,
                source="web",
                request_id=context.get("request_id") or uuid.uuid4(),
                path=context.get("path") or "",
                ip=context.get("ip"),
            ),
        ):
            with job.upload.open("rb") as stream:
                data = stream.read()
            result = importer(
                data,
                actor=actor,
                filename=job.file_name,
                dry_run=job.dry_run,
                progress=progress,
                limits=upload_limits(),
            )
    except Exception:
        logger.exception("import job %s failed", job_pk)
        with translation.override(language):
            message = str(MSG_INTERNAL)
        mine.update(
            status=ImportStatus.FAILED,
            summary={"error_count": 1},
            errors=[{"row": None, "column": "", "value": "", "message": message}],
            finished_at=timezone.now(),
        )
        return
    updated = mine.update(
        status=ImportStatus.SUCCEEDED if result.ok else ImportStatus.FAILED,
        summary=result.summary(),
        errors=[
            {"row": e.row, "column": e.column, "value": _json_value(e.value), "message": e.message}
            for e in result.errors[:MAX_STORED_ERRORS]
        ],
        finished_at=timezone.now(),
        upload="",
    )
    if updated:
        job.upload.delete(save=False)


def _json_value(value: Any) -> Any:
    if value is None or isinstance(value, str | int | float | bool):
        return value
    return str(value)


def purge_kept_files(*, actor, older_than: timedelta | None = None) -> int:
    """Remove the files still kept by jobs that ended (failed without a result) or never ran
    longer than `older_than` ago (default JOB_FILES_KEEP_DAYS): they are no longer started
    again. Returns how many files were removed. Run daily by beat."""
    require_actor(actor)
    if older_than is None:
        older_than = timedelta(days=settings.JOB_FILES_KEEP_DAYS)
    cutoff = timezone.now() - older_than
    old = (
        ImportJob.objects.exclude(upload="")
        .filter(created_at__lt=cutoff)
        .exclude(status=ImportStatus.RUNNING)
    )
    removed = 0
    for job in old.only("pk", "upload"):
        job.upload.delete(save=False)
        removed += ImportJob.objects.filter(pk=job.pk).update(upload="")
    if removed:
        logger.info("removed the kept files of %d old import jobs", removed)
    return removed
