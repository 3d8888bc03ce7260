"""Reads for scenarios (issue 15, item 1): the actual figures of a region and year as
`lib.scenarios.Base`, changes checked against them, and scenarios side by side with the
actual. No writes here (those are `analytics.services`); nothing real is ever changed.

The base is read in a fixed number of queries whatever the number of villages: the region;
the statistics of its villages in the year; the weak lines that can judge them (as
`with_weak_status` reads them); the villages' capital in each venture (contributions up to
the end of the year) and the returns they received in the year (lines of posted or published
runs whose period ends in it); the same two summed per venture over every village holder
(each park's actual rate); and the ventures' names. Then numpy does the rest
(`lib.scenarios`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

import numpy as np
from django.db.models import Q, Sum
from django.utils.translation import gettext as _

from core.errors import Invalid
from lib import scenarios as lib
from registry.choices import ThresholdRule
from registry.models import Region, VillageStat, WeakVillageThreshold
from ventures.choices import RunStatus
from ventures.models import Contribution, DistributionLine, Venture

__all__ = ["Loaded", "clean_changes", "comparison", "load_base", "message"]


@dataclass(frozen=True)
class Loaded:
    """A base with what the pages show beside it."""

    region: dict[str, Any]  # code, name, level
    year: int
    base: lib.Base
    names: list[str]  # village short names, aligned with base.codes
    parks: dict[str, str]  # park key → name, for the existing parks


def _messages() -> dict[str, str]:
    # lib.scenarios' MESSAGES as plain _() calls, so that makemessages finds them (the English
    # must stay identical to the library's; a test checks it).
    return {
        "scenario.not_a_list": _("The changes must be a list of changes."),
        "scenario.not_a_change": _("Change {number} is not an object with a “kind”."),
        "scenario.unknown_kind": _("Change {number}: unknown kind “{kind}”."),
        "scenario.missing": _("Change {number}: “{field}” is missing."),
        "scenario.unexpected": _("Change {number}: unexpected field “{field}”."),
        "scenario.not_whole": _(
            "Change {number}: “{field}” must be a whole number, not {value!r}."
        ),
        "scenario.out_of_range": _("Change {number}: “{field}” is {value}, outside 0 to {limit}."),
        "scenario.zero": _("Change {number}: “{field}” must be above zero."),
        "scenario.park_xor": _(
            "Change {number}: name the park either by “venture” (an existing park) or by "
            "“park” (a new one), not both or neither."
        ),
        "scenario.bad_name": _("Change {number}: “{field}” must be a non-empty text."),
        "scenario.bad_code": _(
            "Change {number}: “{field}” must be a code of digits, not {value!r}."
        ),
        "scenario.duplicate_park": _("Change {number}: the new park “{park}” is defined twice."),
        "scenario.duplicate_rate": _("Change {number}: the rate of this park is changed twice."),
        "scenario.unknown_park": _("Change {number}: no park “{park}” in this scenario."),
        "scenario.unknown_village": _("Change {number}: village {village} has no statistics here."),
    }


def message(error: lib.ScenarioError) -> str:
    """A scenario error in the active language."""
    template = _messages().get(error.key)
    return str(error) if template is None else template.format(**error.params)


def load_base(region_code: str, year: int) -> Loaded:
    """The actual figures of the villages under `region_code` in `year` (module docstring).

    Raises Invalid for an unknown region or a year without statistics there.
    """
    region_code = str(region_code).strip()
    region = Region.objects.filter(code=region_code).values_list("name", "level").first()
    if region is None:
        raise Invalid(_("Unknown region “{code}”.").format(code=region_code))
    year = int(year)
    rows = list(
        VillageStat.objects.filter(village__code__startswith=region_code, year=year)
        .order_by("village_id")
        .values_list(
            "village_id",
            "village__county_id",
            "total_income",
            "operating_income",
            "recurring_income",
            "village__short_name",
        )
    )
    if not rows:
        raise Invalid(
            _("No statistics for {name} ({code}) in {year}.").format(
                name=region[0], code=region_code, year=year
            )
        )
    codes, counties, total, operating, recurring, names = zip(*rows, strict=True)
    codes_array = np.array(codes)

    # The lines that can judge these rows, as with_weak_status reads them.
    thresholds = tuple(
        lib.Threshold(
            region=t.region_id,
            total=t.total_income_below,
            operating=t.operating_income_below,
            recurring=t.recurring_income_below,
            all_=t.rule == ThresholdRule.ALL,
        )
        for t in WeakVillageThreshold.objects.in_force(year).filter(
            Q(region_id__in=[region_code[:n] for n in range(1, len(region_code) + 1)])
            | Q(region__code__startswith=region_code)
        )
    )

    year_end = date(year, 12, 31)
    posted = (RunStatus.POSTED, RunStatus.PUBLISHED)
    capital = Contribution.objects.filter(village__isnull=False, contributed_on__lte=year_end)
    received = DistributionLine.objects.filter(
        village__isnull=False, run__status__in=posted, run__period_end__year=year
    )
    holdings: dict[tuple[str, str], list[int]] = {}
    for venture, village, amount in (
        capital.filter(village__code__startswith=region_code)
        .values("venture_id", "village_id")
        .annotate(amount=Sum("amount"))
        .order_by()
        .values_list("venture_id", "village_id", "amount")
    ):
        holdings.setdefault((village, lib.venture_key(venture)), [0, 0])[0] = int(amount)
    for venture, village, amount in (
        received.filter(village__code__startswith=region_code)
        .values("run__venture_id", "village_id")
        .annotate(amount=Sum("amount"))
        .order_by()
        .values_list("run__venture_id", "village_id", "amount")
    ):
        holdings.setdefault((village, lib.venture_key(venture)), [0, 0])[1] = int(amount)
    # Each park's actual rate, over all its village holders (inside the region or not).
    park_capital = dict(
        capital.values("venture_id")
        .annotate(amount=Sum("amount"))
        .order_by()
        .values_list("venture_id", "amount")
    )
    park_received = dict(
        received.values("run__venture_id")
        .annotate(amount=Sum("amount"))
        .order_by()
        .values_list("run__venture_id", "amount")
    )
    ventures = set(park_capital) | set(park_received)
    rates = {
        lib.venture_key(v): lib.actual_rate(
            int(park_capital.get(v) or 0), int(park_received.get(v) or 0)
        )
        for v in ventures
    }
    index = {code: i for i, code in enumerate(codes)}
    kept = [(index[v], park, c, r) for (v, park), (c, r) in holdings.items() if v in index]
    kept.sort()
    base = lib.Base(
        codes=codes_array,
        counties=np.array(counties),
        total=np.array(total, dtype=np.int64),
        operating=np.array([np.nan if v is None else v for v in operating], dtype=np.float64),
        recurring=np.array([np.nan if v is None else v for v in recurring], dtype=np.float64),
        thresholds=thresholds,
        holdings=lib.Holdings(
            village=np.array([k[0] for k in kept], dtype=np.int64),
            park=np.array([k[1] for k in kept], dtype=str) if kept else np.zeros(0, "<U1"),
            capital=np.array([k[2] for k in kept], dtype=np.int64),
            received=np.array([k[3] for k in kept], dtype=np.int64),
        ),
        rates=rates,
    )
    parks = {
        lib.venture_key(pk): name
        for pk, name in Venture.objects.filter(pk__in=ventures).values_list("pk", "name")
    }
    return Loaded(
        region={"code": region_code, "name": region[0], "level": region[1]},
        year=year,
        base=base,
        names=list(names),
        parks=parks,
    )


def clean_changes(changes: Any, loaded: Loaded, *, dry_run: bool = True) -> tuple[lib.Change, ...]:
    """The changes parsed and checked against the base: every venture named exists, every
    village has statistics in the base, every weak line's region is in or around the
    scenario's region. Raises Invalid with a message in the active language.

    The last two checks are a dry run of the recomputation; `dry_run=False` leaves them to
    the caller's own recomputation (`comparison`), which refuses the same way."""
    try:
        parsed = lib.parse_changes(changes)
    except lib.ScenarioError as exc:
        raise Invalid(message(exc)) from None
    named = {c.park for c in parsed if not isinstance(c, lib.WeakLine | lib.NewPark)}
    named = {key for key in named if key.startswith("venture:") and key not in loaded.parks}
    if named:
        found = set(
            Venture.objects.filter(pk__in=[int(k.split(":")[1]) for k in named]).values_list(
                "pk", flat=True
            )
        )
        missing = sorted(int(k.split(":")[1]) for k in named if int(k.split(":")[1]) not in found)
        if missing:
            raise Invalid(_("No venture with id {pk}.").format(pk=missing[0]))
    code = loaded.region["code"]
    for number, change in enumerate(parsed, start=1):
        if isinstance(change, lib.WeakLine) and not (
            change.region.startswith(code) or code.startswith(change.region)
        ):
            raise Invalid(
                _("Change {number}: region {region} is outside {code}.").format(
                    number=number, region=change.region, code=code
                )
            )
    if not dry_run:
        return parsed
    # Stakes of villages without statistics and parks the base does not know: lib decides.
    base = _with_parks(loaded.base, named)
    try:
        lib.recompute(base, parsed)
    except lib.ScenarioError as exc:
        raise Invalid(message(exc)) from None
    return parsed


def _with_parks(base: lib.Base, keys: set[str]) -> lib.Base:
    """The base knowing the existing parks `keys` too (ventures no village here holds: a
    stake there earns their actual rate, 0 when they have paid nothing)."""
    if not keys:
        return base
    rates = dict(base.rates)
    for key in keys:
        rates.setdefault(key, 0)
    return lib.Base(
        codes=base.codes,
        counties=base.counties,
        total=base.total,
        operating=base.operating,
        recurring=base.recurring,
        thresholds=base.thresholds,
        holdings=base.holdings,
        rates=rates,
    )


def comparison(scenarios: list, *, rows: int = 200) -> dict[str, Any]:
    """The actual and each scenario (all of one region and year) side by side.

    {"region", "year", "actual": figures, "scenarios": [{"pk", "name", "changes" (how many),
    "change_list", **figures}],
    "villages": [{"code", "name", "actual": {...}, "scenarios": [...]}], "villages_total"}.
    Raises Invalid when the scenarios are not of one region and year, or when a scenario's
    changes no longer fit the data (a village that lost its statistics, say).
    """
    if not scenarios:
        raise Invalid(_("Choose at least one scenario."))
    keys = {(s.region_id, s.year) for s in scenarios}
    if len(keys) > 1:
        raise Invalid(_("Scenarios compared side by side must be of one region and year."))
    region_code, year = keys.pop()
    loaded = load_base(region_code, year)
    parsed = [clean_changes(s.changes, loaded, dry_run=False) for s in scenarios]
    extra = {
        c.park
        for changes in parsed
        for c in changes
        if not isinstance(c, lib.WeakLine | lib.NewPark) and c.park.startswith("venture:")
    }
    try:
        result = lib.compare(_with_parks(loaded.base, extra), parsed, changed_rows=rows)
    except lib.ScenarioError as exc:
        raise Invalid(message(exc)) from None
    for scenario, figure in zip(scenarios, result["scenarios"], strict=True):
        figure |= {
            "pk": scenario.pk,
            "name": scenario.name,
            "changes": len(scenario.changes),
            "change_list": list(scenario.changes),
        }
    for row in result["villages"]:
        i = row.pop("index")
        row["code"] = str(loaded.base.codes[i])
        row["name"] = loaded.names[i]
    return {"region": loaded.region, "year": year, "parks": loaded.parks} | result
