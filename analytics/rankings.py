"""Rankings (比拼晾晒): who a scheme ranks, and the read side of its frozen snapshots.

- `ranked_villages`: the villages a scheme ranks in a year (see `MemberRule`).
- `ranking_table`, `rank_history`, `current_snapshots`: what the showcase and the API show,
  with movement (↑↓) against the previous period's current version, computed when read so
  that a correction of last year shows in this year's movement.
- `showcase_version` / `bump_showcase_version`: the generation the showcase's page cache is
  keyed by (see analytics.showcase).

The indicators ranked by are `analytics.kpis.KPI_SOURCES`; computing and freezing a
snapshot is the write `analytics.services.compute_snapshot`.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.core.cache import cache
from django.db.models import Count, Max
from django.utils import timezone

from analytics.choices import MemberRule
from analytics.models import RankingEntry, RankingScheme, RankingSnapshot
from registry.models import Village, VillageStat
from registry.selectors import coverage_of

__all__ = [
    "bump_showcase_version",
    "current_snapshots",
    "rank_history",
    "ranked_villages",
    "ranking_table",
    "showcase_version",
]


def ranked_villages(scheme: RankingScheme, year: int) -> list[str]:
    """The codes of the villages the scheme ranks for `year` (see `MemberRule`)."""
    if scheme.alliance_id is not None:
        from alliances.models import Membership

        day = date(year, 12, 31)
        if scheme.member_rule == MemberRule.CURRENT:
            day = timezone.localdate()
        return sorted(
            Membership.objects.filter(alliance_id=scheme.alliance_id, village__isnull=False)
            .members_on(day)
            .values_list("village_id", flat=True)
            .distinct()
        )
    return sorted(
        VillageStat.objects.filter(year=year, village__code__startswith=scheme.region_id)
        .values_list("village_id", flat=True)
        .distinct()
    )


def current_snapshots(scheme: RankingScheme) -> dict[int, RankingSnapshot]:
    """The highest version of each period of the scheme, by period (one query)."""
    latest: dict[int, RankingSnapshot] = {}
    for snapshot in RankingSnapshot.objects.filter(scheme=scheme).order_by("period", "version"):
        latest[snapshot.period] = snapshot
    return latest


def _entries(snapshot_ids: list[int]) -> list[dict[str, Any]]:
    return list(
        RankingEntry.objects.filter(snapshot_id__in=snapshot_ids)
        .order_by("rank", "village_id")
        .values(
            "snapshot_id",
            "village_id",
            "village__short_name",
            "village__township__name",
            "values",
            "scores",
            "score",
            "rank",
            "tied",
        )
    )


def ranking_table(
    scheme: RankingScheme, year: int, snapshots: dict[int, RankingSnapshot] | None = None
) -> dict[str, Any] | None:
    """The frozen ranking of `year` (current version) with movement; None if not computed.

    Movement is the rank last period minus the rank now (+2: up two places), None for a
    village not ranked last period. Rows are in rank order, ties by village code.

    `coverage` ({"reported": N, "expected": M}) and `complete` say what the ranking stands
    on: of the villages the scheme ranks (an alliance's members; a region's village-level
    units), how many have statistics for the year (one query more, two for a region).
    """
    snapshots = current_snapshots(scheme) if snapshots is None else snapshots
    snapshot = snapshots.get(year)
    if snapshot is None:
        return None
    previous = snapshots.get(year - 1)
    ids = [snapshot.pk] + ([previous.pk] if previous else [])
    entries = _entries(ids)
    before = {
        e["village_id"]: e["rank"] for e in entries if previous and e["snapshot_id"] == previous.pk
    }
    rows = []
    for e in entries:
        if e["snapshot_id"] != snapshot.pk:
            continue
        last = before.get(e["village_id"])
        rows.append(
            {
                "code": e["village_id"],
                "name": e["village__short_name"],
                "township": e["village__township__name"],
                "values": e["values"],
                "scores": e["scores"],
                "score": e["score"],
                "rank": e["rank"],
                "tied": e["tied"],
                "previous_rank": last,
                "movement": None if last is None else last - e["rank"],
            }
        )
    codes = [row["code"] for row in rows]
    reported = VillageStat.objects.filter(year=year, village_id__in=codes).count()
    if scheme.alliance_id is None and scheme.region_id:
        expected = Village.objects.filter(code__startswith=scheme.region_id).count()
    else:
        expected = len(codes)
    covered = coverage_of(reported, expected)
    return {
        "snapshot": snapshot,
        "previous": previous,
        "rows": rows,
        "coverage": covered.as_dict(),
        "complete": covered.complete,
    }


def rank_history(
    scheme: RankingScheme, snapshots: dict[int, RankingSnapshot] | None = None
) -> dict[str, Any]:
    """Ranks of every village over the scheme's periods (current versions), for a chart:
    {"years": [...], "series": [{"code", "name", "ranks": [rank or None per year]}]}."""
    snapshots = current_snapshots(scheme) if snapshots is None else snapshots
    years = sorted(snapshots)
    position = {snapshots[y].pk: i for i, y in enumerate(years)}
    series: dict[str, dict[str, Any]] = {}
    for e in _entries(list(position)):
        line = series.setdefault(
            e["village_id"],
            {
                "code": e["village_id"],
                "name": e["village__short_name"],
                "ranks": [None] * len(years),
            },
        )
        line["ranks"][position[e["snapshot_id"]]] = e["rank"]
    ordered = sorted(
        series.values(),
        key=lambda s: (s["ranks"][-1] if s["ranks"] and s["ranks"][-1] else 10**6, s["code"]),
    )
    return {"years": years, "series": ordered}


# ------------------------------------------------------------------ showcase cache version

VERSION_KEY = "showcase:version"
# How long a process trusts its cached version before re-reading it from the database.
# A snapshot computed in this process bumps it at once; with a per-process cache
# (LocMemCache) other processes see a new snapshot within this many seconds.
VERSION_SECONDS = 60


def _database_version() -> str:
    snapshots = RankingSnapshot.objects.aggregate(last=Max("pk"), count=Count("pk"))
    schemes = RankingScheme.objects.aggregate(
        changed=Max("updated_at"),
        kpi_changed=Max("kpis__updated_at"),
        count=Count("pk", distinct=True),
        kpis=Count("kpis", distinct=True),
    )
    parts = [
        snapshots["last"],
        snapshots["count"],
        schemes["changed"],
        schemes["kpi_changed"],
        schemes["count"],
        schemes["kpis"],
    ]
    stamp = "-".join(
        "" if p is None else str(p.timestamp() if hasattr(p, "timestamp") else p) for p in parts
    )
    return stamp.replace(" ", "")


def showcase_version() -> str:
    """The generation of the showcase's cached pages (no query while it is cached)."""
    version = cache.get(VERSION_KEY)
    if version is None:
        version = _database_version()
        cache.set(VERSION_KEY, version, VERSION_SECONDS)
    return version


def bump_showcase_version() -> None:
    """Start a new generation: the next showcase request renders afresh."""
    cache.set(VERSION_KEY, _database_version(), VERSION_SECONDS)
