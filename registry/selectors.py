"""Reads of the registry that need no actor: where a village stands among its peers.

Nothing here writes; the services (registry.services) hold the writes.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from lib.ranking import competition_ranks
from registry.models import VillageStat

__all__ = ["peers"]


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
