"""Reads of analytics (no actor, no writes): the gap indicators of a region and a year,
computed set-based from the statistics, their trend, a village among its peers
(registry.selectors.peers), and the cache the dashboards and the API read them through.

A handful of queries fetch flat arrays (`values_list`); numpy and `lib.inequality` do the
rest, so the number of queries does not grow with the number of villages. Money stays in
integer fen: sums and means are exact (`lib.money.sum_fen`, `mean_fen`), and so is the Gini
(`lib.inequality.gini_exact`), converted to a float once at the end.

Every figure states its coverage: `reported` of the `expected` village-level units of the
region have a statistics row for the year, and the year is `complete` when that reaches the
share set by STATS_COMPLETE_SHARE (registry.selectors.Reporting). Without a year, the
indicators are those of the region's latest complete year.

Returns received are the amounts of ventures' distribution lines of posted or published
runs whose period ends in the year. The statistics are taken as the income *without*
them; "with returns" adds each village's returns to its total collective income.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from typing import Any

import numpy as np
from django.conf import settings
from django.core.cache import cache
from django.db import connections, router
from django.db.models import Count, Max, Q, Sum
from django.utils.translation import gettext as _

from audit.models import ObjectChange
from core.errors import Invalid
from lib import inequality, optimise
from lib.money import mean_fen, sum_fen
from lib.ranking import competition_ranks
from registry.models import Region, Village, VillageStat, WeakVillageThreshold
from registry.selectors import coverage_of, peers, reporting
from ventures.choices import RunStatus
from ventures.models import DistributionLine

__all__ = [
    "CACHE_SECONDS",
    "NATION",
    "RANKED",
    "TOP_GROUPS",
    "cached",
    "data_version",
    "indicators",
    "optimiser_candidates",
    "peers",
    "trend",
]

TOP_GROUPS = 10  # groups listed per decomposition, largest within-contribution first
RANKED = 10  # villages listed at the top and at the bottom of a region's ranking (detail)
LORENZ_POINTS = 51
HISTOGRAM_BINS = 12
CACHE_SECONDS = 3600
# Child regions by the length of the parent's code: province → cities → counties → townships
# → villages (a township's children are its villages, listed rather than decomposed).
CHILD_LENGTH = {0: 2, 2: 4, 4: 6, 6: 9, 9: 12}
#: The region code of the whole country (all the villages loaded): 2 digits like a
#: province's, none of which starts with 0.
NATION = "00"


def _num(value: float | None, places: int = 6) -> float | None:
    """A JSON-safe float: None for NaN or infinity (e.g. a ratio over a zero)."""
    if value is None or not math.isfinite(value):
        return None
    return round(float(value), places)


def _fen(value: float | int) -> int | None:
    """Fen from a figure: an integer as it is (exact), a float rounded; None for a missing
    one (NaN: the measure was not reported)."""
    if isinstance(value, int | np.integer):
        return int(value)
    value = float(value)
    return None if math.isnan(value) else int(round(value))


def _money(values: list[int | None]) -> tuple[np.ndarray, np.ndarray | None]:
    """A measure's fen as an int64 array (0 where missing) and the mask of villages that
    reported it (None when every village did)."""
    if all(v is not None for v in values):
        return np.array(values, dtype=np.int64), None
    present = np.array([v is not None for v in values], dtype=bool)
    return np.array([v or 0 for v in values], dtype=np.int64), present


def _median(values: np.ndarray) -> int:
    """The median of integer fen, exactly (the mean of the middle two, half to even)."""
    ordered = np.sort(values)
    middle = ordered.size // 2
    if ordered.size % 2:
        return int(ordered[middle])
    return mean_fen(ordered[middle - 1 : middle + 1])


def _distribution(values: np.ndarray, present: np.ndarray | None = None) -> dict[str, int | None]:
    """Min, percentiles, median, max, mean and sum of a measure, with its coverage.

    A village that did not report this measure (False in `present`, or NaN in a float
    array) is left out of it, and of it only: `reported` of `expected` villages say what
    the figures stand on (None figures when no village reported it). Sum, mean, median,
    min and max are exact in fen."""
    expected = int(values.size)
    if values.dtype.kind == "f":  # fen as floats, NaN where missing
        present = ~np.isnan(values)
        values = np.rint(np.where(present, values, 0)).astype(np.int64)
    if present is not None:
        values = values[present]
    coverage = {"reported": int(values.size), "expected": expected}
    if not values.size:
        keys = ("min", "p10", "median", "p90", "max", "mean", "sum")
        return dict.fromkeys(keys) | coverage
    # lib.inequality refuses a zero total (its shares are undefined); when every value is
    # zero, every percentile is plainly zero too.
    shares = inequality.ratios(values) if values.any() else None
    p10, p90 = (shares.p10, shares.p90) if shares is not None else (0.0, 0.0)
    return {
        "min": int(values.min()),
        "p10": _fen(p10),
        "median": _median(values),
        "p90": _fen(p90),
        "max": int(values.max()),
        "mean": mean_fen(values),
        "sum": sum_fen(values),
    } | coverage


def _ratios(values: np.ndarray) -> dict[str, float | None]:
    if not values.any():  # all incomes zero: shares of a zero total are undefined
        return {"max_min": None, "palma": None, "s80_s20": None, "p90_p10": None}
    r = inequality.ratios(values)
    return {
        "max_min": _num(r.max_min),
        "palma": _num(r.palma),
        "s80_s20": _num(r.s80_s20),
        "p90_p10": _num(r.p90_p10),
    }


def _theil_by_group(values: np.ndarray, groups: np.ndarray):
    """Theil T decomposed by group, or None when every income is zero (undefined)."""
    return inequality.theil_decomposition(values, groups, kind="T") if values.any() else None


def _decomposition(values: np.ndarray, groups: np.ndarray) -> dict:
    """Theil T by group; rows for the TOP_GROUPS largest contributions only (a country has
    ~40,000 townships), their names left for `_name_rows`."""
    d = _theil_by_group(values, groups)
    labels, sizes = np.unique(groups, return_counts=True)
    counts = dict(zip(labels.tolist(), sizes.tolist(), strict=True))
    codes = labels if d is None else d.groups
    if d is None:
        chosen = list(range(min(TOP_GROUPS, len(codes))))
    else:
        # Candidates by numpy, then the exact order (rounded contribution, code) on them.
        rounded = np.nan_to_num(np.round(np.asarray(d.contribution, dtype=np.float64), 6))
        take = min(len(codes), TOP_GROUPS * 3)
        chosen = np.argsort(-rounded, kind="stable")[:take].tolist()
        threshold = rounded[chosen[-1]] if chosen else 0.0
        chosen = sorted(set(chosen) | set(np.flatnonzero(rounded == threshold).tolist()))

    def row(i: int) -> dict:
        code = codes[i].item() if hasattr(codes[i], "item") else codes[i]
        return {
            "code": str(code),
            "name": "",
            "villages": int(counts[code]),
            "population_share": _num(
                int(counts[code]) / values.size if d is None else d.population_share[i]
            ),
            "income_share": None if d is None else _num(d.income_share[i]),
            "theil_t": None if d is None else _num(d.group_index[i]),
            "contribution": None if d is None else _num(d.contribution[i]),
        }

    rows = [row(i) for i in chosen]
    if d is None:
        return {
            "total": None,
            "between": None,
            "within": None,
            "between_share": None,
            "group_count": len(codes),
            "top_groups": rows[:TOP_GROUPS],
        }
    rows.sort(key=lambda row: (-(row["contribution"] or 0.0), row["code"]))
    return {
        "total": _num(d.total),
        "between": _num(d.between),
        "within": _num(d.within),
        "between_share": _num(d.between_share),
        "group_count": len(codes),
        "top_groups": rows[:TOP_GROUPS],
    }


def _name_rows(*row_lists: list[dict]) -> None:
    """Fill in the names of the regions these rows list (one query)."""
    codes = {row["code"] for rows in row_lists for row in rows}
    names = dict(Region.objects.filter(code__in=codes).values_list("code", "name"))
    for rows in row_lists:
        for row in rows:
            row["name"] = names.get(row["code"], "")


def _gini(values: np.ndarray) -> float | None:
    """The Gini, None when every income is zero (undefined for a zero mean); computed on
    the exact integer fen (`gini_exact`), converted to a float once."""
    if not values.any():
        return None
    if values.dtype.kind in "iuO":
        return _num(inequality.gini_exact(values))
    return _num(inequality.gini(values))


def _theil_t(values: np.ndarray) -> float | None:
    return _num(inequality.theil_t(values)) if values.any() else None


def _gap(values: np.ndarray) -> dict[str, float | None]:
    return {
        "gini": _gini(values),
        "theil_t": _theil_t(values),
        **_ratios(values),
    }


def _growth(current: int, previous: int | None) -> float | None:
    if previous is None or previous == 0:
        return None
    return _num(current / previous - 1.0)  # int / int: one correctly rounded division


def indicators(
    region_code: str, year: int | None = None, *, detail: bool = False
) -> dict[str, Any]:
    """The gap indicators of the villages under `region_code` in `year` (None: the
    region's latest complete year, see registry.selectors.Reporting).

    The result carries `year`, `coverage` ({"reported": N, "expected": M}: villages with a
    statistics row that year, of the region's village-level units), `complete` (whether
    the coverage reaches STATS_COMPLETE_SHARE) and `latest_year` (the region's latest
    complete year, to point at from an incomplete one).

    ``detail=True`` adds a "detail" entry for dashboards and reports (see `_detail`): every
    child region's figures, the top and bottom villages, the Lorenz curve and a histogram.
    It runs no extra query (the child regions' names come with the group names).

    Raises Invalid (a ValueError) for an unknown region or a year without statistics in the
    region.
    """
    region_code = str(region_code).strip()
    prefix = "" if region_code == NATION else region_code
    if region_code == NATION:
        region = (str(_("China")), 0)
    else:
        region = Region.objects.filter(code=region_code).values_list("name", "level").first()
    if region is None:
        raise Invalid(_("Unknown region “{code}”.").format(code=region_code))
    report = reporting(prefix)
    if year is None:
        year = report.latest
        if year is None:
            raise Invalid(
                _("No statistics for {name} ({code}).").format(name=region[0], code=region_code)
            )
    year = int(year)
    previous = year - 1
    covered = report.coverage(year)

    values = _stat_arrays(prefix, (year, previous))
    if year not in values:
        raise Invalid(
            _("No statistics for {name} ({code}) in {year}.").format(
                name=region[0], code=region_code, year=year
            )
        )
    codes, total, operating_raw, illustrative = values[year]
    before = previous in values
    total_before = values[previous][1] if before else np.zeros(0, dtype=np.int64)
    # Codes are int64 (12 digits, never a leading zero): a village's code starts with its
    # township's and county's (NBS), so integer division gives them.
    townships = codes // 1_000
    counties = codes // 1_000_000
    operating_present = operating_raw >= 0
    operating = np.where(operating_present, operating_raw, 0)
    if operating_present.all():
        operating_present = None

    weak_rows = (
        VillageStat.objects.with_weak_status(years=(year, previous), under=prefix)
        .filter(is_weak=True)
        .values_list("year", "village_id")
    )
    weak: dict[int, set[int]] = {year: set(), previous: set()}
    for weak_year, village in weak_rows:
        weak[weak_year].add(int(village))
    with_stats = set(codes.tolist()) if weak[previous] else set()
    lifted = (weak[previous] & with_stats) - weak[year]

    child_length = CHILD_LENGTH.get(len(prefix), 12)
    children = codes // 10 ** (12 - child_length)
    n = int(codes.size)
    returns = _returns(prefix, year, codes, total)
    result: dict[str, Any] = {
        "region": {"code": region_code, "name": region[0], "level": region[1]},
        "year": year,
        "coverage": covered.as_dict(),
        "complete": covered.complete,
        "latest_year": report.latest,
        "villages": n,
        "weak": {
            "count": len(weak[year]),
            "share": _num(len(weak[year]) / n),
            "previous_year": len(weak[previous]) if before else None,
            "lifted": len(lifted) if before else None,
        },
        "total_income": _distribution(total),
        "operating_income": _distribution(operating, operating_present),
        # None (shown "—") when every income is zero: the measures are undefined then.
        "gini": _gini(total),
        "theil_t": _theil_t(total),
        "by_county": _decomposition(total, counties),
        "by_township": _decomposition(total, townships),
        "ratios": _ratios(total),
        "growth": {
            "villages_previous_year": int(total_before.size),
            "median": _growth(_median(total), _median(total_before) if before else None),
            "mean": _growth(mean_fen(total), mean_fen(total_before) if before else None),
        },
        "returns": returns,
    }
    if detail:
        result["detail"] = _detail(
            codes,
            total,
            operating,
            operating_present,
            children,
            child_length,
            weak[year],
            result["returns"],
        )
        result["detail"]["illustrative"] = illustrative
    child_rows = (result.get("detail") or {}).get("children") or {}
    _name_rows(
        result["by_county"]["top_groups"],
        result["by_township"]["top_groups"],
        child_rows.get("rows", []),
    )
    return result


def _short_names(codes: list[str]) -> dict[str, str]:
    if not codes:
        return {}
    return dict(Village.objects.filter(code__in=codes).values_list("code", "short_name"))


def _years(prefix: str) -> list[int]:
    """The years with statistics for villages whose code starts with `prefix`."""
    rows = VillageStat.objects.all()
    if prefix:
        rows = rows.filter(village_id__gte=prefix, village_id__lt=_after(prefix))
    return sorted(rows.order_by().values_list("year", flat=True).distinct())


def _after(prefix: str) -> str:
    """The first code after every code starting with `prefix` (digits: '37' → '38')."""
    return prefix[:-1] + chr(ord(prefix[-1]) + 1)


def _stat_arrays(prefix: str, years: Iterable[int]) -> dict[int, tuple]:
    """Per year, the statistics of the villages whose code starts with `prefix`, in code
    order: (codes as int64, total income int64 fen, operating income int64 fen with -1 where
    not reported, the number of illustrative rows). One lean query of only these columns,
    on the statistics table alone (a village's code is its key there), served by the
    covering (year, village) index; rows come back as arrays per year, not as one Python
    object per village, and are put in code order by numpy."""
    # The database the router reads statistics from (the replica on a dashboard's request).
    connection = connections[router.db_for_read(VillageStat)]
    table = connection.ops.quote_name(VillageStat._meta.db_table)
    years = sorted({int(y) for y in years})
    params: list[Any] = list(years)
    where = f"year IN ({', '.join(['%s'] * len(years))})"
    if prefix:
        # A range on the key rather than LIKE: the index serves it under any collation.
        where += " AND village_id >= %s AND village_id < %s"
        params += [prefix, _after(prefix)]
    found: dict[int, tuple] = {}
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT year, array_agg(village_id::bigint), array_agg(total_income), "
                "array_agg(coalesce(operating_income, -1)), "
                "count(*) FILTER (WHERE is_illustrative) "
                f"FROM {table} WHERE {where} GROUP BY year",
                params,
            )
            fetched = [
                (year, codes, total, operating, int(illustrative))
                for year, codes, total, operating, illustrative in cursor.fetchall()
            ]
        else:
            cursor.execute(
                "SELECT year, CAST(village_id AS INTEGER), total_income, "
                f"coalesce(operating_income, -1), is_illustrative FROM {table} WHERE {where}",
                params,
            )
            rows = cursor.fetchall()
            fetched = []
            for year in years:
                mine = [row for row in rows if row[0] == year]
                if mine:
                    columns = list(zip(*mine, strict=True))
                    fetched.append((year, *columns[1:4], sum(1 for v in columns[4] if v)))
    for year, codes, total, operating, illustrative in fetched:
        codes = np.array(codes, dtype=np.int64)
        order = np.argsort(codes, kind="stable")
        found[year] = (
            codes[order],
            np.array(total, dtype=np.int64)[order],
            np.array(operating, dtype=np.int64)[order],
            illustrative,
        )
    return found


def _detail(
    codes: np.ndarray,
    total: np.ndarray,
    operating: np.ndarray,
    operating_present: np.ndarray | None,
    children: np.ndarray,
    child_length: int,
    weak: set[int],
    returns: dict[str, Any] | None,
) -> dict[str, Any]:
    """Figures for the dashboard and the reports (money in fen).

    children: one row per child region (cities, counties or townships) with its villages,
    weak villages, median and mean income, Gini, and its part in the Theil T decomposition
    of the region by child region; None when the children are villages. ranking: the top
    and bottom RANKED villages by total income (every village when the children are
    villages). lorenz: LORENZ_POINTS points of the Lorenz curve (with returns too, when
    there are any). histogram: village counts per income bin (see `_histogram`).
    illustrative (added by the caller): how many villages' figures are generated (示例).
    """
    n = total.size
    order = np.lexsort((codes, -total))  # richest first; ties by code
    weak_flags = np.isin(codes, np.fromiter(weak, dtype=np.int64, count=len(weak)))

    def village(i: int, rank: int) -> dict[str, Any]:
        return {
            "rank": rank,
            "code": str(codes[i]),
            "name": short_names.get(str(codes[i]), ""),
            "total_income": _fen(total[i]),
            "operating_income": (
                int(operating[i]) if operating_present is None or operating_present[i] else None
            ),
            "weak": bool(weak_flags[i]),
        }

    # Competition ranks ("1224", as the village page's peers and the rankings): villages
    # with the same income (in fen) share the better rank.
    ranks, _tied = competition_ranks([int(total[i]) for i in order.tolist()])
    listed = list(zip(ranks, order.tolist(), strict=True))
    if child_length < 12:
        # The bottom list never repeats a village of the top list (11–19 villages).
        listed = listed[:RANKED] + listed[max(RANKED, n - RANKED) :]
    # Only the listed villages' names are read (a country lists 20 of 620,573).
    short_names = _short_names([str(codes[i]) for _rank, i in listed])
    ranked = [village(int(i), rank) for rank, i in listed]
    if child_length < 12:
        top = min(RANKED, n)
        ranking = {"top": ranked[:top], "bottom": ranked[top:][::-1]}
    else:
        ranking = {"top": ranked, "bottom": []}

    child_rows = None
    if child_length < 12:
        d = _theil_by_group(total, children)
        groups = np.unique(children) if d is None else d.groups
        index = np.searchsorted(groups, children)
        child_rows = []
        for g, code in enumerate(groups.tolist()):
            members = index == g
            values = total[members]
            child_rows.append(
                {
                    "code": str(code),
                    "name": "",
                    "villages": int(members.sum()),
                    "weak": int(weak_flags[members].sum()),
                    "median": _median(values),
                    "mean": mean_fen(values),
                    "gini": _gini(values),
                    "income_share": None if d is None else _num(d.income_share[g]),
                    "population_share": _num(
                        members.sum() / n if d is None else d.population_share[g]
                    ),
                    "theil_t": None if d is None else _num(d.group_index[g]),
                    "contribution": None if d is None else _num(d.contribution[g]),
                }
            )
        child_rows = {
            "level": child_length,
            "between": None if d is None else _num(d.between),
            "within": None if d is None else _num(d.within),
            "between_share": None if d is None else _num(d.between_share),
            "rows": child_rows,
        }

    population = np.linspace(0.0, 1.0, LORENZ_POINTS)
    lorenz = {
        "population": [round(float(p), 4) for p in population],
        "without": _lorenz(total),
        "with": None,
    }
    if returns:
        # The statistics hold the returns (see `_returns`): without them is less.
        received = {int(v["code"]): v["amount"] for v in returns["per_village"]}
        amounts = np.array([received.get(code, 0) for code in codes.tolist()], dtype=np.int64)
        lorenz["with"] = _lorenz(total)
        lorenz["without"] = _lorenz(_less_returns(total, amounts))
    return {
        "child_level": child_length,
        "children": child_rows,
        "ranking": ranking,
        "lorenz": lorenz,
        "histogram": _histogram(total),
    }


def _lorenz(values: np.ndarray) -> list[float | None]:
    """Income shares at LORENZ_POINTS population shares; all None when every income is zero
    (no share of nothing: the chart shows no curve)."""
    if not values.any():
        return [None] * LORENZ_POINTS
    _, share = inequality.lorenz_curve(values, points=LORENZ_POINTS)
    return [round(float(s), 5) for s in share]


def _nice_step(span: float, bins: int) -> float:
    """The smallest 1, 2 or 5 × 10^k at least span / bins (a readable bin width)."""
    raw = max(span / bins, 1.0)
    magnitude = 10 ** math.floor(math.log10(raw))
    for factor in (1, 2, 5, 10):
        if factor * magnitude >= raw:
            return float(factor * magnitude)
    return float(10 * magnitude)  # pragma: no cover  (the loop always returns)


def _histogram(total: np.ndarray) -> dict[str, Any]:
    """Village counts per income bin, in fen: ``edges`` are the HISTOGRAM_BINS + 1 bounds
    (the bins are [edge_k, edge_k+1)); the bins cover 0 to the 98th percentile with a
    readable width, and the last bin also holds every village above it (``open_ended``), so
    that one very rich village does not squeeze everyone else into the first bar."""
    top = float(np.percentile(total, 98))
    step = _nice_step(top if top > 0 else float(total.max() or 1), HISTOGRAM_BINS)
    bins = max(1, min(HISTOGRAM_BINS, math.ceil(top / step) if top > 0 else 1))
    edges = np.arange(bins + 1, dtype=np.float64) * step
    index = np.minimum((total // step).astype(np.int64), bins - 1)
    counts = np.bincount(index, minlength=bins)
    return {
        "edges": [_fen(e) for e in edges],
        "counts": [int(c) for c in counts],
        "open_ended": bool(total.max() >= edges[-1]),
    }


def trend(region_code: str, years: Iterable[int] | None = None) -> list[dict[str, Any]]:
    """Per year (ascending) for the villages under `region_code`: villages with statistics
    (`villages`, of `expected` village-level units; `complete` when that reaches
    STATS_COMPLETE_SHARE), median and mean total income (fen), Gini and Theil T, weak
    villages, and the Gini without the returns received (None in a year without posted returns).

    ``years`` None means every year with statistics in the region. Queries: the statistics,
    the village-level units, the weak-village lines in force (`with_weak_status`), the weak
    counts, the returns — fixed whatever the number of villages and years. An empty list
    when there are no statistics.
    """
    region_code = str(region_code).strip()
    region_code = "" if region_code == NATION else region_code
    if years is None:
        years = _years(region_code)
    values = _stat_arrays(region_code, years) if years else {}
    if not values:
        return []
    found = sorted(values)
    expected = Village.objects.filter(code__startswith=region_code).count()
    weak = dict(
        VillageStat.objects.with_weak_status(years=found, under=region_code)
        .filter(is_weak=True)
        .values("year")
        .annotate(n=Count("pk"))
        .order_by()
        .values_list("year", "n")
    )
    returns: dict[int, dict[str, int]] = {}
    for year, village, amount in (
        DistributionLine.objects.filter(
            village__code__startswith=region_code,
            run__status__in=(RunStatus.POSTED, RunStatus.PUBLISHED),
            run__period_end__year__in=found,
        )
        .values("run__period_end__year", "village_id")
        .annotate(amount=Sum("amount"))
        .order_by()
        .values_list("run__period_end__year", "village_id", "amount")
    ):
        returns.setdefault(year, {})[int(village)] = amount
    result = []
    for year in found:
        codes, total = values[year][0], values[year][1]
        without_returns = None
        if year in returns:
            received = returns[year]
            amounts = np.array([received.get(code, 0) for code in codes.tolist()], dtype=np.int64)
            without_returns = _gini(_less_returns(total, amounts))
        covered = coverage_of(total.size, expected)
        result.append(
            {
                "year": year,
                "villages": int(total.size),
                "expected": expected,
                "complete": covered.complete,
                "median": _median(total),
                "mean": mean_fen(total),
                "gini": _gini(total),
                "theil_t": _theil_t(total),
                "weak": int(weak.get(year, 0)),
                "gini_without_returns": without_returns,
            }
        )
    return result


#: The income a threshold's line is measured on: its total-income line when it has one,
#: else its first other line (a threshold has at least one, by a check constraint).
LINE_FIELDS = (
    ("total_income_below", "total_income"),
    ("operating_income_below", "operating_income"),
    ("recurring_income_below", "recurring_income"),
)


def optimiser_candidates(region_code: str, year: int) -> list[optimise.Village]:
    """The weak villages under `region_code` in `year`, each with its county, income and the
    line it must reach (fen), as the optimiser's input (`lib.optimise.Village`), by code.

    Weak is `with_weak_status` (the one rule). The line is that of the threshold deciding the
    village: the most specific region containing it with a line in force that year, measured
    on the line's income field (`LINE_FIELDS`: total collective income unless the threshold
    sets no total line). Where that region has several thresholds in force (weak under any),
    the one leaving the largest gap is taken, so reaching it clears them all on their
    measures. A village whose figure for that measure is missing is left out (its gap is
    unknown). Three queries: the region, the weak rows, the thresholds.

    Raises Invalid (a ValueError) for an unknown region.
    """
    region_code = str(region_code).strip()
    if not Region.objects.filter(code=region_code).exists():
        raise Invalid(_("Unknown region “{code}”.").format(code=region_code))
    year = int(year)
    rows = list(
        VillageStat.objects.with_weak_status(years=[year], under=region_code)
        .filter(is_weak=True)
        .order_by("village_id")
        .values_list(
            "village_id",
            "village__county_id",
            "total_income",
            "operating_income",
            "recurring_income",
        )
    )
    if not rows:
        return []
    by_region: dict[str, list[tuple[int, int]]] = {}
    # The lines of the regions containing `region_code`, and of the regions below it; the
    # income columns of `rows` follow LINE_FIELDS' order.
    thresholds = WeakVillageThreshold.objects.in_force(year).filter(
        Q(region_id__in=[region_code[:n] for n in range(1, len(region_code) + 1)])
        | Q(region__code__startswith=region_code)
    )
    for threshold in thresholds:
        for i, (line_field, _income) in enumerate(LINE_FIELDS):
            line = getattr(threshold, line_field)
            if line is not None:
                by_region.setdefault(threshold.region_id, []).append((i, line))
                break
    regions = sorted(by_region, key=len, reverse=True)
    candidates = []
    for code, county, *incomes in rows:
        region = next(r for r in regions if code.startswith(r))  # weak: some line is in force
        measured = [
            (line - incomes[i], incomes[i], line)
            for i, line in by_region[region]
            if incomes[i] is not None
        ]
        if not measured:
            continue
        _gap, income, line = max(measured)
        candidates.append(optimise.Village(code, county, income, line))
    return candidates


def data_version() -> int:
    """A number that changes whenever the data behind the indicators may have changed.

    Every write to the statistics, thresholds, villages, regions and distribution runs goes
    to the change log (single writes by signals, bulk writes by their services), so the last
    change-log id is a cheap version (an index-only MAX). Any change anywhere invalidates:
    coarse, but never stale.
    """
    return ObjectChange.objects.aggregate(last=Max("pk"))["last"] or 0


def cached(function, *args, **kwargs):
    """`function(*args, **kwargs)` through the Django cache, keyed by the data version.

    The version is read before the computation, so a write committed meanwhile can only
    make the entry newer than its key says (recomputed under the next version), never stale.
    A refusal (Invalid: unknown region, no statistics) is not cached.
    """
    version = data_version()
    # The share that makes a year complete decides figures too (the latest year, `complete`).
    key = "analytics:{}:{}:{}:{}:{}".format(
        function.__name__,
        ":".join(map(str, args)),
        ":".join(f"{k}={v}" for k, v in sorted(kwargs.items())),
        settings.STATS_COMPLETE_SHARE,
        version,
    )
    value = cache.get(key)
    if value is None:
        value = function(*args, **kwargs)
        cache.set(key, value, CACHE_SECONDS)
    return value


def _less_returns(total: np.ndarray, amounts: np.ndarray) -> np.ndarray:
    """The incomes less the returns received, floored at zero (a village's statistics may
    be lower than what it received, e.g. a late or partial report)."""
    return np.maximum(total - amounts, 0)


def _returns(
    region_code: str, year: int, codes: np.ndarray, total: np.ndarray
) -> dict[str, Any] | None:
    """Returns received per village and the gap with and without them (None if none).

    A village's reported collective income already holds the returns it received (投资收益,
    as the weak line counts them; `lib.scenarios` and the enclave programme read it the
    same way): "with" is the statistics as reported, "without" the statistics less the
    returns (never below zero)."""
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
    received = {int(code): amount for code, amount in received.items()}
    amounts = np.array([received.get(code, 0) for code in codes.tolist()], dtype=np.int64)
    without, with_returns = _gap(_less_returns(total, amounts)), _gap(total)
    receiving = np.flatnonzero(amounts)
    short_names = _short_names([str(c) for c in codes[receiving].tolist()])
    per_village = [
        {"code": str(code), "name": short_names.get(str(code), ""), "amount": int(amount)}
        for code, amount in zip(codes[receiving].tolist(), amounts[receiving].tolist(), strict=True)
    ]
    per_village.sort(key=lambda row: (-row["amount"], row["code"]))
    return {
        "villages_receiving": len(per_village),
        "total": sum_fen(amounts),
        "to_villages_without_statistics": sum(received.values()) - sum_fen(amounts),
        "per_village": per_village,
        "without": without,
        "with": with_returns,
        "change": {
            key: (
                None
                if without[key] is None or with_returns[key] is None
                else _num(with_returns[key] - without[key])
            )
            for key in without
        },
    }
