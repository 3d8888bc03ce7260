"""Reads of the registry that need no actor: where a village stands among its peers, and
the NBS 2023 division tree the project ships (registry/data/divisions/, all of China:
31 provinces, ≈620,000 village-level units).

Nothing here writes; the services (registry.services) hold the writes.
"""

from __future__ import annotations

import csv
import gzip
import math
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import numpy as np

from lib.ranking import competition_ranks
from registry.choices import RegionLevel
from registry.models import VillageStat

__all__ = ["DIVISIONS_DIR", "peers", "read_divisions"]

DIVISIONS_DIR = Path(__file__).resolve().parent / "data" / "divisions"


def peers(
    village_code: str, township_code: str, county_code: str, year: int
) -> dict[str, Any] | None:
    """Where a village stands among its peers in `year` (one query): its rank by total
    collective income (1 = highest; tied villages share the better rank), the number of
    villages with statistics, the share ranked above it, and the median — among the villages
    of its township and of its county. None if the village has no statistics that year."""
    rows = list(
        VillageStat.objects.filter(village__county_id=county_code, year=year).values_list(
            "village_id", "village__township_id", "total_income"
        )
    )
    own = next((row[2] for row in rows if row[0] == village_code), None)
    if own is None:
        return None

    def standing(incomes: list[int]) -> dict[str, Any]:
        # Competition ranks, as on the dashboard's ranking (lib.ranking): 1 + the number of
        # villages with a higher income (listing `own` once more changes no rank).
        rank = competition_ranks([own, *incomes])[0][0]
        above = rank - 1
        top_share = (above + 1) / len(incomes)
        return {
            "rank": rank,
            "of": len(incomes),
            "top_share": round(top_share, 4) if math.isfinite(top_share) else None,
            "median": int(round(float(np.median(np.array(incomes, dtype=np.float64))))),
        }

    return {
        "year": year,
        "total_income": own,
        "township": standing([row[2] for row in rows if row[1] == township_code]),
        "county": standing([row[2] for row in rows]),
    }


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
