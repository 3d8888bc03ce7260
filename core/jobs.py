"""Background jobs: the row that keeps a job's state, its heartbeat, the sweep, and sending.

A job row (registry's ImportJob, and the new apps' import jobs as they come) is a model
listed in `settings.BACKGROUND_JOB_MODELS` with these fields:

    status        "queued", "running", "succeeded" or "failed" (as registry.ImportStatus)
    created_at    when the job was created
    heartbeat_at  null, or when the process running it last said it was alive
    finished_at   null, or when it ended
    summary       a JSON object ({"error_count": n, …})
    errors        a JSON list of {"row", "column", "value", "message"}

The job says it is alive with every progress report: `beat(Model, pk, rows_done=…)` writes
`heartbeat_at` in the same UPDATE as the progress (the imports report per chunk of rows, so
no extra thread or query is needed). When the process dies (a worker killed, a server
restarted) or the job stops making progress, the beats stop, and `sweep_stale_jobs` — run by beat
every JOB_SWEEP_MINUTES — marks every job still "running" whose heartbeat (or, with none,
creation) is older than JOB_STALE_MINUTES as failed, with a message saying so; the user
can then start it again. A queued job is never swept: with no worker running, an import
stays queued until one starts.

`enqueue` sends a task to the broker, failing fast with `core.errors.Unavailable` when the
broker does not answer, so that a web request can say so and keep nothing half done.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from django.apps import apps
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from core.errors import Unavailable

__all__ = [
    "FAILED",
    "JOB_FIELDS",
    "MSG_QUEUE_UNAVAILABLE",
    "MSG_WORKER_STOPPED",
    "RUNNING",
    "beat",
    "enqueue",
    "job_models",
    "sweep_stale_jobs",
]

logger = logging.getLogger(__name__)

RUNNING = "running"
FAILED = "failed"
JOB_FIELDS = ("status", "created_at", "heartbeat_at", "finished_at", "summary", "errors")

MSG_WORKER_STOPPED = _("The worker stopped while running this job; try again.")
MSG_QUEUE_UNAVAILABLE = _(
    "The task queue is not available, so nothing was started; try again in a few minutes."
)


def job_models() -> list:
    """The models named in settings.BACKGROUND_JOB_MODELS, checked for the job fields."""
    models = []
    for label in settings.BACKGROUND_JOB_MODELS:
        model = apps.get_model(label)
        names = {f.name for f in model._meta.get_fields()}
        if missing := [f for f in JOB_FIELDS if f not in names]:
            raise ImproperlyConfigured(f"{label} is not a job model: it lacks {missing}")
        models.append(model)
    return models


def sweep_stale_jobs(older_than: timedelta | None = None) -> int:
    """Mark failed every running job whose heartbeat is older than `older_than` (default
    JOB_STALE_MINUTES); returns how many. The update re-checks the condition row by row, so a
    job that beat meanwhile is left alone."""
    if older_than is None:
        older_than = timedelta(minutes=settings.JOB_STALE_MINUTES)
    now = timezone.now()
    cutoff = now - older_than
    stale = Q(status=RUNNING) & (
        Q(heartbeat_at__lt=cutoff) | Q(heartbeat_at__isnull=True, created_at__lt=cutoff)
    )
    # Stored as text in the site's language, as the import stores its own messages.
    with translation.override(settings.LANGUAGE_CODE):
        message = str(MSG_WORKER_STOPPED)
    swept = 0
    for model in job_models():
        pks = list(model._default_manager.filter(stale).values_list("pk", flat=True))
        if not pks:
            continue
        count = model._default_manager.filter(stale, pk__in=pks).update(
            status=FAILED,
            summary={"error_count": 1},
            errors=[{"row": None, "column": "", "value": "", "message": message}],
            finished_at=now,
        )
        if count:
            logger.warning(
                "marked %d stale %s failed (no heartbeat since %s): %s",
                count,
                model._meta.label,
                cutoff.isoformat(),
                pks,
            )
        swept += count
    return swept


def beat(model, pk, **fields) -> int:
    """Record that job `pk` of `model` is alive now, with any progress `fields` (rows_done,
    phase, status, …), in one UPDATE; returns the number of rows updated."""
    return model._default_manager.filter(pk=pk).update(heartbeat_at=timezone.now(), **fields)


def enqueue(task, *args, **kwargs):
    """`task.apply_async(args, kwargs)` with no waiting on a broker that is down: raises
    `Unavailable` (503, MSG_QUEUE_UNAVAILABLE) when the message cannot be sent."""
    from kombu.exceptions import OperationalError

    try:
        return task.apply_async(
            args,
            kwargs,
            retry=True,
            retry_policy={"max_retries": 1, "interval_start": 0, "interval_step": 0.5},
        )
    except (OperationalError, OSError) as exc:
        logger.error("could not send %s to the broker: %s", task.name, exc)
        raise Unavailable(MSG_QUEUE_UNAVAILABLE) from exc
