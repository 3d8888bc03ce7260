"""The distribution policies, each declared once: `POLICIES = {code: Policy(...)}`.

A policy names its parameters (each with its label, its check and, when the prepare page
offers it, the kind of form field it is typed in), its rules between parameters, the basis
its lines record, and how it splits the money with its `lib.distribution` function.
Everything else reads this registry: `ventures.services.runs` checks a run's parameters
(`clean_params`) and computes its lines (`compute`), and `ventures.forms.RunPrepareForm`
builds its fields and the parameters it hands on. Adding a policy is one entry in POLICIES
(and its value in `DistributionPolicy` and `lib.distribution.Policy`).

Parameters are JSON-safe: amounts in integer fen, rates as exact text ("10%"), days as ISO
text. Every policy also takes the common parameters (COMMON): total, source, reserve_rate
and welfare_rate.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from functools import cached_property
from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from lib.distribution import (
    DistributionError,
    as_rate,
    by_population,
    deduct_reserves,
    equal,
    fixed_return,
    fixed_return_total,
    fixed_term_applies,
    floor_then_pro_rata,
    pro_rata,
    shares_and_points,
    year_fraction,
)
from lib.money import allocate
from points import selectors as point_selectors
from ventures import selectors
from ventures.checks import day, fen, policy_errors, text_rate
from ventures.choices import ContributionKind, DistributionPolicy, DistributionSource, LineBasis
from ventures.exceptions import VentureError
from ventures.models import Stake, Venture

__all__ = [
    "COMMON",
    "POLICIES",
    "Computed",
    "FormField",
    "Param",
    "Policy",
    "RunInputs",
    "Split",
    "clean_params",
    "compute",
]


# ---------------------------------------------------------------------------------------------
# Parameters


class FormField(StrEnum):
    """How the prepare page types a parameter in (`ventures.forms` builds the field)."""

    SOURCE = "source"  # a choice of DistributionSource
    YUAN = "yuan"  # 元 with two decimals, handed on as fen
    PERCENT = "percent"  # percent, handed on as text ("10%")
    DATE = "date"  # handed on as ISO text
    COUNT = "count"  # a whole number, zero or more
    YEAR = "year"  # a year of the registry's range


@dataclass(frozen=True)
class Param:
    """One parameter of a policy: its name in `params`, its label, its check, its field."""

    name: str
    label: Promise
    #: (name, value) → the value stored on the run; raises VentureError.
    check: Callable[[str, Any], Any]
    #: The form field that types it in on the prepare page; None: API only.
    form: FormField | None = None
    help_text: Promise | str = ""
    #: The page leaves a zero out (a zero reserve rate is no reserve rate).
    omit_zero: bool = False

    def clean(self, value: Any) -> Any:
        return self.check(self.name, value)


def _total(name: str, value: Any) -> int:
    return fen(value, _("The total"))


def _source(name: str, value: Any) -> str:
    if value not in DistributionSource.values:
        raise VentureError(_("Unknown source: {source}.").format(source=value))
    return value


def _rate(name: str, value: Any) -> str:
    with policy_errors():
        rate = as_rate(text_rate(value, name), name)
        if rate < 0:
            raise DistributionError(_("{name} cannot be negative.").format(name=name))
    return text_rate(value, name)


def _whole(name: str, value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise VentureError(_("{name} must be a whole number, zero or more.").format(name=name))
    return value


def _iso_day(name: str, value: Any) -> str:
    return day(value, name).isoformat()


def _capital_kinds(name: str, value: Any) -> list[str]:
    if not isinstance(value, list) or not value or set(value) - set(ContributionKind.values):
        raise VentureError(
            _("capital_kinds is a list of contribution kinds: {kinds}.").format(
                kinds=", ".join(ContributionKind.values)
            )
        )
    return value


COMMON: tuple[Param, ...] = (
    Param("source", gettext_lazy("Source"), _source, FormField.SOURCE),
    Param(
        "total",
        gettext_lazy("Amount to distribute (yuan)"),
        _total,
        FormField.YUAN,
        help_text=gettext_lazy("Empty: all undistributed money of the source at the period end."),
    ),
    Param(
        "reserve_rate",
        gettext_lazy("Reserve fund 公积公益金 (%)"),
        _rate,
        FormField.PERCENT,
        omit_zero=True,
    ),
    Param(
        "welfare_rate",
        gettext_lazy("Welfare fund 福利费 (%)"),
        _rate,
        FormField.PERCENT,
        omit_zero=True,
    ),
)

CAPITAL_KINDS = Param("capital_kinds", gettext_lazy("Kinds of capital counted"), _capital_kinds)


# ---------------------------------------------------------------------------------------------
# What a policy splits


@dataclass
class RunInputs:
    """What a policy reads for a run: the register on the period end, the parameters, the
    period. Contributed capital and populations are read only by the policies that use them."""

    venture: Venture
    stakes: list[Stake]
    params: dict
    start: date
    end: date

    @cached_property
    def keys(self) -> list[int]:
        return [stake.pk for stake in self.stakes]

    @cached_property
    def units(self) -> list[int]:
        return [stake.units for stake in self.stakes]

    @cached_property
    def capitals(self) -> list[int]:
        return selectors.capitals(
            self.venture, self.stakes, self.end, self.params.get("capital_kinds")
        )

    @cached_property
    def populations(self) -> list[int]:
        return selectors.populations(self.stakes, self.params.get("population_year", self.end.year))

    @property
    def fraction(self):
        return year_fraction(self.start, self.end)


@dataclass(frozen=True, slots=True)
class HouseholdPart:
    """A line to a household of a holder village: its stake's index, the household, its
    village, the basis and weight it was split by, its points, its amount."""

    stake: int
    household: int
    village: str
    basis: str
    weight: int
    points: int | None
    amount: int


@dataclass
class Split:
    """A policy's answer: each holder's weight and amount (and floor or points, if any).

    A policy that pays households gives their parts in `households`; a stake whose amount
    went wholly to its households has the amount None (no line of its own)."""

    weights: list[int]
    amounts: list[int | None]
    floors: list[int] | None = None
    points: list[int] | None = None
    households: list[HouseholdPart] = field(default_factory=list)


@dataclass(frozen=True)
class Policy:
    """One distribution policy.

    split: (the amount left after reserves, the run's inputs) → the holders' Split.
    owes / owed: for a policy that owes an amount whatever the income (a fixed return within
      its term): whether this run is such a one, and the Split owed. An owed amount takes no
      total and no reserve or welfare rate.
    check: rules between the parameters (params, venture) → None, or a VentureError.
    """

    code: DistributionPolicy
    basis: LineBasis
    split: Callable[[int, RunInputs], Split]
    params: tuple[Param, ...] = ()
    owes: Callable[[RunInputs], bool] | None = None
    owed: Callable[[RunInputs], Split] | None = None
    check: Callable[[dict, Venture], None] | None = None
    form_fields: tuple[str, ...] = field(init=False)

    def __post_init__(self):
        names = tuple(p.name for p in self.params if p.form is not None)
        object.__setattr__(self, "form_fields", names)

    @property
    def label(self) -> str:
        return self.code.label

    @property
    def all_params(self) -> tuple[Param, ...]:
        return COMMON + self.params

    @property
    def param_names(self) -> set[str]:
        return {p.name for p in self.all_params}


# --- pro rata, equal, population


def _by_units(amount: int, run: RunInputs) -> Split:
    return Split(run.units, pro_rata(amount, run.units, keys=run.keys))


def _equally(amount: int, run: RunInputs) -> Split:
    return Split([1] * len(run.stakes), equal(amount, len(run.stakes), keys=run.keys))


def _by_population(amount: int, run: RunInputs) -> Split:
    return Split(run.populations, by_population(amount, run.populations, keys=run.keys))


# --- guaranteed floor, then pro rata (保底+分红)


def _floor_then_units(amount: int, run: RunInputs) -> Split:
    if "floor" in run.params:
        floors = [run.params["floor"]] * len(run.stakes)
    else:
        rate, fraction = run.params["floor_rate"], run.fraction
        floors = [fixed_return_total([c], rate, fraction) for c in run.capitals]
    amounts = floor_then_pro_rata(amount, run.units, floors, keys=run.keys)
    return Split(run.units, amounts, floors=floors)


def _one_floor(params: dict, venture: Venture) -> None:
    if ("floor" in params) == ("floor_rate" in params):
        raise VentureError(_("A floor policy needs exactly one of floor (fen) or floor_rate."))


# --- fixed return on capital (包租固定回报), then actual income pro rata to capital


def _in_fixed_term(run: RunInputs) -> bool:
    years = run.params.get("fixed_years")
    if years is None:
        return True
    term_start = (
        date.fromisoformat(run.params["term_start"])
        if "term_start" in run.params
        else run.venture.started_on
    )
    return fixed_term_applies(term_start, years, run.start, run.end)


def _fixed_return_owed(run: RunInputs) -> Split:
    amounts = fixed_return(run.capitals, run.params["rate"], run.fraction, keys=run.keys)
    if sum(amounts) <= 0:
        raise VentureError(_("Nothing to distribute: the holders have no contributed capital."))
    return Split(run.capitals, amounts)


def _by_capital(amount: int, run: RunInputs) -> Split:
    return Split(run.capitals, pro_rata(amount, run.capitals, keys=run.keys))


def _fixed_return_rules(params: dict, venture: Venture) -> None:
    if "rate" not in params:
        raise VentureError(_('A fixed return needs a rate, e.g. "10%".'))
    if "fixed_years" in params and "term_start" not in params and venture.started_on is None:
        raise VentureError(_("A fixed-return term needs term_start (or the venture's start date)."))


# --- shares + points (股份+积分): the points come from the points app


def _shares_and_points(amount: int, run: RunInputs) -> Split:
    """The pool goes to the holders pro rata to their units; a holder village's part goes to
    its shareholder households (股东户): `share_ratio` by their shares, the rest by the
    effective points they earned in the period (`points.selectors.effective_points`), each
    split exact with `allocate`. A holder without shareholder households keeps its part."""
    parts = pro_rata(amount, run.units, keys=run.keys)
    members = selectors.shareholder_households([s.village_id for s in run.stakes if s.village_id])
    points = point_selectors.effective_points(
        [h for rows in members.values() for h, _shares in rows], run.start, run.end
    )
    amounts: list[int | None] = []
    households: list[HouseholdPart] = []
    for index, (stake, part) in enumerate(zip(run.stakes, parts, strict=True)):
        rows = members.get(stake.village_id) if stake.village_id else None
        if not rows:
            amounts.append(part)
            continue
        ids = [h for h, _shares in rows]
        shares = [shares for _h, shares in rows]
        earned = [points.get(h, 0) for h in ids]
        split = shares_and_points(part, shares, earned, run.params["share_ratio"], keys=ids)
        amounts.append(None)
        households.extend(
            HouseholdPart(index, h, stake.village_id, LineBasis.HOUSEHOLD_SHARES, w, p, a)
            for h, w, p, a in zip(ids, shares, earned, split, strict=True)
        )
    return Split(run.units, amounts, households=households)


def _share_ratio_given(params: dict, venture: Venture) -> None:
    if "share_ratio" not in params:
        raise VentureError(_('Shares + points needs share_ratio, e.g. "70%".'))


# --- low-income households (低收入农户): a share of the return to them, the rest pro rata


def _low_income(amount: int, run: RunInputs) -> Split:
    """`low_income_rate` of the amount goes in equal parts to the low-income households of
    the holder villages (flagged in grids for `flag_year`, default the period end's year),
    the rest to the holders pro rata to their units; both exact with `allocate`."""
    year = run.params.get("flag_year", run.end.year)
    villages = [s.village_id for s in run.stakes if s.village_id]
    found = selectors.low_income_households(villages, year)
    if not found:
        raise VentureError(
            _("No low-income households are flagged in the holder villages for {year}.").format(
                year=year
            )
        )
    low_pool, rest = allocate(
        amount, [as_rate(run.params["low_income_rate"]), 1 - as_rate(run.params["low_income_rate"])]
    )
    amounts = pro_rata(rest, run.units, keys=run.keys)
    ids = [h for h, _v in found]
    shares = equal(low_pool, len(ids), keys=ids)
    stake_of = {s.village_id: i for i, s in enumerate(run.stakes) if s.village_id}
    households = [
        HouseholdPart(stake_of[v], h, v, LineBasis.LOW_INCOME, 1, None, a)
        for (h, v), a in zip(found, shares, strict=True)
    ]
    return Split(run.units, list(amounts), households=households)


def _low_income_rate_given(params: dict, venture: Venture) -> None:
    if "low_income_rate" not in params:
        raise VentureError(_('The low-income policy needs low_income_rate, e.g. "20%".'))
    if not 0 < as_rate(params["low_income_rate"]) <= 1:
        raise VentureError(_("low_income_rate is more than 0% and at most 100%."))


# ---------------------------------------------------------------------------------------------
# The registry (in the order the prepare page shows the policies' fields)

POLICIES: dict[str, Policy] = {
    policy.code.value: policy
    for policy in (
        Policy(DistributionPolicy.PRO_RATA, LineBasis.UNITS, _by_units),
        Policy(DistributionPolicy.EQUAL, LineBasis.EQUAL, _equally),
        Policy(
            DistributionPolicy.FIXED_RETURN,
            LineBasis.CAPITAL,
            _by_capital,
            params=(
                Param(
                    "rate",
                    gettext_lazy("Fixed return a year (%)"),
                    _rate,
                    FormField.PERCENT,
                    help_text=gettext_lazy("Fixed return: e.g. 10."),
                ),
                Param(
                    "fixed_years",
                    gettext_lazy("Fixed-return years"),
                    _whole,
                    FormField.COUNT,
                    help_text=gettext_lazy(
                        "After this many years from the term start, actual income is shared."
                    ),
                ),
                Param(
                    "term_start",
                    gettext_lazy("Fixed-return term start"),
                    _iso_day,
                    FormField.DATE,
                    help_text=gettext_lazy("Empty: the venture's start date."),
                ),
                CAPITAL_KINDS,
            ),
            owes=_in_fixed_term,
            owed=_fixed_return_owed,
            check=_fixed_return_rules,
        ),
        Policy(
            DistributionPolicy.FLOOR_PRO_RATA,
            LineBasis.UNITS,
            _floor_then_units,
            params=(
                Param(
                    "floor",
                    gettext_lazy("Guaranteed floor per holder (yuan)"),
                    _whole,
                    FormField.YUAN,
                ),
                Param(
                    "floor_rate",
                    gettext_lazy("Guaranteed floor, a year on capital (%)"),
                    _rate,
                    FormField.PERCENT,
                ),
                CAPITAL_KINDS,
            ),
            check=_one_floor,
        ),
        Policy(
            DistributionPolicy.SHARES_POINTS,
            LineBasis.UNITS,
            _shares_and_points,
            params=(
                Param(
                    "share_ratio",
                    gettext_lazy("Share pool (%)"),
                    _rate,
                    FormField.PERCENT,
                    help_text=gettext_lazy("Shares + points: the part split by shares."),
                ),
            ),
            check=_share_ratio_given,
        ),
        Policy(
            DistributionPolicy.LOW_INCOME,
            LineBasis.UNITS,
            _low_income,
            params=(
                Param(
                    "low_income_rate",
                    gettext_lazy("Share for low-income households (%)"),
                    _rate,
                    FormField.PERCENT,
                    help_text=gettext_lazy(
                        "Paid in equal parts to the low-income households of the holder villages."
                    ),
                ),
                Param(
                    "flag_year",
                    gettext_lazy("Year of the low-income list"),
                    _whole,
                    FormField.YEAR,
                    help_text=gettext_lazy("Empty: the year of the period end."),
                ),
            ),
            check=_low_income_rate_given,
        ),
        Policy(
            DistributionPolicy.POPULATION,
            LineBasis.POPULATION,
            _by_population,
            params=(
                Param(
                    "population_year",
                    gettext_lazy("Population year"),
                    _whole,
                    FormField.YEAR,
                    help_text=gettext_lazy(
                        "Empty: the year of the period end (or the latest before it)."
                    ),
                ),
            ),
        ),
    )
}


# ---------------------------------------------------------------------------------------------
# Reading the registry


def clean_params(policy: str, params: Mapping | None, venture: Venture) -> dict:
    """Check a run's parameters for its policy; returns a JSON-safe copy.

    Raises:
      VentureError: an unknown parameter, a malformed value, a rule of the policy broken.
    """
    declared = POLICIES[policy]
    if params is None:
        params = {}
    if not isinstance(params, Mapping):
        raise VentureError(_("The parameters must be a mapping of names to values."))
    allowed = declared.param_names
    unknown = sorted(set(params) - allowed)
    if unknown:
        raise VentureError(
            _("Unknown parameters for this policy: {names} (allowed: {allowed}).").format(
                names=", ".join(unknown), allowed=", ".join(sorted(allowed))
            )
        )
    cleaned = dict(params)
    for param in declared.all_params:
        if param.name in cleaned:
            cleaned[param.name] = param.clean(cleaned[param.name])
    if declared.check is not None:
        declared.check(cleaned, venture)
    return cleaned


@dataclass
class Computed:
    """A run's figures: total = reserve + welfare + Σ amounts; one weight and amount a holder."""

    total: int
    reserve: int
    welfare: int
    basis: str
    weights: list[int]
    amounts: list[int]
    floors: list[int] | None = None
    points: list[int] | None = None
    households: list[HouseholdPart] = field(default_factory=list)


def compute(
    venture: Venture, stakes: Sequence[Stake], policy: str, params: dict, start: date, end: date
) -> Computed:
    """Split a run's money among the holders on the register by its policy.

    The total is `params["total"]`, else the venture's undistributed money in the source
    account on the period end; reserve and welfare come off it first. An amount the policy
    owes whatever the income (a fixed return in its term) is the total instead.

    Raises:
      VentureError: nothing to distribute, or inputs the policy cannot split (in lib's words).
    """
    declared = POLICIES[policy]
    run = RunInputs(venture, list(stakes), params, start, end)
    with policy_errors():
        if declared.owes is not None and declared.owes(run):
            if "total" in params or "reserve_rate" in params or "welfare_rate" in params:
                raise VentureError(
                    _(
                        "A fixed return is owed in full on the capital: it takes no total and "
                        "no reserve or welfare rate."
                    )
                )
            owed = declared.owed(run)
            return Computed(sum(owed.amounts), 0, 0, declared.basis, owed.weights, owed.amounts)
        source = params.get("source", DistributionSource.INCOME)
        total = params.get("total")
        if total is None:
            total = selectors.undistributed(venture, end, source)
        if total <= 0:
            raise VentureError(
                _("Nothing to distribute: {venture} has no {source} on {day}.").format(
                    venture=venture, source=DistributionSource(source).label.lower(), day=end
                )
            )
        deductions = deduct_reserves(
            total, params.get("reserve_rate", 0), params.get("welfare_rate", 0)
        )
        split = declared.split(deductions.distributable, run)
    return Computed(
        total,
        deductions.reserve,
        deductions.welfare,
        declared.basis,
        split.weights,
        split.amounts,
        split.floors,
        split.points,
        split.households,
    )
