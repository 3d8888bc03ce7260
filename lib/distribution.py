"""Distribution policies: how a venture's distributable income is split among its holders.

Pure Python (no Django), built on `lib.money.allocate`, so every split is exact: the parts
are integer fen and always sum to the amount being split (ARCHITECTURE.md, "parts always
sum to the whole"). A distribution run in the `ventures` app reads its share register,
calls one policy here, and stores the parts it returns.

The policies (`Policy` values are also the run's stored policy codes):

- ``pro_rata``: in proportion to stake (share units). Zero stake gets zero.
- ``equal``: the same to every holder (parts differ by at most one fen).
- ``population``: in proportion to each holder's registered population.
- ``floor_pro_rata`` (保底+分红): each holder first gets its floor (保底), the rest is
  split pro rata to stake. If the amount does not cover the floors, it is split pro rata to
  the floors instead, so each holder gets min(floor, its floor-weighted part) and nobody
  gets more than its floor.
- ``fixed_return`` (包租固定回报): a fixed rate on contributed capital for a fraction of a
  year, e.g. 10% a year of actual investment; after the fixed term (N years) the policy
  switches to actual income pro rata to capital (`fixed_term_applies`).
- ``shares_points`` (股份+积分, 嘉兴 DB3304/T 070—2021): the amount is first split into a
  share pool and a points pool by a ratio; the share pool goes pro rata to shares, the
  points pool pro rata to points, and each holder gets the sum of its two parts.

Before any policy shares the money, `deduct_reserves` can set aside the reserve fund
(公积公益金) and the welfare fund (福利费) as rates of the distributable income, with the
same largest-remainder rounding, so reserve + welfare + Σ parts == income exactly.

Rates (interest rates, reserve rates, the share/points ratio) are exact: ints, Decimals,
Fractions, or strings such as "0.1" or "15%". Floats are refused, as everywhere in money.
Tie-breaks: every function takes optional `keys` (one unique, comparable key per holder)
and hands them to `allocate`; without keys the position decides.
"""

from __future__ import annotations

import calendar
import numbers
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from enum import StrEnum
from fractions import Fraction
from typing import Any

from lib.money import FloatNotAllowed, allocate

__all__ = [
    "Deductions",
    "DistributionError",
    "Policy",
    "add_years",
    "as_rate",
    "by_population",
    "deduct_reserves",
    "equal",
    "fixed_return",
    "fixed_return_total",
    "fixed_term_applies",
    "floor_then_pro_rata",
    "pro_rata",
    "shares_and_points",
    "year_fraction",
]


class DistributionError(ValueError):
    """A distribution cannot be computed from these inputs (the message says why)."""


class Policy(StrEnum):
    """The distribution policies; the values are stored on distribution runs."""

    PRO_RATA = "pro_rata"
    EQUAL = "equal"
    POPULATION = "population"
    FLOOR_PRO_RATA = "floor_pro_rata"
    FIXED_RETURN = "fixed_return"
    SHARES_POINTS = "shares_points"
    LOW_INCOME = "low_income"


# ---------------------------------------------------------------------------------------------
# Inputs


def as_rate(value: Any, what: str = "a rate") -> Fraction:
    """An exact rate from an int, Decimal, Fraction or string ("0.1", "10%", "1/3").

    Args:
      value: The rate. A string may end in "%" (then it is in percent). Floats are refused.
      what: What the rate is, for error messages.
    Returns:
      The rate as a Fraction (0.1 → Fraction(1, 10)).
    Raises:
      FloatNotAllowed: for a float.
      DistributionError: for text that is not a number, or a non-finite Decimal.
    """
    if isinstance(value, float):
        raise FloatNotAllowed(f"{what} must not be a float (got {value!r}); write it as text")
    if isinstance(value, bool):
        raise DistributionError(f"{what} must be a number, got {value!r}")
    if isinstance(value, Fraction):
        return value
    if isinstance(value, numbers.Integral):
        return Fraction(int(value))
    if isinstance(value, Decimal):
        if not value.is_finite():
            raise DistributionError(f"{what} is not finite: {value}")
        return Fraction(value)
    if isinstance(value, str):
        text = value.strip()
        percent = text.endswith("%")
        if percent:
            text = text[:-1].strip()
        try:
            rate = Fraction(text) if "/" in text else Fraction(Decimal(text))
        except (ValueError, InvalidOperation, ZeroDivisionError):
            raise DistributionError(f"{what} is not a number: {value!r}") from None
        return rate / 100 if percent else rate
    raise DistributionError(f"{what} must be a number, got {type(value).__name__}: {value!r}")


def _total(total: Any) -> int:
    if isinstance(total, float):
        raise FloatNotAllowed(f"the amount must be integer fen, not a float ({total!r})")
    if isinstance(total, bool) or not isinstance(total, numbers.Integral):
        raise DistributionError(f"the amount must be integer fen, got {total!r}")
    if total < 0:
        raise DistributionError(
            f"cannot distribute a negative amount ({total} fen); a clawback is a reversal"
        )
    return int(total)


def _weights(values: Sequence[Any], what: str, size: int | None = None) -> list[int]:
    """Validate non-negative integer weights (stakes, populations, floors, points)."""
    result = []
    for position, value in enumerate(values):
        if isinstance(value, float):
            raise FloatNotAllowed(f"{what} {position} must not be a float ({value!r})")
        if isinstance(value, bool) or not isinstance(value, numbers.Integral):
            raise DistributionError(f"{what} {position} must be an integer, got {value!r}")
        if value < 0:
            raise DistributionError(f"{what} {position} is negative: {value}")
        result.append(int(value))
    if size is not None and len(result) != size:
        raise DistributionError(f"got {len(result)} {what}s for {size} holders")
    return result


def _split(total: int, weights: list[int], keys: Sequence[Any] | None, what: str) -> list[int]:
    if total and not any(weights):
        if not weights:
            raise DistributionError(f"no holders to share {total} fen among")
        raise DistributionError(f"the total {what} is zero: nothing to split {total} fen by")
    return allocate(total, weights, keys=keys)


# ---------------------------------------------------------------------------------------------
# Reserve and welfare deductions


@dataclass(frozen=True, slots=True)
class Deductions:
    """What comes off the income before sharing, and what is left to share.

    reserve + welfare + distributable == income, always.
    """

    income: int
    reserve: int  # 公积公益金
    welfare: int  # 福利费
    distributable: int


def deduct_reserves(income: int, reserve_rate: Any = 0, welfare_rate: Any = 0) -> Deductions:
    """Set aside the reserve and welfare funds as rates of the income, exactly.

    The three amounts are a largest-remainder split of `income` by the weights
    (reserve_rate, welfare_rate, 1 − both): each is within one fen of its exact share and
    they sum to the income. A tie for the last fen goes to the reserve, then the welfare fund.

    Args:
      income: The distributable income in fen (not negative).
      reserve_rate: The 公积公益金 rate, e.g. "15%" or Decimal("0.15").
      welfare_rate: The 福利费 rate.
    Returns:
      Deductions(income, reserve, welfare, distributable).
    Raises:
      DistributionError: a negative income or rate, or rates summing to more than 1.
    """
    income = _total(income)
    reserve = as_rate(reserve_rate, "the reserve rate")
    welfare = as_rate(welfare_rate, "the welfare rate")
    if reserve < 0 or welfare < 0:
        raise DistributionError("reserve and welfare rates cannot be negative")
    if reserve + welfare > 1:
        raise DistributionError(
            f"reserve ({float(reserve):.2%}) and welfare ({float(welfare):.2%}) rates add up "
            "to more than the whole income"
        )
    set_aside, welfare_fen, rest = allocate(income, [reserve, welfare, 1 - reserve - welfare])
    return Deductions(income, set_aside, welfare_fen, rest)


# ---------------------------------------------------------------------------------------------
# Policies


def pro_rata(total: int, stakes: Sequence[int], *, keys: Sequence[Any] | None = None) -> list[int]:
    """Split `total` in proportion to stake (share units); a zero stake gets zero.

    Args:
      total: The amount in fen (not negative).
      stakes: Non-negative integer stakes, one per holder.
      keys: Optional unique tie-break keys, one per holder.
    Returns:
      One part per holder, summing to `total`.
    Raises:
      DistributionError: a negative amount or stake, or a nonzero amount with zero total stake.
    """
    return _split(_total(total), _weights(stakes, "stake"), keys, "stake")


def equal(total: int, count: int, *, keys: Sequence[Any] | None = None) -> list[int]:
    """Split `total` equally among `count` holders; parts differ by at most one fen.

    Args:
      total: The amount in fen (not negative).
      count: The number of holders.
      keys: Optional unique tie-break keys: the extra fen go to the smallest keys.
    Returns:
      `count` parts summing to `total`.
    Raises:
      DistributionError: a negative amount, or a nonzero amount and no holders.
    """
    if isinstance(count, bool) or not isinstance(count, numbers.Integral) or count < 0:
        raise DistributionError(f"the number of holders must be a non-negative int: {count!r}")
    return _split(_total(total), [1] * int(count), keys, "number of holders")


def by_population(
    total: int, populations: Sequence[int], *, keys: Sequence[Any] | None = None
) -> list[int]:
    """Split `total` in proportion to each holder's registered population.

    Args:
      total: The amount in fen (not negative).
      populations: Non-negative populations, one per holder.
      keys: Optional unique tie-break keys.
    Returns:
      One part per holder, summing to `total`.
    Raises:
      DistributionError: a negative amount or population, or zero total population.
    """
    return _split(_total(total), _weights(populations, "population"), keys, "population")


def floor_then_pro_rata(
    total: int,
    stakes: Sequence[int],
    floors: Sequence[int],
    *,
    keys: Sequence[Any] | None = None,
) -> list[int]:
    """保底+分红: each holder's floor first, then the surplus pro rata to stake.

    When `total` ≥ Σ floors, holder i gets floors[i] + its pro-rata part of
    (total − Σ floors). When `total` < Σ floors the floors cannot all be honoured; the amount
    is then split pro rata to the floors, so every holder gets the same fraction of its
    floor (within a fen) and never more than its floor. Who makes up the shortfall (often
    the operator who guaranteed the floor) is outside this function.

    Args:
      total: The amount in fen (not negative).
      stakes: Non-negative stakes, one per holder.
      floors: Non-negative guaranteed amounts in fen, one per holder.
      keys: Optional unique tie-break keys.
    Returns:
      One part per holder, summing to `total`.
    Raises:
      DistributionError: negative inputs, mismatched lengths, or a surplus above the floors
        with zero total stake.
    """
    total = _total(total)
    stake_list = _weights(stakes, "stake")
    floor_list = _weights(floors, "floor", size=len(stake_list))
    floors_total = sum(floor_list)
    if total <= floors_total:
        return _split(total, floor_list, keys, "floor")
    surplus = _split(total - floors_total, stake_list, keys, "stake")
    return [floor + part for floor, part in zip(floor_list, surplus, strict=True)]


def fixed_return_total(capitals: Sequence[int], rate: Any, fraction: Any = 1) -> int:
    """The fixed return owed on this capital at `rate` a year for `fraction` of a year.

    The exact amount Σ capital × rate × fraction, rounded half up to a whole fen.

    Args:
      capitals: Contributed capital in fen, one per holder (not negative).
      rate: The yearly rate, e.g. "10%".
      fraction: The part of a year the period covers (see `year_fraction`), exact.
    Returns:
      The total in fen.
    Raises:
      DistributionError: a negative capital, rate or fraction.
    """
    capital = sum(_weights(capitals, "capital"))
    rate = as_rate(rate, "the return rate")
    fraction = as_rate(fraction, "the period fraction")
    if rate < 0 or fraction < 0:
        raise DistributionError("the return rate and the period fraction cannot be negative")
    exact = capital * rate * fraction
    return int((exact + Fraction(1, 2)).__floor__())


def fixed_return(
    capitals: Sequence[int],
    rate: Any,
    fraction: Any = 1,
    *,
    keys: Sequence[Any] | None = None,
) -> list[int]:
    """包租固定回报: each holder gets `rate` a year on its capital, for `fraction` of a year.

    The total is `fixed_return_total` (rounded half up once); it is then split pro rata to
    capital, so each part is within one fen of that share and the parts sum to the total.
    The amount is set by the capital, not by the income received: the operator owes it.

    Args:
      capitals: Contributed capital in fen, one per holder.
      rate: The yearly rate ("10%").
      fraction: The part of a year the period covers.
      keys: Optional unique tie-break keys.
    Returns:
      One part per holder, summing to fixed_return_total(capitals, rate, fraction).
    """
    capital_list = _weights(capitals, "capital")
    total = fixed_return_total(capital_list, rate, fraction)
    return _split(total, capital_list, keys, "capital")


def shares_and_points(
    total: int,
    shares: Sequence[int],
    points: Sequence[int],
    share_ratio: Any,
    *,
    keys: Sequence[Any] | None = None,
) -> list[int]:
    """股份+积分 (DB3304/T 070—2021): a share pool by shares plus a points pool by points.

    The amount is first split into the share pool and the points pool by `share_ratio` and
    1 − `share_ratio` (largest remainder; a tied fen goes to the share pool). The share
    pool is split pro rata to shares and the points pool pro rata to points; each holder
    gets the sum. If nobody has points, the points pool joins the share pool (and vice
    versa), so the money is never left unassigned.

    Args:
      total: The amount in fen (not negative).
      shares: Non-negative share weights (股份), one per holder.
      points: Non-negative points (积分), one per holder; the points app supplies them.
      share_ratio: The share pool's part of the amount, from 0 to 1 (e.g. "70%").
      keys: Optional unique tie-break keys.
    Returns:
      One part per holder, summing to `total`.
    Raises:
      DistributionError: negative inputs, mismatched lengths, a ratio outside [0, 1], or a
        nonzero amount with neither shares nor points.
    """
    total = _total(total)
    share_list = _weights(shares, "share")
    point_list = _weights(points, "points", size=len(share_list))
    ratio = as_rate(share_ratio, "the share ratio")
    if not 0 <= ratio <= 1:
        raise DistributionError(f"the share ratio must be between 0 and 1, got {ratio}")
    has_shares, has_points = any(share_list), any(point_list)
    if not has_points:
        ratio = Fraction(1)
    elif not has_shares:
        ratio = Fraction(0)
    share_pool, points_pool = allocate(total, [ratio, 1 - ratio])
    by_shares = _split(share_pool, share_list, keys, "shares")
    by_points = _split(points_pool, point_list, keys, "points")
    return [a + b for a, b in zip(by_shares, by_points, strict=True)]


# ---------------------------------------------------------------------------------------------
# Periods


def year_fraction(start: date, end: date) -> Fraction:
    """The part of a year from `start` to `end`, both days included (actual/actual).

    Each calendar year contributes its days in the period over its own length (365 or
    366), so a whole calendar year is exactly 1 and a whole quarter is close to 1/4.

    Args:
      start: The first day of the period.
      end: The last day of the period (not before `start`).
    Returns:
      The fraction of a year, exact.
    Raises:
      DistributionError: when `end` is before `start`.
    """
    if end < start:
        raise DistributionError(f"the period ends ({end}) before it starts ({start})")
    fraction = Fraction(0)
    for year in range(start.year, end.year + 1):
        first = max(start, date(year, 1, 1))
        last = min(end, date(year, 12, 31))
        fraction += Fraction((last - first).days + 1, 366 if calendar.isleap(year) else 365)
    return fraction


def add_years(day: date, years: int) -> date:
    """The same calendar day `years` later (29 February becomes 28 February)."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


def fixed_term_applies(term_start: date, years: int, period_start: date, period_end: date) -> bool:
    """Whether a period falls inside a fixed-return term of `years` from `term_start`.

    Args:
      term_start: The first day of the fixed-return term.
      years: The term's length in years (e.g. 5: "first 5 years fixed 10%").
      period_start: The first day of the distribution period.
      period_end: The last day of the distribution period.
    Returns:
      True if the whole period is inside the term (pay the fixed return), False if the
      whole period is after it (share actual income).
    Raises:
      DistributionError: when the period straddles the end of the term (split the period
        there), or when `years` is negative.
    """
    if isinstance(years, bool) or not isinstance(years, numbers.Integral) or years < 0:
        raise DistributionError(f"the fixed-return term must be a whole number of years: {years!r}")
    term_end = add_years(term_start, int(years))  # the first day after the term
    if period_end < term_end:
        return True
    if period_start >= term_end:
        return False
    raise DistributionError(
        f"the period {period_start}–{period_end} straddles the end of the fixed-return term "
        f"(the first day after it is {term_end}); split it into two runs at that date"
    )
