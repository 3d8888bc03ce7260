"""The reads of points: the version in force, balances (set-based), rankings, the store's
cost, the figures analytics and ventures read.

Balances as of a day: `balances` reads, per household, the effective points (the rule:
`Entry.objects.effective_on`), the points verified or in a notice and not yet effective,
those proposed, the redeemed ones and the balance (base + effective − redeemed, or without
the base when it cannot be redeemed). For today or later it reads the households' tallies
(one row per household and year, kept by the services) plus the few notice entries that
became effective since the last settlement; for an earlier day it sums the entries (one
aggregate query). Both give the same figures (a test holds them equal).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

from django.db import connection
from django.db.models import Count, IntegerField, Q, Sum, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from core.scope import holds_role
from grids.choices import Relation
from grids.models import Household, MicroGrid, Person
from lib.idcard import mask_name
from points.choices import AppealOutcome, EntryState, YearClose
from points.models import (
    PROPOSERS,
    SCORERS,
    Appeal,
    Entry,
    Redemption,
    RuleItem,
    RuleVersion,
    Scheme,
    Tally,
    effective_q,
)

__all__ = [
    "Balance",
    "balances",
    "effective_points",
    "household_balance",
    "in_scheme",
    "item_in_force",
    "label_households",
    "may_propose",
    "may_score",
    "ranking",
    "scheme_households",
    "scheme_rights",
    "store_cost",
    "version_in_force",
]

PENDING = (EntryState.VERIFIED, EntryState.PUBLISHED, EntryState.HELD)
PROPOSED = (EntryState.PROPOSED, EntryState.REVIEW)


def sides(scheme: Scheme) -> list:
    villages = [scheme.village]
    if scheme.grid_id is not None and scheme.grid.partner_village_id:
        villages.append(scheme.grid.partner_village)
    return villages


def may_propose(user, scheme: Scheme) -> bool:
    return any(holds_role(user, PROPOSERS, village=v) for v in sides(scheme))


def may_score(user, scheme: Scheme) -> bool:
    return any(holds_role(user, SCORERS, village=v) for v in sides(scheme))


def scheme_rights(user, scheme: Scheme) -> dict[str, bool]:
    clerk = holds_role(user, Scheme.scope_policy.write_roles, village=scheme.village)
    return {
        "propose": may_propose(user, scheme),
        "score": may_score(user, scheme),
        "manage": clerk,
    }


def scheme_households(scheme: Scheme):
    """The households that score in the scheme: its village's, or its shared grid's."""
    if scheme.grid_id is not None:
        return Household.objects.filter(micro_grid__grid_id=scheme.grid_id)
    return Household.objects.filter(village_id=scheme.village_id)


def in_scheme(scheme: Scheme, household: Household) -> bool:
    if scheme.grid_id is not None:
        return (
            household.micro_grid_id is not None and household.micro_grid.grid_id == scheme.grid_id
        )
    return household.village_id == scheme.village_id


def version_in_force(scheme: Scheme, day: dt.date) -> RuleVersion | None:
    return (
        RuleVersion.objects.filter(scheme=scheme, effective_from__lte=day)
        .order_by("-effective_from")
        .first()
    )


def item_in_force(
    scheme: Scheme, code: str, day: dt.date
) -> tuple[RuleVersion | None, RuleItem | None]:
    version = version_in_force(scheme, day)
    if version is None:
        return None, None
    return version, RuleItem.objects.filter(version=version, code=code).first()


@dataclass
class Balance:
    household_id: int
    number: str
    proposed: int = 0
    pending: int = 0  # verified or in a notice, not yet effective
    effective: int = 0
    redeemed: int = 0
    base: int = 0
    redeemable_base: bool = False
    entries: int = 0

    @property
    def balance(self) -> int:
        return self.base + self.effective - self.redeemed

    @property
    def redeemable(self) -> int:
        return max(0, (self.base if self.redeemable_base else 0) + self.effective - self.redeemed)


def _schemes(scheme=None, region: str | None = None) -> list[Scheme]:
    if scheme is not None:
        return [scheme]
    return list(Scheme.objects.filter(village__code__startswith=region))


def _versions(schemes: list[Scheme], day: dt.date) -> dict[int, RuleVersion]:
    """scheme pk → its version in force on `day` (one query)."""
    found: dict[int, RuleVersion] = {}
    for version in RuleVersion.objects.filter(
        scheme__in=[s.pk for s in schemes], effective_from__lte=day
    ).order_by("scheme_id", "effective_from"):
        found[version.scheme_id] = version
    return found


def _carries(version: RuleVersion | None) -> bool:
    return version is not None and version.year_close == YearClose.CARRY


def _members(schemes: list[Scheme], households) -> list[tuple[int, int, str]]:
    """(scheme pk, household pk, number) of the schemes' households (two queries at most)."""
    only = _household_filter(households, "pk")
    rows = []
    by_village = defaultdict(list)
    by_grid = defaultdict(list)
    for s in schemes:
        (by_grid[s.grid_id] if s.grid_id else by_village[s.village_id]).append(s.pk)
    if by_village:
        for pk, number, village in Household.objects.filter(
            only, village_id__in=list(by_village)
        ).values_list("pk", "number", "village_id"):
            rows.extend((s, pk, number) for s in by_village[village])
    if by_grid:
        for pk, number, grid in Household.objects.filter(
            only, micro_grid__grid_id__in=list(by_grid)
        ).values_list("pk", "number", "micro_grid__grid_id"):
            rows.extend((s, pk, number) for s in by_grid[grid])
    return rows


def _years(schemes, versions, day, field: str, *, upto: bool = True) -> Q:
    """The rows that count on `day`: this year's for a scheme that resets, every year's up to
    this one for a scheme that carries over (`field` a year or a date)."""
    reset = [s.pk for s in schemes if not _carries(versions.get(s.pk))]
    carry = [s.pk for s in schemes if _carries(versions.get(s.pk))]
    if field == "year":
        this, before = Q(year=day.year), Q(year__lte=day.year)
    else:
        last = day if upto else dt.date(day.year, 12, 31)
        this = Q(**{f"{field}__gte": dt.date(day.year, 1, 1), f"{field}__lte": last})
        before = Q(**{f"{field}__lte": last})
    return (Q(scheme_id__in=reset) & this) | (Q(scheme_id__in=carry) & before)


def balances(
    scheme: Scheme | None = None,
    day: dt.date | None = None,
    *,
    region: str | None = None,
    households=None,
    with_empty: bool = True,
) -> list[Balance]:
    """Every household's balance in `scheme` (or in every scheme of the villages under the
    region code `region`) as of `day` (today by default), ordered by household number.

    Set-based whatever the number of schemes: the schemes, their versions in force, their
    households, and for today or later the tallies and the notice entries effective since
    the last settlement (five queries); for an earlier day the entries' aggregate and the
    redemptions' instead of the last two.
    """
    day = day or timezone.localdate()
    if day >= timezone.localdate():
        return _balances_today(scheme, region, day, households, with_empty)
    schemes = _schemes(scheme, region)
    if not schemes:
        return []
    versions = _versions(schemes, day)
    result: dict[tuple[int, int], Balance] = {}

    def row(scheme_pk, pk, number=""):
        found = result.get((scheme_pk, pk))
        if found is None:
            version = versions.get(scheme_pk)
            found = result[(scheme_pk, pk)] = Balance(
                pk,
                number,
                base=version.base_points if version else 0,
                redeemable_base=bool(version and version.base_redeemable),
            )
        return found

    numbers = {}
    for scheme_pk, pk, number in _members(schemes, households):
        numbers[pk] = number
        if with_empty:
            row(scheme_pk, pk, number)
    figures = _from_entries(schemes, versions, day, households)
    for (scheme_pk, pk), values in figures.items():
        target = row(scheme_pk, pk, numbers.get(pk, ""))
        for name, value in values.items():
            setattr(target, name, getattr(target, name) + value)
    return sorted(result.values(), key=lambda b: (b.number, b.household_id))


def _household_filter(households, prefix: str = "household_id") -> Q:
    if households is None:
        return Q()
    return Q(**{f"{prefix}__in": [h if isinstance(h, int) else h.pk for h in households]})


def _sql(sql: str, params) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(sql, list(params))
        return cursor.fetchall()


def _marks(values) -> str:
    return ", ".join(["%s"] * len(values))


def _balances_today(scheme, region, day, households, with_empty) -> list[Balance]:
    """Today (or later): the households' tallies plus the notice entries effective since
    the last settlement, in three or four SQL statements (the read the benchmark times)."""
    t = {
        m: connection.ops.quote_name(m._meta.db_table) for m in (Scheme, RuleVersion, Tally, Entry)
    }
    hh = connection.ops.quote_name(Household._meta.db_table)
    if scheme is not None:
        pks = [scheme.pk]
    else:
        pks = [
            pk
            for (pk,) in _sql(
                f"SELECT id FROM {t[Scheme]} WHERE village_id LIKE %s", [f"{region}%"]
            )
        ]
    if not pks:
        return []
    versions: dict[int, tuple] = {}
    for pk, base, redeemable, close in _sql(
        f"SELECT scheme_id, base_points, base_redeemable, year_close FROM {t[RuleVersion]} "
        f"WHERE scheme_id IN ({_marks(pks)}) AND effective_from <= %s ORDER BY scheme_id, effective_from",
        [*pks, day],
    ):
        versions[pk] = (base, bool(redeemable), close)
    carry = [pk for pk, v in versions.items() if v[2] == YearClose.CARRY] or [0]
    only, only_params = "", []
    if households is not None:
        ids = [h if isinstance(h, int) else h.pk for h in households] or [0]
        only, only_params = f" AND h.id IN ({_marks(ids)})", ids
    years = f"(t.year = %s OR (t.year <= %s AND t.scheme_id IN ({_marks(carry)})))"
    sums = (
        "COALESCE(SUM(t.proposed), 0), COALESCE(SUM(t.verified), 0), "
        "COALESCE(SUM(t.published), 0), COALESCE(SUM(t.effective), 0), "
        "COALESCE(SUM(t.redeemed), 0), COALESCE(SUM(t.entries), 0)"
    )
    join = "LEFT JOIN" if with_empty else "JOIN"
    micro = connection.ops.quote_name(MicroGrid._meta.db_table)
    sql = (
        f"SELECT s.id, h.id, h.number, {sums} FROM {t[Scheme]} s "
        f"JOIN {hh} h ON h.village_id = s.village_id "
        f"{join} {t[Tally]} t ON t.scheme_id = s.id AND t.household_id = h.id AND {years} "
        f"WHERE s.id IN ({_marks(pks)}) AND s.grid_id IS NULL{only} GROUP BY s.id, h.id, h.number "
        "UNION ALL "
        f"SELECT s.id, h.id, h.number, {sums} FROM {t[Scheme]} s "
        f"JOIN {micro} m ON m.grid_id = s.grid_id JOIN {hh} h ON h.micro_grid_id = m.id "
        f"{join} {t[Tally]} t ON t.scheme_id = s.id AND t.household_id = h.id AND {years} "
        f"WHERE s.id IN ({_marks(pks)}) AND s.grid_id IS NOT NULL{only} GROUP BY s.id, h.id, h.number"
    )
    part = [day.year, day.year, *carry]
    rows = _sql(sql, [*part, *pks, *only_params, *part, *pks, *only_params])
    result: dict[tuple[int, int], Balance] = {}
    for s_pk, h_pk, number, p, v, pub, e, r, n in rows:
        base, redeemable, _close = versions.get(s_pk, (0, False, ""))
        result[(s_pk, h_pk)] = Balance(
            h_pk,
            number,
            proposed=int(p),
            pending=int(v) + int(pub),
            effective=int(e),
            redeemed=int(r),
            base=base,
            redeemable_base=redeemable,
            entries=int(n),
        )
    only_e = only.replace("h.id", "household_id")
    late = _sql(
        f"SELECT scheme_id, household_id, SUM(points) FROM {t[Entry]} "
        f"WHERE scheme_id IN ({_marks(pks)}) AND state = %s AND effective_on <= %s "
        f"AND occurred_on <= %s AND (occurred_on >= %s OR scheme_id IN ({_marks(carry)})){only_e} "
        "GROUP BY scheme_id, household_id",
        [
            *pks,
            EntryState.PUBLISHED,
            day,
            dt.date(day.year, 12, 31),
            dt.date(day.year, 1, 1),
            *carry,
            *only_params,
        ],
    )
    for s_pk, h_pk, points in late:
        row = result.get((s_pk, h_pk))
        if row is not None:
            row.pending -= int(points)
            row.effective += int(points)
    return sorted(result.values(), key=lambda b: (b.number, b.household_id))


def _from_entries(schemes, versions, day, households) -> dict[tuple[int, int], dict]:
    """As of an earlier day: the entries' states as they stand, for the entries dated by
    then (in the year, for a scheme that resets), with the effective rule on `day`."""
    zero = Value(0, output_field=IntegerField())
    rows = (
        Entry.objects.filter(
            _years(schemes, versions, day, "occurred_on"), _household_filter(households)
        )
        .values("scheme_id", "household_id")
        .annotate(
            e=Coalesce(Sum("points", filter=effective_q(day)), zero),
            pend=Coalesce(Sum("points", filter=Q(state__in=PENDING) & ~effective_q(day)), zero),
            p=Coalesce(Sum("points", filter=Q(state__in=PROPOSED)), zero),
            n=Count("pk", filter=~Q(state=EntryState.REJECTED)),
        )
    )
    out: dict[tuple[int, int], dict] = defaultdict(lambda: defaultdict(int))
    for row in rows:
        target = out[(row["scheme_id"], row["household_id"])]
        target["effective"] += row["e"]
        target["pending"] += row["pend"]
        target["proposed"] += row["p"]
        target["entries"] += row["n"]
    for scheme_pk, pk, points in (
        Redemption.objects.filter(
            _years(schemes, versions, day, "redeemed_on"), _household_filter(households)
        )
        .values("scheme_id", "household_id")
        .annotate(s=Sum("points"))
        .values_list("scheme_id", "household_id", "s")
    ):
        out[(scheme_pk, pk)]["redeemed"] += points
    return out


def household_balance(scheme: Scheme, household: Household, day: dt.date | None = None) -> Balance:
    found = balances(scheme, day, households=[household.pk])
    return found[0] if found else Balance(household.pk, household.number)


def label_households(household_ids) -> dict[int, str]:
    """household pk → its public label: number and masked head name (徐*妹), nothing else."""
    heads = dict(
        Person.objects.filter(
            household_id__in=list(household_ids), relation=Relation.HEAD
        ).values_list("household_id", "name")
    )
    return {pk: mask_name(name) for pk, name in heads.items()}


@dataclass
class RankRow:
    rank: int
    number: str
    head: str
    effective: int


def ranking(
    scheme: Scheme, day: dt.date | None = None, *, limit: int | None = None
) -> list[RankRow]:
    """The households by effective points (competition ranking: 1, 2, 2, 4), public: the
    household number and the masked head name only."""
    rows = sorted(balances(scheme, day, with_empty=False), key=lambda b: (-b.effective, b.number))
    if limit is not None:
        rows = rows[:limit]
    heads = label_households([b.household_id for b in rows])
    ranked, last, rank = [], None, 0
    for i, b in enumerate(rows, 1):
        if b.effective != last:
            rank, last = i, b.effective
        ranked.append(RankRow(rank, b.number, heads.get(b.household_id, ""), b.effective))
    return ranked


def effective_points(
    household_ids, start: dt.date, end: dt.date, *, as_of: dt.date | None = None
) -> dict[int, int]:
    """household pk → the effective points it earned from `start` to `end` in every scheme
    (dated in the period, effective by `as_of`, default `end`; never below zero): what a
    shares-plus-points dividend pays by. One query."""
    as_of = as_of or end
    rows = (
        Entry.objects.filter(
            effective_q(as_of),
            household_id__in=list(household_ids),
            occurred_on__gte=start,
            occurred_on__lte=end,
        )
        .values("household_id")
        .annotate(s=Sum("points"))
        .values_list("household_id", "s")
    )
    return {pk: max(0, int(s)) for pk, s in rows}


def store_cost(scheme: Scheme, start: dt.date, end: dt.date) -> dict:
    """The store's goods handed out in a period: points spent and their cost in fen at the
    scheme's rate (for the village's accounts)."""
    row = Redemption.objects.filter(
        scheme=scheme, redeemed_on__gte=start, redeemed_on__lte=end
    ).aggregate(points=Coalesce(Sum("points"), 0), cost=Coalesce(Sum("cost_fen"), 0), n=Count("pk"))
    return {"points": row["points"], "cost_fen": row["cost"], "redemptions": row["n"]}


def open_appeal(entry: Entry) -> Appeal | None:
    return entry.appeals.filter(outcome=AppealOutcome.OPEN).first()


def village_figures(year: int, codes=None) -> dict[str, dict[str, int]]:
    """village code → households, households with an entry in the year (not rejected),
    effective points earned in the year (effective by its end), points redeemed in the year:
    the KPIs' inputs (participation rate, points per household, redemption rate). Three
    queries, whatever the number of villages."""
    start, end = dt.date(year, 1, 1), dt.date(year, 12, 31)
    where = Q(village_id__in=list(codes)) if codes is not None else Q()
    figures: dict[str, dict[str, int]] = defaultdict(
        lambda: {"households": 0, "participating": 0, "effective": 0, "redeemed": 0}
    )
    for code, n in (
        Household.objects.filter(where)
        .values("village_id")
        .annotate(n=Count("pk"))
        .values_list("village_id", "n")
    ):
        figures[code]["households"] = n
    hwhere = Q(household__village_id__in=list(codes)) if codes is not None else Q()
    rows = (
        Entry.objects.filter(hwhere, occurred_on__gte=start, occurred_on__lte=end)
        .exclude(state=EntryState.REJECTED)
        .values("household__village_id")
        .annotate(
            n=Count("household_id", distinct=True),
            e=Coalesce(Sum("points", filter=effective_q(end)), 0),
        )
    )
    for row in rows:
        target = figures[row["household__village_id"]]
        target["participating"] = row["n"]
        target["effective"] = int(row["e"])
    for code, points in (
        Redemption.objects.filter(hwhere, redeemed_on__gte=start, redeemed_on__lte=end)
        .values("household__village_id")
        .annotate(s=Sum("points"))
        .values_list("household__village_id", "s")
    ):
        figures[code]["redeemed"] = int(points)
    return dict(figures)


def points_distribution(scheme: Scheme, day: dt.date | None = None) -> dict[str, int]:
    """Effective points per household in the scheme: min, quartiles, max (nearest rank)."""
    values = sorted(b.effective for b in balances(scheme, day))
    if not values:
        return {}

    def at(q):
        return values[min(len(values) - 1, max(0, round(q * (len(values) - 1))))]

    return {
        "households": len(values),
        "min": values[0],
        "p25": at(0.25),
        "median": at(0.5),
        "p75": at(0.75),
        "max": values[-1],
    }
