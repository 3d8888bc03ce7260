"""Reads of the registry that need no actor: how completely a region has reported each year
(`coverage`, and the region's latest complete year), where a village stands among its
peers, and the NBS 2023 division tree the project ships (registry/data/divisions/, all of
China: 31 provinces, ≈620,000 village-level units).

Nothing here writes; the services (registry.services) hold the writes.
"""

from __future__ import annotations

import csv
import gzip
import json
import math
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from typing import Any

import numpy as np
from django.conf import settings
from django.db.models import Count

from lib.ranking import competition_ranks
from registry.choices import RegionLevel
from registry.models import Village, VillageStat

__all__ = [
    "DIVISIONS_DIR",
    "GROUPS_DIR",
    "Coverage",
    "Reporting",
    "combined",
    "complete_share",
    "coverage",
    "coverage_of",
    "latest_year",
    "peers",
    "peers_year",
    "read_divisions",
    "read_region_group",
    "reporting",
    "reporting_by_county",
    "shipped_region_groups",
]

DIVISIONS_DIR = Path(__file__).resolve().parent / "data" / "divisions"
# Region groups (e.g. shanqu26.json, the 26 mountain counties): the one list of each.
GROUPS_DIR = Path(__file__).resolve().parent / "data" / "groups"


def shipped_region_groups() -> list[str]:
    """The codes of the region groups shipped in GROUPS_DIR."""
    return sorted(path.stem for path in GROUPS_DIR.glob("*.json"))


def read_region_group(code: str) -> dict[str, Any]:
    """A shipped group: name, requires_members_for_pairing, source, members [[code, name]]."""
    return json.loads((GROUPS_DIR / f"{code}.json").read_text(encoding="utf-8"))


# --- Coverage: how completely a region reported a year -----------------------------------


def complete_share() -> Fraction:
    """The share of a region's village-level units that must have a statistics row for a
    year to count as complete there (settings.STATS_COMPLETE_SHARE, default 0.9), exact."""
    return Fraction(str(settings.STATS_COMPLETE_SHARE))


@dataclass(frozen=True)
class Coverage:
    """`reported` of the `expected` village-level units have a statistics row for a year.

    Complete when reported ≥ share × expected (the share: `complete_share`). A region
    without any village-level unit (none loaded) is never complete.
    """

    reported: int
    expected: int
    share: Fraction

    @property
    def complete(self) -> bool:
        return self.expected > 0 and self.reported >= self.share * self.expected

    def as_dict(self) -> dict[str, int]:
        """The JSON shape every figure carries: {"reported": N, "expected": M}."""
        return {"reported": self.reported, "expected": self.expected}


def coverage_of(reported: int, expected: int) -> Coverage:
    return Coverage(int(reported), int(expected), complete_share())


@dataclass(frozen=True)
class Reporting:
    """A region's reporting: villages with a row, by year, beside its village-level units."""

    expected: int
    reported: Mapping[int, int]  # year → villages with a statistics row
    share: Fraction

    def coverage(self, year: int) -> Coverage:
        return Coverage(self.reported.get(int(year), 0), self.expected, self.share)

    @property
    def years(self) -> list[int]:
        return sorted(self.reported)

    @property
    def latest(self) -> int | None:
        """The latest complete year; None without statistics.

        When no year is complete (a region only part of whose villages report at all, as a
        province of which two counties use Baotuan), the share is taken of the most villages
        that reported in any year instead, so that a new year's first rows still never
        become "the latest year"; such a year stays marked incomplete wherever it is shown.
        """
        if not self.reported:
            return None
        complete = [year for year in self.reported if self.coverage(year).complete]
        if complete:
            return max(complete)
        most = max(self.reported.values())
        return max(year for year, n in self.reported.items() if n >= self.share * most)


def _under(queryset, field: str, region_code: str):
    return queryset.filter(**{f"{field}__startswith": region_code}) if region_code else queryset


def reporting(region_code: str = "") -> Reporting:
    """The reporting of the villages under `region_code` ("" for the whole registry): two
    queries (the village-level units, the rows per year), whatever the number of villages."""
    region_code = str(region_code).strip()
    expected = _under(Village.objects.all(), "code", region_code).count()
    rows = VillageStat.objects.all()
    if region_code:
        # A range on the row's own key (a village's code), not a join: with count(*) the
        # (year, village) index answers alone (the country: 6.2 million rows).
        after = region_code[:-1] + chr(ord(region_code[-1]) + 1)
        rows = rows.filter(village_id__gte=region_code, village_id__lt=after)
    reported = dict(rows.values("year").annotate(n=Count("*")).order_by().values_list("year", "n"))
    return Reporting(expected, reported, complete_share())


def coverage(region_code: str, year: int) -> Coverage:
    """The coverage of one region in one year (two queries)."""
    return reporting(region_code).coverage(year)


def latest_year(region_code: str = "") -> int | None:
    """The region's latest complete year (see `Reporting.latest`); None without statistics."""
    return reporting(region_code).latest


def reporting_by_county(under: str = "") -> dict[str, Reporting]:
    """The reporting of every county (under `under`, "" for all) that has village-level
    units, by county code; two grouped queries in all."""
    expected = dict(
        _under(Village.objects.all(), "code", under)
        .values("county_id")
        .annotate(n=Count("pk"))
        .order_by()
        .values_list("county_id", "n")
    )
    reported: dict[str, dict[int, int]] = {}
    for county, year, n in (
        _under(VillageStat.objects.all(), "village__code", under)
        .values("village__county_id", "year")
        .annotate(n=Count("pk"))
        .order_by()
        .values_list("village__county_id", "year", "n")
    ):
        reported.setdefault(county, {})[year] = n
    share = complete_share()
    return {county: Reporting(n, reported.get(county, {}), share) for county, n in expected.items()}


def combined(parts: Iterable[Reporting]) -> Reporting:
    """The reporting of a region made of `parts` (e.g. a city of its counties)."""
    parts = list(parts)
    reported: dict[int, int] = {}
    for part in parts:
        for year, n in part.reported.items():
            reported[year] = reported.get(year, 0) + n
    return Reporting(sum(p.expected for p in parts), reported, complete_share())


def peers(
    village_code: str, township_code: str, county_code: str, year: int
) -> dict[str, Any] | None:
    """Where a village stands among its peers in `year` (two queries): its rank by total
    collective income (1 = highest; tied villages share the better rank), the number of
    villages with statistics, the share ranked above it, and the median — among the villages
    of its township and of its county, each with its coverage (`reported` of `expected`
    village-level units, `complete`). None if the village has no statistics that year."""
    rows = list(
        VillageStat.objects.filter(village__county_id=county_code, year=year).values_list(
            "village_id", "village__township_id", "total_income"
        )
    )
    own = next((row[2] for row in rows if row[0] == village_code), None)
    if own is None:
        return None
    units = dict(
        Village.objects.filter(county_id=county_code)
        .values("township_id")
        .annotate(n=Count("pk"))
        .order_by()
        .values_list("township_id", "n")
    )

    def standing(incomes: list[int], expected: int) -> dict[str, Any]:
        # Competition ranks, as on the dashboard's ranking (lib.ranking): 1 + the number of
        # villages with a higher income (listing `own` once more changes no rank).
        rank = competition_ranks([own, *incomes])[0][0]
        above = rank - 1
        top_share = (above + 1) / len(incomes)
        covered = coverage_of(len(incomes), expected)
        return {
            "rank": rank,
            "of": len(incomes),
            "top_share": round(top_share, 4) if math.isfinite(top_share) else None,
            "median": int(round(float(np.median(np.array(incomes, dtype=np.float64))))),
            "coverage": covered.as_dict(),
            "complete": covered.complete,
        }

    return {
        "year": year,
        "total_income": own,
        "township": standing(
            [row[2] for row in rows if row[1] == township_code], units.get(township_code, 0)
        ),
        "county": standing([row[2] for row in rows], sum(units.values())),
    }


def peers_year(county_code: str, years: Iterable[int]) -> int | None:
    """The year a village is placed among its peers: its county's latest complete year
    when the village reported it, else the village's own latest year (`years`: the years the
    village has statistics for), which is then shown with its coverage, marked incomplete."""
    years = sorted(years)
    if not years:
        return None
    latest = latest_year(county_code)
    return latest if latest in years else years[-1]


def _rows(name: str) -> Iterator[dict[str, str]]:
    with gzip.open(DIVISIONS_DIR / f"{name}.csv.gz", "rt", encoding="utf-8", newline="") as f:
        yield from csv.DictReader(f)


def _selected(row: dict[str, str], provinces: set[str], areas: set[str]) -> bool:
    if row.get("provinceCode", row["code"][:2]) in provinces:
        return True
    area = row.get("areaCode") or (row["code"][:6] if len(row["code"]) >= 6 else None)
    if area in areas:
        return True
    # Ancestors of a selected area (its province and city) are needed for the tree.
    return any(a.startswith(row["code"]) for a in areas)


def read_divisions(
    provinces: Iterable[str] = (), areas: Iterable[str] = ()
) -> tuple[list[tuple[str, str, int, str | None]], list[tuple[str, str, str]]]:
    """Regions (code, name, level, parent) and villages (code, name, township) selected."""
    provinces, areas = set(provinces), set(areas)
    regions: list[tuple[str, str, int, str | None]] = []
    for file, level, parent_key in (
        ("provinces", RegionLevel.PROVINCE, None),
        ("cities", RegionLevel.CITY, "provinceCode"),
        ("areas", RegionLevel.COUNTY, "cityCode"),
        ("streets", RegionLevel.TOWNSHIP, "areaCode"),
    ):
        for row in _rows(file):
            if _selected(row, provinces, areas):
                parent = row[parent_key] if parent_key else None
                regions.append((row["code"], row["name"], int(level), parent))
    villages = [
        (row["code"], row["name"], row["streetCode"])
        for row in _rows("villages")
        if row["provinceCode"] in provinces or row["areaCode"] in areas
    ]
    return regions, villages
