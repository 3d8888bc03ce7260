"""Tasks of analytics for the Celery worker (`baotuan.celery`)."""

from __future__ import annotations

import logging

from celery import shared_task
from django.contrib.auth import get_user_model
from django.utils import timezone

from audit.context import change_context
from registry.choices import ImportStatus

logger = logging.getLogger(__name__)


@shared_task(name="analytics.optimise")
def optimise(run_pk: int, user_pk: int) -> None:
    """Solve a large optimiser run from the screen as the user who started it (a worker
    that dies leaves it running: the sweep fails it when its heartbeat stops)."""
    from analytics.models import OptimiserRun
    from analytics.services import run_optimiser

    user = get_user_model().objects.get(pk=user_pk)
    try:
        with change_context(user=user, source="system"):
            run_optimiser(run_pk, actor=user)
    except Exception:
        logger.exception("optimiser run %s failed", run_pk)
        OptimiserRun.objects.filter(pk=run_pk).update(
            status=ImportStatus.FAILED,
            summary={"error_count": 1},
            errors=[{"row": None, "column": "", "value": "", "message": "internal error"}],
            finished_at=timezone.now(),
        )
        raise
