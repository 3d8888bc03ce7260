"""Public notices (公示): publishing a posted run freezes its payees and amounts.

A notice's content is `ventures.selectors.notice_payload`; reversing a run
(`ventures.services.runs.reverse_run`) publishes a reversal notice the same way.
"""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.actors import as_user, require_actor
from ventures.choices import NoticeKind, RunStatus
from ventures.exceptions import RunStateError
from ventures.models import DistributionRun, PublicNotice
from ventures.selectors import PUBLISH_ROLES, notice_payload
from ventures.services._base import _lock_run, _require

__all__ = ["publish_run"]


def _notice(run: DistributionRun, kind: str, *, reason: str = "") -> PublicNotice:
    payload = notice_payload(run, kind, reason=reason)
    start, end = run.period_start.isoformat(), run.period_end.isoformat()
    return PublicNotice.objects.create(
        run=run,
        kind=kind,
        title=f"{run.venture.name} · {start} – {end}",
        payload=payload,
        content_hash=PublicNotice.hash_of(payload),
        published_at=timezone.now(),
    )


def publish_run(run: DistributionRun, *, actor) -> PublicNotice:
    """Publish a posted run (公示): freeze its payees and amounts in a public notice.

    Raises:
      RunStateError: the run is not posted, is published already, or is reversed.
      NotAllowed: the actor may not publish for this venture.
    """
    actor = require_actor(actor)
    with transaction.atomic():
        run = _lock_run(run)
        _require(actor, run.venture, PUBLISH_ROLES, _("publish distributions"))
        if run.status != RunStatus.POSTED:
            raise RunStateError(
                _("Run {pk} is {status}; only a posted run can be published.").format(
                    pk=run.pk, status=run.get_status_display().lower()
                )
            )
        notice = _notice(run, NoticeKind.DISTRIBUTION)
        run.status = RunStatus.PUBLISHED
        run.published_by = as_user(actor)
        run.published_at = notice.published_at
        run.save()
        return notice
