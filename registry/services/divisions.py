"""Loading the NBS 2023 division tree (统计用区划代码) that the project ships.

`load_divisions` loads the provinces and counties asked for from the files that
`registry.selectors.read_divisions` reads. Codes are natural keys, so a second load inserts
nothing and updates only renamed units.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db import transaction
from django.utils.translation import gettext as _

from audit.models import ObjectChange
from audit.services import log_bulk
from core.actors import require_actor
from core.db import bulk_insert, bulk_update
from core.errors import Invalid, NotAllowed
from core.scope import may_write
from registry.models import Region, Village, short_village_name, village_kind
from registry.selectors import read_divisions

__all__ = ["DivisionLoadResult", "load_divisions"]


@dataclass
class DivisionLoadResult:
    created: dict[str, int] = field(default_factory=dict)
    updated: dict[str, int] = field(default_factory=dict)

    @property
    def total_created(self) -> int:
        return sum(self.created.values())


@transaction.atomic
def load_divisions(
    provinces: Iterable[str] = (), areas: Iterable[str] = (), *, actor
) -> DivisionLoadResult:
    """Insert missing regions and villages, rename changed ones; all in one transaction.

    The division tree is reference data: only an unscoped city admin (or SYSTEM, for the
    `load_divisions` command and the demo) loads it. Unknown or malformed codes are refused
    (`Invalid`, a ValueError) with nothing written.
    """
    actor = require_actor(actor)
    if not may_write(actor, Region):
        raise NotAllowed(_("Only a city administrator loads the division tree."))
    provinces, areas = list(provinces), list(areas)
    unknown = [c for c in provinces if len(c) != 2 or not c.isdigit()] + [
        c for c in areas if len(c) != 6 or not c.isdigit()
    ]
    if unknown:
        raise Invalid(f"not a province (2 digits) or county (6 digits) code: {unknown}")
    regions, villages = read_divisions(provinces, areas)
    found = {code for code, *_ in regions}
    missing = [c for c in provinces + areas if c not in found]
    if missing:
        raise Invalid(f"no such division in the NBS 2023 data: {missing}")
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
        [
            (ObjectChange.Action.CREATE, r[0], r[1], None, dict(zip(fields_r, r, strict=True)))
            for r in new_regions
        ]
        + [
            (ObjectChange.Action.UPDATE, r[0], r[1], {"name": existing[r[0]]}, {"name": r[1]})
            for r in renamed_regions
        ],
    )
    fields_v = ("code", "name", "short_name", "kind", "township_id", "county_id")
    log_bulk(
        Village,
        [
            (ObjectChange.Action.CREATE, v[0], v[2], None, dict(zip(fields_v, v, strict=True)))
            for v in new_villages
        ]
        + [
            (ObjectChange.Action.UPDATE, v[0], v[2], {"name": existing_v[v[0]]}, {"name": v[1]})
            for v in renamed
        ],
    )
    return result
