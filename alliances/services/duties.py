"""The responsibility list: creating duties (from decisions), progress and verification.

Duties are created by city admins. Progress is reported by whoever may write the duty's
owner (the owner village's clerk, a city admin): each report appends a `DutyUpdate` and
copies its status onto the duty in the same transaction; nothing is overwritten. A done
duty is verified by a city admin who did not report it done (four eyes).
"""

from __future__ import annotations

from datetime import date, datetime
from pathlib import PurePath

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from alliances.choices import DecisionResult, DutyStatus
from alliances.exceptions import DutyError, FrozenError, NotAllowed
from alliances.models import Alliance, Decision, Duty, DutyEvidence, DutyUpdate, Membership
from core.actors import as_user, is_system, require_actor
from core.scope import may_write
from registry.models import Organisation, Village

__all__ = [
    "EVIDENCE_EXTENSIONS",
    "EVIDENCE_MAX_BYTES",
    "add_duty_update",
    "add_evidence",
    "create_duties_from_decision",
    "create_duty",
    "verify_duty",
]

EVIDENCE_MAX_BYTES = 20 * 1024 * 1024
EVIDENCE_EXTENSIONS = frozenset(
    {".pdf", ".jpg", ".jpeg", ".png", ".webp", ".doc", ".docx", ".xls", ".xlsx", ".txt"}
)
REPORTABLE = (DutyStatus.IN_PROGRESS, DutyStatus.DONE)


def _may_manage(actor) -> bool:
    # Creating and verifying duties is the alliance's business: unscoped city admins.
    return may_write(actor, Decision)


def _may_report(actor, duty: Duty) -> bool:
    return may_write(actor, Duty, village=duty.owner_village, organisation=duty.owner_organisation)


def _owner_fields(owner) -> dict:
    if isinstance(owner, Village):
        return {"owner_village": owner, "owner_organisation": None}
    if isinstance(owner, Organisation):
        return {"owner_village": None, "owner_organisation": owner}
    raise DutyError(_("A duty is owned by a village or an organisation."))


@transaction.atomic
def create_duty(
    alliance: Alliance,
    title: str,
    owner,
    due_on: date,
    *,
    actor,
    decision: Decision | None = None,
    description: str = "",
    owner_user=None,
    owner_name: str = "",
    is_illustrative: bool = False,
) -> Duty:
    """Add a duty to the alliance's responsibility list.

    Raises:
        NotAllowed: no actor, or not a city admin.
        DutyError: no title or due day; an owner village that is not a member of the
            alliance; a decision of another alliance, not closed, or not passed.
    """
    actor = require_actor(actor)
    if not _may_manage(actor):
        raise NotAllowed(_("You may not add duties to the responsibility list."))
    if not title.strip():
        raise DutyError(_("Enter the duty's title."))
    if due_on is None:
        raise DutyError(_("Enter the day the duty is due."))
    fields = _owner_fields(owner)
    if decision is not None:
        if decision.meeting.alliance_id != alliance.pk:
            raise DutyError(_("The decision was taken by another alliance."))
        if decision.result != DecisionResult.PASSED:
            raise DutyError(_("Only a decision that was passed creates duties."))
    if isinstance(owner, Village):
        day = decision.meeting.day if decision is not None else due_on
        if not Membership.objects.filter(alliance=alliance, village=owner).members_on(day).exists():
            raise DutyError(
                _("“%(village)s” is not a member of the alliance.") % {"village": owner}
            )
    return Duty.objects.create(
        alliance=alliance,
        decision=decision,
        title=title.strip(),
        description=description,
        due_on=due_on,
        owner_user=owner_user,
        owner_name=owner_name,
        is_illustrative=is_illustrative,
        **fields,
    )


@transaction.atomic
def create_duties_from_decision(decision: Decision, duties: list[dict], *, actor) -> list[Duty]:
    """Turn a passed decision into owned duties, all or nothing.

    Each item: {"title", "owner" (Village or Organisation), "due_on", optional
    "description", "owner_user", "owner_name", "is_illustrative"}.
    """
    actor = require_actor(actor)
    if not duties:
        raise DutyError(_("Name at least one duty."))
    alliance = decision.meeting.alliance
    return [create_duty(alliance, actor=actor, decision=decision, **item) for item in duties]


@transaction.atomic
def add_duty_update(
    duty: Duty,
    status: str,
    percent: int | None = None,
    note: str = "",
    *,
    actor,
    on: date | None = None,
    is_illustrative: bool = False,
    recorded_at: datetime | None = None,
) -> DutyUpdate:
    """Report progress: append an update and make it the duty's current state.

    `recorded_at` (now if None) is for recording past progress (the demo).

    Raises:
        NotAllowed: no actor, or one who may not write this duty's owner (e.g. another
            village's clerk).
        FrozenError: the duty is verified.
        DutyError: an unknown status or "verified" (use `verify_duty`), a percentage out of
            0-100 (done is 100), a day in the future or before the latest update's.
    """
    actor = require_actor(actor)
    if not _may_report(actor, duty):
        raise NotAllowed(_("You may report progress only on your own village's duties."))
    if status == DutyStatus.VERIFIED:
        raise DutyError(_("A duty is verified by a city administrator, not by a progress report."))
    if status not in REPORTABLE:
        raise DutyError(_("Unknown status."))
    if percent is None:
        percent = 100 if status == DutyStatus.DONE else 0
    if not 0 <= percent <= 100:
        raise DutyError(_("Progress is a percentage from 0 to 100."))
    if status == DutyStatus.DONE and percent != 100:
        raise DutyError(_("A done duty is at 100%."))
    locked = Duty.objects.select_for_update().get(pk=duty.pk)
    if locked.status == DutyStatus.VERIFIED:
        raise FrozenError(_("This duty was verified: its progress is closed."))
    on = on or timezone.localdate()
    if on > timezone.localdate():
        raise DutyError(_("Progress cannot be reported for a day in the future."))
    latest = locked.updates.order_by("-pk").first()
    if latest is not None and on < latest.on:
        raise DutyError(
            _("The latest update is of %(day)s; a new one cannot be earlier.") % {"day": latest.on}
        )
    update = DutyUpdate.objects.create(
        duty=locked,
        on=on,
        status=status,
        percent=percent,
        note=note,
        author=as_user(actor),
        recorded_at=recorded_at or timezone.now(),
        is_illustrative=is_illustrative,
    )
    locked.status, locked.percent = status, percent
    locked.done_on = on if status == DutyStatus.DONE else None
    locked.save()
    duty.refresh_from_db()
    return update


@transaction.atomic
def verify_duty(
    duty: Duty,
    note: str = "",
    *,
    actor,
    on: date | None = None,
    is_illustrative: bool = False,
    recorded_at: datetime | None = None,
) -> DutyUpdate:
    """A city admin confirms a done duty (not the person who reported it done).

    `recorded_at` (now if None) is for recording past checks (the demo).

    Raises:
        NotAllowed: no actor, not a city admin, the system (a verification names the person
            who checked: four eyes), or the same person who reported it done.
        DutyError: the duty is not done (or already verified).
    """
    actor = require_actor(actor)
    if is_system(actor) or not _may_manage(actor):
        raise NotAllowed(_("Only a city administrator verifies duties."))
    locked = Duty.objects.select_for_update().get(pk=duty.pk)
    if locked.status != DutyStatus.DONE:
        raise DutyError(_("Only a done duty can be verified."))
    done = locked.updates.order_by("-pk").first()
    if done is not None and done.author_id == actor.pk:
        raise NotAllowed(_("A duty is verified by someone other than the person who did it."))
    on = on or timezone.localdate()
    if on > timezone.localdate():
        raise DutyError(_("A duty cannot be verified on a day in the future."))
    if done is not None and on < done.on:
        raise DutyError(_("A duty cannot be verified before it was done."))
    update = DutyUpdate.objects.create(
        duty=locked,
        on=on,
        status=DutyStatus.VERIFIED,
        percent=100,
        note=note,
        author=actor,
        recorded_at=recorded_at or timezone.now(),
        is_illustrative=is_illustrative,
    )
    locked.status, locked.percent = DutyStatus.VERIFIED, 100
    locked.verified_by, locked.verified_on = actor, on
    locked.save()
    duty.refresh_from_db()
    return update


@transaction.atomic
def add_evidence(duty: Duty, file, title: str = "", *, actor) -> DutyEvidence:
    """Attach a file to a duty (kept, never replaced).

    Raises:
        NotAllowed: no actor, or one who may not write this duty's owner.
        FrozenError: the duty is verified.
        DutyError: no file, an unaccepted file type, or a file over the size limit.
    """
    actor = require_actor(actor)
    if not _may_report(actor, duty):
        raise NotAllowed(_("You may add evidence only to your own village's duties."))
    if file is None:
        raise DutyError(_("Choose a file."))
    suffix = PurePath(file.name).suffix.lower()
    if suffix not in EVIDENCE_EXTENSIONS:
        raise DutyError(
            _("Files of type “%(suffix)s” are not accepted; use one of: %(types)s.")
            % {"suffix": suffix or "?", "types": ", ".join(sorted(EVIDENCE_EXTENSIONS))}
        )
    if file.size > EVIDENCE_MAX_BYTES:
        raise DutyError(
            _("The file is larger than %(mb)s MB.") % {"mb": EVIDENCE_MAX_BYTES // (1024 * 1024)}
        )
    locked = Duty.objects.select_for_update().get(pk=duty.pk)
    if locked.status == DutyStatus.VERIFIED:
        raise FrozenError(_("This duty was verified: its evidence is closed."))
    return DutyEvidence.objects.create(
        duty=locked, file=file, title=title, uploaded_by=as_user(actor)
    )
