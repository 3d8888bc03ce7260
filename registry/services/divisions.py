"""Loading the NBS 2023 division tree (统计用区划代码) that the project ships.

The files in registry/data/divisions/ cover all of China (31 provinces, ≈620,000
village-level units); `load_divisions` loads the provinces and counties asked for. Codes are
natural keys, so a second load inserts nothing and updates only renamed units.
"""

from __future__ import annotations

import csv
import gzip
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from django.db import transaction

from audit.models import ObjectChange
from audit.services import log_bulk
from core.db import bulk_insert, bulk_update
from registry.choices import RegionLevel
from registry.models import Region, Village, short_village_name, village_kind

DIVISIONS_DIR = Path(__file__).resolve().parent.parent / "data" / "divisions"

__all__ = ["DIVISIONS_DIR", "DivisionLoadResult", "load_divisions", "read_divisions"]


@dataclass
class DivisionLoadResult:
    created: dict[str, int] = field(default_factory=dict)
    updated: dict[str, int] = field(default_factory=dict)

    @property
    def total_created(self) -> int:
        return sum(self.created.values())


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


@transaction.atomic
def load_divisions(provinces: Iterable[str] = (), areas: Iterable[str] = ()) -> DivisionLoadResult:
    """Insert missing regions and villages, rename changed ones; all in one transaction."""
    provinces, areas = list(provinces), list(areas)
    unknown = [c for c in provinces if len(c) != 2 or not c.isdigit()] + [
        c for c in areas if len(c) != 6 or not c.isdigit()
    ]
    if unknown:
        raise ValueError(f"not a province (2 digits) or county (6 digits) code: {unknown}")
    regions, villages = read_divisions(provinces, areas)
    found = {code for code, *_ in regions}
    missing = [c for c in provinces + areas if c not in found]
    if missing:
        raise ValueError(f"no such division in the NBS 2023 data: {missing}")
    result = DivisionLoadResult()

    existing = dict(
        Region.objects.filter(code__in=[r[0] for r in regions]).values_list("code", "name")
    )
    new_regions = [r for r in regions if r[0] not in existing]
    renamed_regions = [r for r in regions if r[0] in existing and existing[r[0]] != r[1]]
    # Parents before children: the list is in level order, so FKs resolve as rows arrive.
    bulk_insert(Region, ["code", "name", "level", "parent_id"], new_regions)
    bulk_update(Region, "code", ["name"], [(c, n) for c, n, *_ in renamed_regions])
    result.created["regions"] = len(new_regions)
    result.updated["regions"] = len(renamed_regions)

    existing_v: dict[str, str] = {}
    prefixes = provinces + areas
    for prefix in prefixes:
        existing_v.update(Village.objects.in_region(prefix).values_list("code", "name"))
    new_villages = [
        (code, name, short_village_name(name), village_kind(name), township, code[:6])
        for code, name, township in villages
        if code not in existing_v
    ]
    renamed = [
        (code, name, short_village_name(name), village_kind(name))
        for code, name, _ in villages
        if code in existing_v and existing_v[code] != name
    ]
    bulk_insert(
        Village, ["code", "name", "short_name", "kind", "township_id", "county_id"], new_villages
    )
    bulk_update(Village, "code", ["name", "short_name", "kind"], renamed)
    result.created["villages"] = len(new_villages)
    result.updated["villages"] = len(renamed)

    fields_r = ("code", "name", "level", "parent_id")
    log_bulk(
        Region,
        [(ObjectChange.Action.CREATE, r[0], r[1], None, dict(zip(fields_r, r, strict=True))) for r in new_regions]
        + [
            (ObjectChange.Action.UPDATE, r[0], r[1], {"name": existing[r[0]]}, {"name": r[1]})
            for r in renamed_regions
        ],
    )
    fields_v = ("code", "name", "short_name", "kind", "township_id", "county_id")
    log_bulk(
        Village,
        [(ObjectChange.Action.CREATE, v[0], v[2], None, dict(zip(fields_v, v, strict=True))) for v in new_villages]
        + [
            (ObjectChange.Action.UPDATE, v[0], v[2], {"name": existing_v[v[0]]}, {"name": v[1]})
            for v in renamed
        ],
    )
    return result
