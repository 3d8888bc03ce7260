"""Gap indicators for a region and a year, computed set-based from the statistics.

A handful of queries fetch flat arrays (`values_list`); numpy and `lib.inequality` do the
rest, so the number of queries does not grow with the number of villages.

Returns received are the amounts of ventures' distribution lines of posted or published
runs whose period ends in the year. The statistics are taken as the income *without*
them; "with returns" adds each village's returns to its total collective income.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
from django.db.models import Sum
from django.utils.translation import gettext as _

from lib import inequality
from registry.models import Region, VillageStat
from ventures.choices import RunStatus
from ventures.models import DistributionLine

__all__ = ["TOP_GROUPS", "indicators"]

TOP_GROUPS = 10  # groups listed per decomposition, largest within-contribution first


def _num(value: float | None, places: int = 6) -> float | None:
    """A JSON-safe float: None for NaN or infinity (e.g. a ratio over a zero)."""
    if value is None or not math.isfinite(value):
        return None
    return round(float(value), places)


def _fen(value: float) -> int:
    return int(round(float(value)))


def _distribution(values: np.ndarray) -> dict[str, int]:
    shares = inequality.ratios(values)
    return {
        "min": _fen(values.min()),
        "p10": _fen(shares.p10),
        "median": _fen(np.median(values)),
        "p90": _fen(shares.p90),
        "max": _fen(values.max()),
        "mean": _fen(values.mean()),
        "sum": _fen(values.sum()),
    }


def _ratios(values: np.ndarray) -> dict[str, float | None]:
    r = inequality.ratios(values)
    return {
        "max_min": _num(r.max_min),
        "palma": _num(r.palma),
        "s80_s20": _num(r.s80_s20),
        "p90_p10": _num(r.p90_p10),
    }


def _decomposition(values: np.ndarray, groups: np.ndarray, names: dict[str, str]) -> dict:
    d = inequality.theil_decomposition(values, groups, kind="T")
    counts = dict(zip(*np.unique(groups, return_counts=True), strict=True))
    rows = [
        {
            "code": str(code),
            "name": names.get(str(code), ""),
            "villages": int(counts[code]),
            "population_share": _num(d.population_share[i]),
            "income_share": _num(d.income_share[i]),
            "theil_t": _num(d.group_index[i]),
            "contribution": _num(d.contribution[i]),
        }
        for i, code in enumerate(d.groups)
    ]
    rows.sort(key=lambda row: (-(row["contribution"] or 0.0), row["code"]))
    return {
        "total": _num(d.total),
        "between": _num(d.between),
        "within": _num(d.within),
        "between_share": _num(d.between_share),
        "group_count": len(rows),
        "top_groups": rows[:TOP_GROUPS],
    }


def _gap(values: np.ndarray) -> dict[str, float | None]:
    return {
        "gini": _num(inequality.gini(values)),
        "theil_t": _num(inequality.theil_t(values)),
        **_ratios(values),
    }


def _growth(current: float, previous: float | None) -> float | None:
    if previous is None or previous == 0:
        return None
    return _num(current / previous - 1.0)


def indicators(region_code: str, year: int) -> dict[str, Any]:
    """The gap indicators of the villages under `region_code` in `year`.

    Raises ValueError for an unknown region or a year without statistics in the region.
    """
    region_code = str(region_code).strip()
    region = Region.objects.filter(code=region_code).values_list("name", "level").first()
    if region is None:
        raise ValueError(_("Unknown region “{code}”.").format(code=region_code))
    year = int(year)
    previous = year - 1

    rows = list(
        VillageStat.objects.filter(
            village__code__startswith=region_code, year__in=(year, previous)
        )
        .order_by("year", "village_id")
        .values_list(
            "year", "village_id", "village__short_name", "village__township_id",
            "village__county_id", "total_income", "operating_income",
        )
    )
    current = [row for row in rows if row[0] == year]
    if not current:
        raise ValueError(
            _("No statistics for {name} ({code}) in {year}.").format(
                name=region[0], code=region_code, year=year
            )
        )
    before = [row for row in rows if row[0] == previous]

    codes = np.array([row[1] for row in current])
    townships = np.array([row[3] for row in current])
    counties = np.array([row[4] for row in current])
    total = np.array([row[5] for row in current], dtype=np.float64)
    operating = np.array([row[6] for row in current], dtype=np.float64)
    total_before = np.array([row[5] for row in before], dtype=np.float64)

    weak_rows = (
        VillageStat.objects.weak_in(year) | VillageStat.objects.weak_in(previous)
    ).filter(village__code__startswith=region_code).values_list("year", "village_id")
    weak: dict[int, set[str]] = {year: set(), previous: set()}
    for weak_year, village in weak_rows:
        weak[weak_year].add(village)
    with_stats = set(codes.tolist())
    lifted = (weak[previous] & with_stats) - weak[year]

    names = dict(
        Region.objects.filter(code__in=set(townships.tolist()) | set(counties.tolist()))
        .values_list("code", "name")
    )

    n = len(current)
    result: dict[str, Any] = {
        "region": {"code": region_code, "name": region[0], "level": region[1]},
        "year": year,
        "villages": n,
        "weak": {
            "count": len(weak[year]),
            "share": _num(len(weak[year]) / n),
            "previous_year": len(weak[previous]) if before else None,
            "lifted": len(lifted) if before else None,
        },
        "total_income": _distribution(total),
        "operating_income": _distribution(operating),
        "gini": _num(inequality.gini(total)),
        "theil_t": _num(inequality.theil_t(total)),
        "by_county": _decomposition(total, counties, names),
        "by_township": _decomposition(total, townships, names),
        "ratios": _ratios(total),
        "growth": {
            "villages_previous_year": len(before),
            "median": _growth(float(np.median(total)), float(np.median(total_before)) if before else None),
            "mean": _growth(float(total.mean()), float(total_before.mean()) if before else None),
        },
        "returns": _returns(region_code, year, codes, [row[2] for row in current], total),
    }
    return result


def _returns(
    region_code: str, year: int, codes: np.ndarray, short_names: list[str], total: np.ndarray
) -> dict[str, Any] | None:
    """Returns received per village and the gap with and without them (None if none)."""
    received = dict(
        DistributionLine.objects.filter(
            village__code__startswith=region_code,
            run__status__in=(RunStatus.POSTED, RunStatus.PUBLISHED),
            run__period_end__year=year,
        )
        .values("village_id")
        .annotate(amount=Sum("amount"))
        .order_by()
        .values_list("village_id", "amount")
    )
    if not received:
        return None
    amounts = np.array([received.get(code, 0) for code in codes.tolist()], dtype=np.float64)
    without, with_returns = _gap(total), _gap(total + amounts)
    per_village = [
        {"code": code, "name": name, "amount": int(amount)}
        for code, name, amount in zip(codes.tolist(), short_names, amounts.tolist(), strict=True)
        if amount
    ]
    per_village.sort(key=lambda row: (-row["amount"], row["code"]))
    return {
        "villages_receiving": len(per_village),
        "total": _fen(amounts.sum()),
        "to_villages_without_statistics": _fen(sum(received.values())) - _fen(amounts.sum()),
        "per_village": per_village,
        "without": without,
        "with": with_returns,
        "change": {
            key: (None if without[key] is None or with_returns[key] is None
                  else _num(with_returns[key] - without[key]))
            for key in without
        },
    }
