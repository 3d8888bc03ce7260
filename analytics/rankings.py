"""Rankings (比拼晾晒): KPI sources, frozen snapshots per period, and their read side.

- `KPI_SOURCES`: the registry of indicators a scheme may rank by. Each source reads the
  values of all ranked villages for a year in one or two queries.
- `compute_snapshot(scheme, year, user)`: ranks the scheme's villages for the year with
  `lib.ranking` and freezes the result. A period is computed once; computing it again is
  refused, and a correction (with a reason) is a new version that supersedes the old.
- `ranking_table`, `rank_history`, `current_snapshots`: what the showcase and the API show,
  with movement (↑↓) against the previous period's current version, computed when read so
  that a correction of last year shows in this year's movement.
- `showcase_version` / `bump_showcase_version`: the generation the showcase's page cache is
  keyed by (see analytics.showcase).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

import orjson
from django.core.cache import cache
from django.db import transaction
from django.db.models import Count, Max
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from alliances import selectors as alliance_selectors
from analytics.models import (
    MemberRule,
    RankingEntry,
    RankingKPI,
    RankingScheme,
    RankingSnapshot,
)
from audit.models import ObjectChange
from audit.services import log_bulk
from core.db import bulk_insert
from core.scope import may_write
from lib import ranking as scoring
from projects import selectors as project_selectors
from registry.models import VillageStat

__all__ = [
    "KPI_SOURCES",
    "KPISource",
    "NotAllowed",
    "RankingError",
    "bump_showcase_version",
    "compute_snapshot",
    "current_snapshots",
    "rank_history",
    "ranked_villages",
    "ranking_table",
    "showcase_version",
]

Values = dict[str, float | int | None]


class RankingError(ValueError):
    """A snapshot that cannot be computed (frozen period, no data, bad scheme); nothing changed."""


class NotAllowed(PermissionError):
    """The user may not compute rankings; nothing changed."""


# ----------------------------------------------------------------------------- KPI sources


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


def _number(value: Any) -> float | None:
    if value is None:
        return None
    number = float(value)
    return number if math.isfinite(number) else None


@dataclass(frozen=True)
class KPISource:
    """An indicator a scheme may rank by; `unit` tells the showcase how to show raw values."""

    label: str | Promise
    unit: str  # "fen", "ratio" (shown as %), "percent" (already 0–100)
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
}


# ------------------------------------------------------------------------------ computing


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


def _clean(value: float | int | None) -> float | int | None:
    if value is None or isinstance(value, int):
        return value
    return round(float(value), 6) if math.isfinite(value) else None


ENTRY_FIELDS = ["snapshot_id", "village_id", "values", "scores", "score", "rank", "tied"]


def compute_snapshot(
    scheme: RankingScheme, year: int, user=None, *, correction: str | None = None
) -> RankingSnapshot:
    """Rank the scheme's villages for `year` and freeze the result.

    Args:
        user: the acting user (must be an unscoped city admin); None for trusted callers
            (the `baotuan rank` command, the demo loader).
        correction: None for the first computation of the period. To correct a frozen
            period, the reason: the result is a new version that supersedes the latest.

    Raises:
        NotAllowed: the user may not compute rankings.
        RankingError: the period is frozen (and no correction was asked), there is nothing
            to correct, the scheme has no KPIs or an unknown one, nobody is
            ranked, or no village has any value for the year.
    """
    if user is not None and not may_write(user, RankingSnapshot):
        raise NotAllowed(_("You may not compute rankings."))
    year = int(year)
    if correction is not None and not correction.strip():
        raise RankingError(_("A correction needs a reason."))
    with transaction.atomic():
        # The scheme row is the lock: two computations of one scheme run one after the other.
        scheme = RankingScheme.objects.select_for_update().get(pk=scheme.pk)
        latest = (
            RankingSnapshot.objects.filter(scheme=scheme, period=year).order_by("-version").first()
        )
        if latest is not None and correction is None:
            raise RankingError(
                _(
                    "The ranking of {year} is frozen (version {version}); a correction is a "
                    "new version with a reason."
                ).format(year=year, version=latest.version)
            )
        if latest is None and correction is not None:
            raise RankingError(_("There is no ranking of {year} to correct.").format(year=year))
        kpis = list(RankingKPI.objects.filter(scheme=scheme).order_by("order", "pk"))
        if not kpis:
            raise RankingError(_("The scheme has no KPIs."))
        for kpi in kpis:
            source = KPI_SOURCES.get(kpi.key)
            if source is None:
                raise RankingError(
                    _("The indicator “{key}” is unknown or not available.").format(key=kpi.key)
                )
        codes = ranked_villages(scheme, year)
        if not codes:
            raise RankingError(_("Nobody to rank in {year}.").format(year=year))
        columns = [KPI_SOURCES[kpi.key].values(scheme, codes, year) for kpi in kpis]
        matrix = [[_clean(column.get(code)) for column in columns] for code in codes]
        try:
            result = scoring.rank(matrix, [k.direction for k in kpis], [k.weight for k in kpis])
        except ValueError:
            raise RankingError(
                _("No village ranked has any value for {year}.").format(year=year)
            ) from None

        shares = dict(zip(result.used, result.weights.tolist(), strict=True))
        method = [
            {
                "key": kpi.key,
                "label": kpi.label or str(KPI_SOURCES[kpi.key].label),
                "unit": KPI_SOURCES[kpi.key].unit,
                "direction": kpi.direction,
                "weight": str(kpi.weight),
                "share": round(shares[k], 6) if k in shares else None,
                "omitted": k in result.omitted,
            }
            for k, kpi in enumerate(kpis)
        ]
        snapshot = RankingSnapshot.objects.create(
            scheme=scheme,
            period=year,
            version=1 if latest is None else latest.version + 1,
            supersedes=latest,
            reason=correction or "",
            kpis=method,
            computed_by=user,
            is_illustrative=scheme.is_illustrative,
        )
        rows = []
        for i, code in enumerate(codes):
            values = {kpi.key: matrix[i][k] for k, kpi in enumerate(kpis)}
            scores = {
                kpis[k].key: round(float(result.kpi_scores[i][j]), 2)
                for j, k in enumerate(result.used)
            }
            rows.append(
                (
                    snapshot.pk,
                    code,
                    orjson.dumps(values).decode(),
                    orjson.dumps(scores).decode(),
                    Decimal(result.points[i]) / 100,
                    result.ranks[i],
                    result.tied[i],
                )
            )
        bulk_insert(RankingEntry, ENTRY_FIELDS, rows)
        pks = dict(RankingEntry.objects.filter(snapshot=snapshot).values_list("village_id", "pk"))
        names = ["id", *ENTRY_FIELDS]
        log_bulk(
            RankingEntry,
            (
                (
                    ObjectChange.Action.CREATE,
                    pks[row[1]],
                    f"{row[1]} #{row[5]}",
                    None,
                    dict(zip(names, (pks[row[1]], *row[:4], str(row[4]), *row[5:]), strict=True)),
                )
                for row in rows
            ),
        )
        transaction.on_commit(bump_showcase_version)
    return snapshot


# ---------------------------------------------------------------------------- reading


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
    return {"snapshot": snapshot, "previous": previous, "rows": rows}


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
