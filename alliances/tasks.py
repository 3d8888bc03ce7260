"""Worker tasks of alliances: the daily reminder of duties due or overdue (run by beat)."""

from __future__ import annotations

import io
import json
import logging

from celery import shared_task
from django.core.management import call_command

from audit.context import change_context
from core.actors import SYSTEM

logger = logging.getLogger(__name__)


@shared_task(name="alliances.remind")
def remind(days: int = 7) -> dict:
    """`baotuan remind --days N`, as the system, with its report in the worker's log (one
    structured line: owners and duties) instead of cron's mail. Returns the report."""
    out = io.StringIO()
    with change_context(user=SYSTEM, source="system"):
        call_command("remind", days=days, format="json", stdout=out)
    report = json.loads(out.getvalue())
    duties = sum(len(owner["duties"]) for owner in report["owners"])
    logger.info(
        "remind: %d duties due within %d days or overdue, %d owners",
        duties,
        days,
        len(report["owners"]),
        extra={"remind": report},
    )
    return report
