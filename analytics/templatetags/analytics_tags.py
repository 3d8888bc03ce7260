"""Display filters for indicator values (plain floats; None shows as a dash)."""

from django import template

register = template.Library()
EMPTY = "—"


@register.filter
def percent(value, places: int = 1) -> str:
    """0.1234 → "12.3%"; None → "—"."""
    if value is None or value == "":
        return EMPTY
    return f"{float(value) * 100:.{int(places)}f}%"


@register.filter
def ratio(value, places: int = 4) -> str:
    """0.401234 → "0.4012"; None → "—"."""
    if value is None or value == "":
        return EMPTY
    return f"{float(value):,.{int(places)}f}"


@register.filter
def signed_ratio(value, places: int = 4) -> str:
    """A change: −0.0673 → "−0.0673", 0.01 → "+0.0100"; None → "—"."""
    if value is None or value == "":
        return EMPTY
    return f"{float(value):+.{int(places)}f}".replace("-", "−")


@register.filter
def signed_percent(value, places: int = 1) -> str:
    """A growth rate: 0.1034 → "+10.3%", −0.02 → "−2.0%"; None → "—"."""
    if value is None or value == "":
        return EMPTY
    return f"{float(value) * 100:+.{int(places)}f}%".replace("-", "−")


@register.filter
def measure(value, kind: str) -> str:
    """A scenario measure by its kind (`analytics.decision_reports.measure_rows`): "int"
    with separators, "percent", "ratio", "money" (fen) in 万元."""
    from core.templatetags.baotuan_tags import count, wan_yuan

    if kind == "percent":
        return percent(value)
    if kind == "ratio":
        return ratio(value)
    if kind == "money":
        return wan_yuan(value)
    return count(value)
