"""Template filters and tags shared by every page: money from integer fen, navigation rights.

Money is stored as integer fen and shown in 元 with two decimals or in 万元. The conversion
is exact: Decimal(fen) / 100, never through a float (STYLE.md §6).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django import template

from accounts.permissions import may_write_any
from audit.models import ObjectChange
from registry.models import VillageStat

register = template.Library()

EMPTY = "—"
CENT = Decimal("0.01")


def fen_to_yuan(fen: int) -> Decimal:
    """Integer fen as an exact Decimal amount of 元 (two places)."""
    return (Decimal(int(fen)) / 100).quantize(CENT)


def fen_to_wan_yuan(fen: int) -> Decimal:
    """Integer fen as 万元, rounded half-up to two places (for reports and charts)."""
    return (Decimal(int(fen)) / 1_000_000).quantize(CENT, rounding=ROUND_HALF_UP)


@register.filter
def yuan(fen) -> str:
    """1234567 (fen) → "12,345.67" (元); None or "" → "—"."""
    if fen is None or fen == "":
        return EMPTY
    return f"{fen_to_yuan(fen):,}"


@register.filter
def wan_yuan(fen) -> str:
    """123456789 (fen) → "123.46" (万元); None or "" → "—"."""
    if fen is None or fen == "":
        return EMPTY
    return f"{fen_to_wan_yuan(fen):,}"


@register.filter
def count(value) -> str:
    """An integer with thousands separators; None → "—"."""
    if value is None or value == "":
        return EMPTY
    return f"{int(value):,}"


@dataclass(frozen=True)
class NavRights:
    import_stats: bool
    change_log: bool
    admin: bool


def nav_rights(user) -> NavRights:
    """Which optional navigation entries this user sees, from the cached grants (no query
    beyond the one that loads `user.grant_list`)."""
    if user is None or not user.is_authenticated:
        return NavRights(False, False, False)
    return NavRights(
        import_stats=may_write_any(user, VillageStat),
        change_log=bool(user.roles & ObjectChange.scope_policy.view_roles),
        admin=user.is_staff,
    )


@register.simple_tag
def rights_for(user) -> NavRights:
    """`{% rights_for request.user as rights %}` then `{% if rights.change_log %}`."""
    return nav_rights(user)


@register.filter
def minutes(delta) -> int:
    """A timedelta as whole minutes (rounded up): the lock-out wait on the locked page."""
    return -(-int(delta.total_seconds()) // 60)


@register.filter
def type_name(content_type) -> str:
    """A ContentType's model verbose name ("village statistics"); the raw name if the
    model is gone."""
    model = content_type.model_class()
    return str(model._meta.verbose_name) if model is not None else content_type.model
