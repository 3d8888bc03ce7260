"""Template filters and tags shared by every page: money from integer fen, counts, durations,
the coverage of a figure.
Navigation rights are the top floor's (baotuan/templatetags/nav_tags.py).

Money is stored as integer fen and shown in 元 with two decimals or in 万元. The conversion
is exact: Decimal(fen) / 100, never through a float (STYLE.md §6).
"""

from __future__ import annotations

from django import template
from django.utils.html import format_html
from django.utils.translation import gettext as _

from lib.money import fen_to_wan_yuan, fen_to_yuan

register = template.Library()

EMPTY = "—"


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
def money(fen, unit: str = "wan") -> str:
    """Fen in the page's money unit: "wan" (万元, the default) or "yuan" (元)."""
    return yuan(fen) if unit == "yuan" else wan_yuan(fen)


@register.filter
def count(value) -> str:
    """An integer with thousands separators; None → "—"."""
    if value is None or value == "":
        return EMPTY
    return f"{int(value):,}"


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


@register.simple_tag
def coverage_note(coverage, complete=None) -> str:
    """How many village-level units a figure stands on: "3/136 villages reported" (已填报
    3/136 村), followed by an "incomplete" badge when the year's coverage is below the
    share that makes it complete (STATS_COMPLETE_SHARE). `coverage` is the figures'
    {"reported": N, "expected": M}; nothing is shown without it."""
    if not coverage:
        return ""
    note = format_html(
        '<span class="coverage" data-testid="coverage">{}</span>',
        _("{reported}/{expected} villages reported").format(
            reported=f"{int(coverage['reported']):,}", expected=f"{int(coverage['expected']):,}"
        ),
    )
    if complete is False:
        note += format_html(
            ' <span class="badge-incomplete" data-testid="incomplete" title="{}">{}</span>',
            _("Too few villages have reported this year for the figures to speak for the region."),
            _("incomplete"),
        )
    return note
