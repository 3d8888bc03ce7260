"""Joining and leaving alliances and consortia.

Each function owns its transaction and locks the group row first, so two concurrent joins
of one member cannot both pass the overlap check. The change log is written by the
ChangeLoggedModel signals.
"""

from __future__ import annotations

from datetime import date

from django.db import transaction
from django.utils.translation import gettext as _

from alliances.choices import MembershipRole
from alliances.exceptions import MembershipError, NotAllowed
from alliances.models import Alliance, Consortium, Membership
from core.actors import require_actor
from core.scope import may_write
from registry.models import Organisation, Village

__all__ = ["MembershipError", "NotAllowed", "join", "leave"]


def _group_fields(group) -> dict:
    if isinstance(group, Alliance):
        return {"alliance": group}
    if isinstance(group, Consortium):
        return {"consortium": group}
    raise TypeError(f"not an alliance or consortium: {group!r}")


def _member_fields(member) -> dict:
    if isinstance(member, Village):
        return {"village": member}
    if isinstance(member, Organisation):
        return {"organisation": member}
    raise TypeError(f"not a village or organisation: {member!r}")


def _check_actor(actor) -> None:
    if not may_write(actor, Membership):
        raise NotAllowed(_("You may not change memberships."))


@transaction.atomic
def join(
    group: Alliance | Consortium,
    member: Village | Organisation,
    role: str = MembershipRole.MEMBER,
    joined_on: date | None = None,
    *,
    actor,
    is_illustrative: bool = False,
    note: str = "",
) -> Membership:
    """Make `member` a member of `group` from `joined_on`.

    Args:
        actor: who acts (checked with `may_write`): a user, or SYSTEM for the demo loader
            and commands.

    Raises:
        NotAllowed: no actor, or one who may not write memberships.
        MembershipError: the member already has a membership of the group on or after
            `joined_on` (overlapping periods), or the role is unknown.
    """
    actor = require_actor(actor)
    _check_actor(actor)
    if joined_on is None:
        raise MembershipError(_("Enter the day the member joined."))
    if role not in MembershipRole.values:
        raise MembershipError(_("Unknown role."))
    group_fields = _group_fields(group)
    member_fields = _member_fields(member)
    # Lock the group row: concurrent joins of the same group are serialised here.
    type(group).objects.select_for_update().filter(pk=group.pk).first()
    if (
        Membership.objects.filter(**group_fields, **member_fields)
        .overlapping(joined_on, None)
        .exists()
    ):
        raise MembershipError(
            _("“{member}” already has a membership of “{group}” overlapping this period.").format(
                member=member, group=group
            )
        )
    return Membership.objects.create(
        **group_fields,
        **member_fields,
        role=role,
        joined_on=joined_on,
        is_illustrative=is_illustrative,
        note=note,
    )


@transaction.atomic
def leave(membership: Membership, left_on: date, *, actor) -> Membership:
    """End `membership` with `left_on` as its last day.

    Raises:
        NotAllowed: no actor, or one who may not write memberships.
        MembershipError: the membership has already ended, or `left_on` is before the day
            the member joined.
    """
    actor = require_actor(actor)
    _check_actor(actor)
    locked = Membership.objects.select_for_update().get(pk=membership.pk)
    if locked.left_on is not None:
        raise MembershipError(_("This membership has already ended."))
    if left_on < locked.joined_on:
        raise MembershipError(_("A member cannot leave before joining."))
    locked.left_on = left_on
    locked.save(update_fields=["left_on"])
    membership.left_on = left_on
    return locked
