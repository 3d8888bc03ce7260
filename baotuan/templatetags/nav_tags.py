"""Which optional navigation entries a user sees (top floor: it reads several apps)."""

from __future__ import annotations

from dataclasses import dataclass

from django import template

from audit.models import ObjectChange
from core.scope import may_write_any
from grids.models import Grid
from points.models import Scheme
from registry.models import VillageStat
from tourism.models import Spot

register = template.Library()


@dataclass(frozen=True)
class NavRights:
    import_stats: bool
    change_log: bool
    admin: bool
    grids: bool = False
    tourism: bool = False
    points: bool = False


def nav_rights(user) -> NavRights:
    """Which optional navigation entries this user sees, from the cached grants (no query
    beyond the one that loads `user.grant_list`)."""
    if user is None or not user.is_authenticated:
        return NavRights(False, False, False, False, False)
    return NavRights(
        import_stats=may_write_any(user, VillageStat),
        change_log=bool(user.roles & ObjectChange.scope_policy.view_roles),
        admin=user.is_staff,
        grids=bool(user.roles & Grid.scope_policy.view_roles),
        # Spots are read by every signed-in user (view_roles None).
        tourism=Spot.scope_policy.view_roles is None
        or bool(user.roles & Spot.scope_policy.view_roles),
        points=bool(user.roles & Scheme.scope_policy.view_roles),
    )


@register.simple_tag
def rights_for(user) -> NavRights:
    """`{% rights_for request.user as rights %}` then `{% if rights.change_log %}`."""
    return nav_rights(user)
