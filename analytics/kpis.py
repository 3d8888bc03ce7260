"""The indicators a ranking scheme may rank by (`KPI_SOURCES`), each reading the values of
all ranked villages for a year in one or two queries.

A `RankingKPI.key` names one of them; `analytics.services.compute_snapshot` ranks by them.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from alliances import selectors as alliance_selectors
from analytics.errors import RankingError
from grids import selectors as grid_selectors
from points import selectors as points_selectors
from projects import selectors as project_selectors
from registry.models import VillageStat

if TYPE_CHECKING:
    from analytics.models import RankingScheme

__all__ = ["KPI_SOURCES", "KPISource", "Values"]

Values = dict[str, float | int | None]


def _stats(codes: list[str], years: tuple[int, ...]) -> dict[tuple[str, int], tuple[int, int]]:
    rows = VillageStat.objects.filter(village_id__in=codes, year__in=years).values_list(
        "village_id", "year", "total_income", "operating_income"
    )
    return {(code, year): (total, operating) for code, year, total, operating in rows}


def collective_income(scheme, codes: list[str], year: int) -> Values:
    """Total collective income in fen (VillageStat.total_income)."""
    stats = _stats(codes, (year,))
    return {code: stats[(code, year)][0] if (code, year) in stats else None for code in codes}


def income_growth(scheme, codes: list[str], year: int) -> Values:
    """Growth of total collective income over the previous year (0.25 = +25%).

    Missing (None, so the village scores 0 for it) without statistics in either year, and
    also from a zero base: a rise from 0 has no finite rate, and any number chosen for it
    would rank such a village arbitrarily. The published description says so."""
    stats = _stats(codes, (year, year - 1))
    result: Values = {}
    for code in codes:
        now, before = stats.get((code, year)), stats.get((code, year - 1))
        result[code] = now[0] / before[0] - 1 if now and before and before[0] > 0 else None
    return result


def operating_share(scheme, codes: list[str], year: int) -> Values:
    """Operating income as a share of total collective income (0–1)."""
    stats = _stats(codes, (year,))
    result: Values = {}
    for code in codes:
        row = stats.get((code, year))
        result[code] = row[1] / row[0] if row and row[0] > 0 else None
    return result


def project_progress(scheme, codes: list[str], year: int) -> Values:
    """Progress of the villages' projects in the year (0–100), from the projects app."""
    progress = project_selectors.village_progress(year)
    return {code: _number(progress.get(code)) for code in codes}


def duties_on_time(scheme, codes: list[str], year: int) -> Values:
    """Share of the alliance's duties owned by the village done on time in the year (0–1).

    On time means verified by the alliance as done on or before the due day (a village's own
    report of "done" does not count until it is verified: see alliances.selectors)."""
    if scheme.alliance_id is None:
        raise RankingError(_("Duties done on time needs a scheme for an alliance."))
    counts = alliance_selectors.duties_on_time(scheme.alliance, year)  # {code: (done on time, due)}
    result: Values = {}
    for code in codes:
        done, due = counts.get(code, (0, 0))
        result[code] = done / due if due else None
    return result


def _matter_rate(codes: list[str], year: int, numerator: str, denominator: str) -> Values:
    rates = grid_selectors.matter_rates_by_village(year)
    result: Values = {}
    for code in codes:
        row = rates.get(code)
        result[code] = row[numerator] / row[denominator] if row and row[denominator] else None
    return result


def grid_closure_rate(scheme, codes: list[str], year: int) -> Values:
    """Share of the grid matters reported in the village's grids in the year that were
    closed (evaluated) — the grids app's closed loop."""
    return _matter_rate(codes, year, "closed", "reported")


def grid_on_time_rate(scheme, codes: list[str], year: int) -> Values:
    """Share of the handled grid matters handled by their deadline."""
    return _matter_rate(codes, year, "on_time", "handled")


def _points_rate(codes: list[str], year: int, numerator: str, denominator: str) -> Values:
    figures = points_selectors.village_figures(year, codes)
    result: Values = {}
    for code in codes:
        row = figures.get(code)
        result[code] = row[numerator] / row[denominator] if row and row[denominator] else None
    return result


def points_participation(scheme, codes: list[str], year: int) -> Values:
    """Share of the village's households with at least one points entry in the year."""
    return _points_rate(codes, year, "participating", "households")


def points_per_household(scheme, codes: list[str], year: int) -> Values:
    """Effective points earned in the year per household of the village."""
    return _points_rate(codes, year, "effective", "households")


def points_redemption_rate(scheme, codes: list[str], year: int) -> Values:
    """Points redeemed in the store in the year over the effective points earned in it."""
    return _points_rate(codes, year, "redeemed", "effective")


def _number(value: Any) -> float | None:
    if value is None:
        return None
    number = float(value)
    return number if math.isfinite(number) else None


@dataclass(frozen=True)
class KPISource:
    """An indicator a scheme may rank by; `unit` tells the showcase how to show raw values."""

    label: str | Promise
    unit: str  # "fen", "ratio" (shown as %), "percent" (already 0–100), "count"
    direction: str  # the usual direction, offered as the default
    values: Callable[[RankingScheme, list[str], int], Values]
    description: str | Promise = ""


KPI_SOURCES: dict[str, KPISource] = {
    "collective_income": KPISource(
        gettext_lazy("Collective income"),
        "fen",
        "higher",
        collective_income,
        gettext_lazy("The village's total collective income in the year (statistics)."),
    ),
    "income_growth": KPISource(
        gettext_lazy("Income growth"),
        "ratio",
        "higher",
        income_growth,
        gettext_lazy(
            "Total collective income this year over last year, minus one; missing (scores "
            "0) when either year has no statistics or last year's income was zero (growth "
            "from nothing has no rate)."
        ),
    ),
    "operating_share": KPISource(
        gettext_lazy("Operating income share"),
        "ratio",
        "higher",
        operating_share,
        gettext_lazy("Operating income as a share of total collective income."),
    ),
    "project_progress": KPISource(
        gettext_lazy("Project progress"),
        "percent",
        "higher",
        project_progress,
        gettext_lazy("Progress of the village's prosperity projects in the year (0–100)."),
    ),
    "duties_on_time": KPISource(
        gettext_lazy("Duties done on time"),
        "ratio",
        "higher",
        duties_on_time,
        gettext_lazy(
            "Share of the village's alliance duties due in the year that were verified as "
            "done on or before their due day."
        ),
    ),
    "grid_closure_rate": KPISource(
        gettext_lazy("Grid matters closed"),
        "ratio",
        "higher",
        grid_closure_rate,
        gettext_lazy(
            "Share of the grid matters reported in the year in the village's grids that "
            "went round the whole loop (accepted, handled, fed back, evaluated)."
        ),
    ),
    "points_participation": KPISource(
        gettext_lazy("Points participation"),
        "ratio",
        "higher",
        points_participation,
        gettext_lazy(
            "Share of the village's households with at least one points entry in the year."
        ),
    ),
    "points_per_household": KPISource(
        gettext_lazy("Points per household"),
        "count",
        "higher",
        points_per_household,
        gettext_lazy("Effective points earned in the year per household of the village."),
    ),
    "points_redemption_rate": KPISource(
        gettext_lazy("Points redeemed"),
        "ratio",
        "higher",
        points_redemption_rate,
        gettext_lazy(
            "Points spent in the store in the year over the effective points earned in it."
        ),
    ),
    "grid_on_time_rate": KPISource(
        gettext_lazy("Grid matters on time"),
        "ratio",
        "higher",
        grid_on_time_rate,
        gettext_lazy("Share of the handled grid matters handled by their deadline."),
    ),
}
