"""Public notices (公示): publishing a posted run freezes its payees and amounts.

A notice's content is `ventures.selectors.notice_payload`; reversing a run
(`ventures.services.runs.reverse_run`) publishes a reversal notice the same way.
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.actors import as_user, require_actor
from ventures.choices import NoticeKind, RunStatus
from ventures.exceptions import RunStateError, VentureError
from ventures.models import DistributionRun, PublicNotice
from ventures.public import bump_notices_version
from ventures.selectors import PUBLISH_ROLES, notice_payload
from ventures.services._base import _lock_run, _require

__all__ = ["NOTICE_DAYS", "publish_run"]

#: The 公示期 when none is given: seven days, the first and the last included.
NOTICE_DAYS = 7
MAX_NOTICE_DAYS = 366


def _period(starts_on, ends_on) -> tuple[dt.date, dt.date]:
    start = starts_on or timezone.localdate()
    end = ends_on or start + dt.timedelta(days=NOTICE_DAYS - 1)
    if end < start:
        raise VentureError(_("The notice period ends before it starts."))
    if (end - start).days >= MAX_NOTICE_DAYS:
        raise VentureError(_("A notice period is at most a year."))
    return start, end


def _notice(
    run: DistributionRun,
    kind: str,
    *,
    reason: str = "",
    starts_on: dt.date | None = None,
    ends_on: dt.date | None = None,
    issuer: str = "",
    contact: str = "",
) -> PublicNotice:
    """Create the notice: its payees and amounts, the 公示期, the issuing body and the
    contact for objections, all covered by the content hash."""
    start, end = _period(starts_on, ends_on)
    issuer = (issuer or "").strip() or run.venture.organisation.name
    contact = (contact or "").strip() or run.venture.notice_contact.strip()
    if not contact and kind == NoticeKind.REVERSAL:
        # A reversal is answered by whoever answered the distribution it reverses.
        contact = (
            run.notices.filter(kind=NoticeKind.DISTRIBUTION)
            .values_list("contact", flat=True)
            .first()
            or ""
        )
    if not contact and kind == NoticeKind.DISTRIBUTION:
        raise VentureError(
            _("Name a contact for objections (an office and its telephone) for this notice.")
        )
    payload = notice_payload(run, kind, reason=reason)
    payload["notice_period"] = {"from": start.isoformat(), "to": end.isoformat()}
    payload["issuer"] = issuer
    payload["contact"] = contact
    first, last = run.period_start.isoformat(), run.period_end.isoformat()
    bump_notices_version()
    return PublicNotice.objects.create(
        run=run,
        kind=kind,
        title=f"{run.venture.name} · {first} – {last}",
        payload=payload,
        content_hash=PublicNotice.hash_of(payload),
        published_at=timezone.now(),
        objection_from=start,
        objection_to=end,
        issuer=issuer,
        contact=contact or None,
    )


def publish_run(
    run: DistributionRun,
    *,
    actor,
    starts_on: dt.date | None = None,
    ends_on: dt.date | None = None,
    issuer: str = "",
    contact: str = "",
) -> PublicNotice:
    """Publish a posted run (公示): freeze its payees and amounts in a public notice.

    The 公示期 runs from `starts_on` (today) to `ends_on` (NOTICE_DAYS days, both included);
    the issuing body is `issuer` (the venture's operating organisation), the contact for
    objections `contact` (the venture's `notice_contact`).

    Raises:
      RunStateError: the run is not posted, is published already, or is reversed.
      VentureError: no contact for objections, or a period that ends before it starts.
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
        notice = _notice(
            run,
            NoticeKind.DISTRIBUTION,
            starts_on=starts_on,
            ends_on=ends_on,
            issuer=issuer,
            contact=contact,
        )
        run.status = RunStatus.PUBLISHED
        run.published_by = as_user(actor)
        run.published_at = notice.published_at
        run.save()
        return notice
