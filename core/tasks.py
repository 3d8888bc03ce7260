"""Worker tasks of the ground floor: the sweep of jobs whose worker died (run by beat)."""

from __future__ import annotations

from datetime import timedelta

from celery import shared_task

from core import jobs


@shared_task(name="core.sweep_stale_jobs")
def sweep_stale_jobs(older_than_minutes: float | None = None) -> int:
    """Mark failed the running jobs with no heartbeat for JOB_STALE_MINUTES (or the minutes
    given); returns how many."""
    older_than = None if older_than_minutes is None else timedelta(minutes=older_than_minutes)
    return jobs.sweep_stale_jobs(older_than)
