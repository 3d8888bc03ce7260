"""Visitor counts in 万人次 (exact, from integers) for the tourism pages and the showcase."""

from __future__ import annotations

from decimal import Decimal

from django import template

register = template.Library()


@register.filter
def wan(value) -> str:
    """1820000 → "182.00" (万); None → "—"."""
    if value is None or value == "":
        return "—"
    return f"{(Decimal(int(value)) / 10_000).quantize(Decimal('0.01')):,}"
