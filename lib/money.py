"""Money as integer fen with a currency, exact parsing and formatting, and `allocate`.

Pure Python and numpy; no Django imports (ARCHITECTURE.md, "Cross-cutting library code").

Rules kept everywhere in this module (STYLE.md §6):

- An amount is an integer number of fen (1/100 yuan) beside a currency code. Every currency
  is assumed to have two minor-unit decimals; Baotuan books in CNY only.
- Floats are refused with `FloatNotAllowed` (a `TypeError`, and also a `ValueError` so that
  callers validating input catch it either way). The one door for a binary float is
  `fen_from_spreadsheet_number`, which first rounds it the way Excel displays it.
- Decimals are built from strings or ints, and converted to fen with exact rational
  arithmetic (`Decimal.as_integer_ratio`), never through a Decimal context that could round.
- `allocate` is the largest-remainder (Hamilton) split used by distribution runs: its parts
  always sum to the total and its tie-break is documented and deterministic.
"""

from __future__ import annotations

import heapq
import math
import numbers
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from typing import Any

import numpy as np

__all__ = [
    "MAX_FEN",
    "MIN_FEN",
    "NUMPY_MIN_SIZE",
    "CurrencyMismatch",
    "FloatNotAllowed",
    "Money",
    "allocate",
    "allocate_array",
    "allocate_pure",
    "check_fen",
    "fen_from_spreadsheet_number",
    "fen_from_yuan",
    "fen_to_wan_yuan",
    "fen_to_yuan",
    "format_wan",
    "format_yuan",
    "mean_fen",
    "sum_fen",
]

#: Decimal places of each display/input unit, counted in fen: 1 元 = 10**2 fen, 1 万元 = 10**6.
UNIT_PLACES = {"yuan": 2, "wan": 6}

#: The largest amount of money, in fen, that any money field accepts (API, forms, imports and
#: model validators all use this one limit): 10^15 − 1 fen is just under 10 trillion yuan,
#: and 15 significant digits are all a spreadsheet keeps. A sum of 9,000 such amounts still
#: fits a 64-bit integer, and each one is exact as a float64 (below 2^53).
MAX_FEN = 10**15 - 1
#: The most negative amount (a ledger credit, a refund): the same bound below zero.
MIN_FEN = -MAX_FEN

#: `allocate` hands integer weights to the numpy path from this many holders up.
NUMPY_MIN_SIZE = 1000

_INT64_MAX = 2**63 - 1
_CURRENCY = re.compile(r"[A-Z]{3}")
# Optional sign, integer part (grouped by thousands with commas, or plain), optional fraction.
_NUMBER = re.compile(r"([+-]?)([0-9]{1,3}(?:,[0-9]{3})+|[0-9]*)(?:\.([0-9]*))?")
_SYMBOLS = {"CNY": "¥"}


class CurrencyMismatch(ValueError):
    """Raised when an operation mixes amounts of two currencies."""


class FloatNotAllowed(TypeError, ValueError):
    """Raised when a binary float is given where money, a weight or a count is expected.

    It is a `TypeError` (a float is the wrong type for money) and a `ValueError` (so that
    input validation catching `ValueError` also catches it).
    """


def _refuse_float(value: Any, what: str) -> None:
    if isinstance(value, float | np.floating):
        raise FloatNotAllowed(
            f"{what} must not be a float (got {value!r}); use int fen, a Decimal built from "
            "a string, or fen_from_spreadsheet_number() for a spreadsheet cell"
        )


def _as_int(value: Any, what: str) -> int:
    """Return `value` as a Python int, refusing floats, bools and non-integers."""
    _refuse_float(value, what)
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{what} must be an int, got {type(value).__name__}: {value!r}")
    return int(value)


# ---------------------------------------------------------------------------------------------
# Parsing


def _places(unit: str) -> int:
    try:
        return UNIT_PLACES[unit]
    except KeyError:
        raise ValueError(f"unknown unit {unit!r}; expected one of {sorted(UNIT_PLACES)}") from None


def _unit_label(unit: str) -> str:
    return "yuan (元)" if unit == "yuan" else "wan yuan (万元)"


def _ratio_to_fen(numerator: int, denominator: int, unit: str, shown: str) -> int:
    """Return numerator/denominator units as fen, refusing anything finer than one fen."""
    places = _places(unit)
    scaled = numerator * 10**places
    if scaled % denominator:
        raise ValueError(
            f"{shown} has more decimals than a fen allows: at most {places} decimals in "
            f"{_unit_label(unit)}"
        )
    return scaled // denominator


def _decimal_to_fen(value: Decimal, unit: str, shown: str | None = None) -> int:
    if not value.is_finite():
        raise ValueError(f"not a finite amount: {value}")
    numerator, denominator = value.as_integer_ratio()
    return _ratio_to_fen(numerator, denominator, unit, shown or str(value))


def _text_to_fen(text: str, unit: str) -> int:
    # NFKC folds full-width digits, commas and points (１，２３４．５６) and no-break spaces.
    cleaned = unicodedata.normalize("NFKC", text).strip().replace("\u2212", "-")
    if not cleaned:
        raise ValueError("empty amount")
    match = _NUMBER.fullmatch(cleaned)
    if match is None or not (match[2] or match[3]):
        raise ValueError(f"not a number: {text!r}")
    sign, whole, fraction = match[1], match[2].replace(",", ""), match[3] or ""
    places = _places(unit)
    if fraction[places:].strip("0"):
        raise ValueError(
            f"{text.strip()!r} has more decimals than a fen allows: at most {places} "
            f"decimals in {_unit_label(unit)}"
        )
    fen = int(whole or "0") * 10**places + int(fraction[:places].ljust(places, "0"))
    return -fen if sign == "-" else fen


def _to_fen(value: str | int | Decimal, unit: str) -> int:
    """Convert an amount in `unit` given as str, int or Decimal to exact integer fen."""
    _refuse_float(value, "an amount")
    if isinstance(value, str):
        return _text_to_fen(value, unit)
    if isinstance(value, Decimal):
        return _decimal_to_fen(value, unit)
    return _as_int(value, "an amount") * 10 ** _places(unit)


def fen_from_spreadsheet_number(value: float | int, unit: str = "yuan") -> int:
    """Convert a spreadsheet cell's number to fen, reading the float as Excel shows it.

    A cell typed as 1234.56 may be stored as 1234.5600000000002. Excel displays 15
    significant digits, so the float is first rounded to 15 significant digits
    (`Decimal(format(value, ".15g"))`); that decimal is then converted exactly.

    Args:
      value: The cell's value as read by openpyxl/calamine: a float, or an int.
      unit: "yuan" (元) or "wan" (万元).
    Returns:
      The amount in integer fen.
    Raises:
      ValueError: for NaN or infinity, an unknown unit, or a value that still has more
        decimals than a fen allows after rounding to 15 significant digits.
      TypeError: for anything other than a float or an int (e.g. a str: use `Money.parse_*`).
    """
    if isinstance(value, bool) or not isinstance(value, float | numbers.Integral):
        raise TypeError(f"expected a float or an int, got {type(value).__name__}: {value!r}")
    if isinstance(value, numbers.Integral):
        return int(value) * 10 ** _places(unit)
    if not math.isfinite(value):
        raise ValueError(f"not a finite amount: {value!r}")
    shown = format(value, ".15g")
    return _decimal_to_fen(Decimal(shown), unit, shown)


# ---------------------------------------------------------------------------------------------
# The limit, and exact sums


def check_fen(value: int, *, minimum: int = MIN_FEN, maximum: int = MAX_FEN) -> int:
    """Return `value` (int fen) if it lies within [minimum, maximum], else raise ValueError.

    The bounds default to the one money limit, ±MAX_FEN; a caller may narrow them (e.g.
    minimum=0) but never widen them past it.
    """
    value = _as_int(value, "an amount")
    minimum, maximum = max(int(minimum), MIN_FEN), min(int(maximum), MAX_FEN)
    if not minimum <= value <= maximum:
        raise ValueError(f"{value} fen is outside the money limit [{minimum}, {maximum}]")
    return value


def sum_fen(values: Iterable[int] | np.ndarray) -> int:
    """The exact sum of integer fen, as a Python int (never a float64 sum).

    A numpy integer array is summed in int64 when no partial sum can overflow (its size
    times its largest magnitude fits), else as Python ints; floats are refused.
    """
    if isinstance(values, np.ndarray):
        if values.dtype.kind == "f":
            raise FloatNotAllowed("sum_fen sums integer fen, not floats")
        if values.dtype.kind in "iu" and values.size:
            largest = max(abs(int(values.max())), abs(int(values.min())))
            if values.dtype.kind == "i" and values.size * largest <= _INT64_MAX:
                return int(values.sum(dtype=np.int64))
        return sum(int(v) for v in values.tolist())
    total = 0
    for value in values:
        total += _as_int(value, "an amount")
    return total


def mean_fen(values: Iterable[int] | np.ndarray) -> int | None:
    """The mean of integer fen rounded to a whole fen (half to even), exactly; None if empty."""
    values = values if isinstance(values, np.ndarray) else list(values)
    count = len(values)
    if not count:
        return None
    return round(Fraction(sum_fen(values), count))


# ---------------------------------------------------------------------------------------------
# Formatting


def _format_scaled(magnitude: int, places: int, negative: bool, grouping: bool) -> str:
    """Render `magnitude` / 10**places with `places` decimals; no sign on zero."""
    whole, fraction = divmod(magnitude, 10**places)
    text = f"{whole:,}" if grouping else str(whole)
    if places:
        text += f".{fraction:0{places}d}"
    return f"-{text}" if negative and magnitude else text


def format_yuan(fen: int, *, grouping: bool = True) -> str:
    """Format fen as yuan with two decimals: 123456 -> "1,234.56", -5 -> "-0.05".

    Args:
      fen: An amount in integer fen.
      grouping: Separate thousands with commas (the default).
    Returns:
      The amount in yuan, with a leading "-" for negatives and no currency symbol.
    """
    fen = _as_int(fen, "fen")
    return _format_scaled(abs(fen), 2, fen < 0, grouping)


def format_wan(fen: int, places: int = 2, *, grouping: bool = True) -> str:
    """Format fen as 万元 (10,000 yuan), rounded half-up for display only.

    Half-up rounds halves away from zero, so a negative amount shows as the negation of
    its positive counterpart: 12345 fen is "0.01" 万元 and -12345 fen is "-0.01".
    A value that rounds to zero shows without a sign.

    Args:
      fen: An amount in integer fen.
      places: Decimals to show, 0 or more (6 shows every fen).
      grouping: Separate thousands with commas (the default).
    Returns:
      The amount in 万元, e.g. format_wan(12_345_678) == "12.35".
    """
    fen = _as_int(fen, "fen")
    places = _as_int(places, "places")
    if places < 0:
        raise ValueError(f"places must be 0 or more, got {places}")
    magnitude = abs(fen)
    if places >= 6:
        scaled = magnitude * 10 ** (places - 6)
    else:
        divisor = 10 ** (6 - places)
        scaled, remainder = divmod(magnitude, divisor)
        if 2 * remainder >= divisor:
            scaled += 1
    return _format_scaled(scaled, places, fen < 0, grouping)


_CENT = Decimal("0.01")


def fen_from_yuan(amount: Decimal) -> int:
    """An amount of 元 with at most two decimals (a form's Decimal), as integer fen (exact)."""
    fen = amount * 100
    if fen != fen.to_integral_value():
        raise ValueError(f"{amount} has more than two decimals")
    return int(fen)


def fen_to_yuan(fen: int) -> Decimal:
    """Integer fen as an exact Decimal amount of 元 (two places)."""
    return (Decimal(int(fen)) / 100).quantize(_CENT)


def fen_to_wan_yuan(fen: int) -> Decimal:
    """Integer fen as 万元, rounded half-up to two places (for reports and charts)."""
    return (Decimal(int(fen)) / 1_000_000).quantize(_CENT, rounding=ROUND_HALF_UP)


# ---------------------------------------------------------------------------------------------
# The money value


@dataclass(frozen=True, slots=True)
class Money:
    """An immutable amount: integer fen and a three-letter currency code.

    Arithmetic (+, -, unary -, abs, * int) and ordering refuse mixed currencies with
    `CurrencyMismatch` and floats with `FloatNotAllowed`. `sum()` works because 0 + Money
    is that Money; note that `sum([])` is the int 0. Equality between currencies is simply
    False. There is no division: split an amount with `Money.allocate` instead.

    Args:
      fen: The amount in fen (1/100 of the currency unit); an int.
      currency: An ISO 4217 code, "CNY" by default.
    """

    fen: int
    currency: str = "CNY"

    def __post_init__(self) -> None:
        object.__setattr__(self, "fen", _as_int(self.fen, "Money.fen"))
        if not isinstance(self.currency, str) or not _CURRENCY.fullmatch(self.currency):
            raise ValueError(f"currency must be a 3-letter uppercase code, got {self.currency!r}")

    @classmethod
    def parse_yuan(cls, value: str | int | Decimal, currency: str = "CNY") -> Money:
        """Parse an amount in yuan (元) exactly.

        Accepts text such as "1234.56", "1,234.56" (commas must group thousands), "-0.5",
        ".5" or full-width "１，２３４．５６"; an int (whole yuan); or a Decimal. Trailing
        zeros beyond two decimals are fine ("1.230"); a nonzero third decimal is an error.
        Exponents ("1e3"), currency symbols and units are not accepted in text.

        Args:
          value: The amount in yuan as str, int or Decimal (never float).
          currency: The currency code of the result.
        Returns:
          A Money of exactly that many fen.
        Raises:
          ValueError: empty or non-numeric text, or more decimals than a fen allows.
          FloatNotAllowed: for a float (use `fen_from_spreadsheet_number`).
        """
        return cls(_to_fen(value, "yuan"), currency)

    @classmethod
    def parse_wan(cls, value: str | int | Decimal, currency: str = "CNY") -> Money:
        """Parse an amount in 万元 (10,000 yuan) exactly, up to six decimals.

        Args:
          value: The amount in 万元 as str, int or Decimal (never float);
            "12.345678" is 12,345,678 fen.
          currency: The currency code of the result.
        Returns:
          A Money of exactly that many fen.
        Raises:
          ValueError: empty or non-numeric text, or more than six nonzero decimals.
          FloatNotAllowed: for a float (use `fen_from_spreadsheet_number(x, "wan")`).
        """
        return cls(_to_fen(value, "wan"), currency)

    def to_yuan(self) -> Decimal:
        """Return the amount in yuan as an exact Decimal (for display or export).

        Returns:
          Decimal with exponent -2, e.g. Money(123456).to_yuan() == Decimal("1234.56").
        """
        return Decimal(f"{self.fen}e-2")

    def allocate(self, weights: Iterable[Any], *, keys: Iterable[Any] | None = None) -> list[Money]:
        """Split this amount with `allocate`; the parts sum to it exactly.

        Args:
          weights: Non-negative int, Decimal or Fraction weights, one per part.
          keys: Unique tie-break keys, one per part (see `allocate`).
        Returns:
          One Money per weight, in the same currency.
        """
        return [Money(part, self.currency) for part in allocate(self.fen, weights, keys=keys)]

    def __str__(self) -> str:
        """Return the amount for people to read.

        Returns:
          "¥1,234.56" or "-¥1,234.56" for CNY, "USD 1,234.56" for other currencies.
        """
        symbol = _SYMBOLS.get(self.currency)
        if symbol is None:
            return f"{self.currency} {format_yuan(self.fen)}"
        return (
            f"-{symbol}{format_yuan(-self.fen)}" if self.fen < 0 else symbol + format_yuan(self.fen)
        )

    def _same_currency(self, other: Any, operation: str) -> Money:
        """Return `other` if it is Money in this currency; raise otherwise."""
        if not isinstance(other, Money):
            _refuse_float(other, f"the other operand of {operation}")
            raise TypeError(f"cannot {operation} Money and {type(other).__name__}: {other!r}")
        if other.currency != self.currency:
            raise CurrencyMismatch(
                f"cannot {operation} {self.currency} and {other.currency} amounts"
            )
        return other

    def __add__(self, other: Money) -> Money:
        """Return self + other.

        Args:
          other: Money in the same currency.
        Returns:
          The sum.
        """
        return Money(self.fen + self._same_currency(other, "add").fen, self.currency)

    def __radd__(self, other: Any) -> Money:
        """Return other + self, where other is the int 0 (so that `sum()` works).

        Args:
          other: 0 (the start value of `sum`) or Money.
        Returns:
          self when other is 0.
        """
        if type(other) is int and other == 0:
            return self
        return self._same_currency(other, "add") + self

    def __sub__(self, other: Money) -> Money:
        """Return self - other.

        Args:
          other: Money in the same currency.
        Returns:
          The difference.
        """
        return Money(self.fen - self._same_currency(other, "subtract").fen, self.currency)

    def __neg__(self) -> Money:
        """Return -self.

        Returns:
          The amount with its sign flipped.
        """
        return Money(-self.fen, self.currency)

    def __pos__(self) -> Money:
        """Return +self.

        Returns:
          self, unchanged.
        """
        return self

    def __abs__(self) -> Money:
        """Return abs(self).

        Returns:
          The absolute amount, same currency.
        """
        return Money(abs(self.fen), self.currency)

    def __mul__(self, factor: int) -> Money:
        """Return self * factor.

        Args:
          factor: An int (a float, Decimal or Money is refused: use `allocate` for ratios).
        Returns:
          The product.
        """
        return Money(self.fen * _as_int(factor, "a Money multiplier"), self.currency)

    __rmul__ = __mul__

    def __lt__(self, other: Money) -> bool:
        """Return self < other.

        Args:
          other: Money in the same currency (another currency raises `CurrencyMismatch`).
        Returns:
          Whether this amount is < the other.
        """
        return self.fen < self._same_currency(other, "compare").fen

    def __le__(self, other: Money) -> bool:
        """Return self <= other.

        Args:
          other: Money in the same currency (another currency raises `CurrencyMismatch`).
        Returns:
          Whether this amount is <= the other.
        """
        return self.fen <= self._same_currency(other, "compare").fen

    def __gt__(self, other: Money) -> bool:
        """Return self > other.

        Args:
          other: Money in the same currency (another currency raises `CurrencyMismatch`).
        Returns:
          Whether this amount is > the other.
        """
        return self.fen > self._same_currency(other, "compare").fen

    def __ge__(self, other: Money) -> bool:
        """Return self >= other.

        Args:
          other: Money in the same currency (another currency raises `CurrencyMismatch`).
        Returns:
          Whether this amount is >= the other.
        """
        return self.fen >= self._same_currency(other, "compare").fen


# ---------------------------------------------------------------------------------------------
# Allocation (largest remainder)


def _integer_weights(weights: Iterable[Any]) -> list[int] | np.ndarray:
    """Validate weights and scale them to non-negative integers with the same ratios.

    Returns an int64 ndarray when the input is a large all-integer sequence or an integer
    ndarray (fast path), else a list of Python ints.
    """
    if isinstance(weights, np.ndarray) and weights.dtype != object:
        return _integer_array(weights)
    if isinstance(weights, np.ndarray):
        weights = weights.tolist()  # e.g. an object array of Decimals: validate one by one
    elif not isinstance(weights, Sequence):
        weights = list(weights)
    if len(weights) >= NUMPY_MIN_SIZE:
        array = np.asarray(weights)
        if array.dtype.kind in "iu" and array.ndim == 1:
            return _integer_array(array)
    integers: list[int] = []
    fractions: list[Fraction] | None = None
    for position, weight in enumerate(weights):
        _refuse_float(weight, "a weight")
        if isinstance(weight, numbers.Integral) and not isinstance(weight, bool):
            exact = int(weight)
        elif isinstance(weight, Decimal):
            if not weight.is_finite():
                raise ValueError(f"weight {position} is not finite: {weight}")
            exact = Fraction(weight)
        elif isinstance(weight, Fraction):
            exact = weight
        else:
            raise TypeError(
                f"weight {position} must be an int, Decimal or Fraction, "
                f"got {type(weight).__name__}: {weight!r}"
            )
        if exact < 0:
            raise ValueError(f"weight {position} is negative: {weight!r}")
        if fractions is None and not isinstance(exact, int):
            fractions = [Fraction(w) for w in integers]
        if fractions is None:
            integers.append(exact)
        else:
            fractions.append(Fraction(exact))
    if fractions is None:
        return integers
    # A common denominator turns rational weights into integers with the same ratios.
    common = math.lcm(*(f.denominator for f in fractions))
    return [f.numerator * (common // f.denominator) for f in fractions]


def _integer_array(weights: np.ndarray) -> np.ndarray:
    if weights.ndim != 1:
        raise ValueError(f"weights must be one-dimensional, got shape {weights.shape}")
    if weights.dtype.kind == "f":
        raise FloatNotAllowed(f"weights must not be floats (got dtype {weights.dtype})")
    if weights.dtype.kind not in "iu":
        raise TypeError(f"weights must be an integer array, got dtype {weights.dtype}")
    if weights.size and weights.dtype.kind == "i" and weights.min() < 0:
        position = int(np.argmax(weights < 0))
        raise ValueError(f"weight {position} is negative: {weights[position]}")
    if weights.size and weights.dtype.kind == "u" and int(weights.max()) > _INT64_MAX:
        return weights  # too large for int64: only the pure path can handle it
    return weights.astype(np.int64, copy=False)


def _check_keys(keys: list[Any], size: int) -> None:
    """Require one key per weight, all mutually comparable and unique."""
    if len(keys) != size:
        raise ValueError(f"got {len(keys)} keys for {size} weights")
    try:
        ordered = sorted(keys)
    except TypeError as error:
        raise TypeError(f"keys must be mutually comparable: {error}") from None
    for before, after in zip(ordered, ordered[1:], strict=False):
        if not before < after:
            raise ValueError(f"keys must be unique; {before!r} appears twice")


def _key_array(keys: Any, size: int) -> np.ndarray:
    keys = np.asarray(keys)
    if keys.shape != (size,):
        raise ValueError(f"got keys of shape {keys.shape} for {size} weights")
    if keys.dtype.kind not in "biuUSMm":
        raise TypeError(f"keys must be an integer, string or datetime array, got {keys.dtype}")
    ordered = np.sort(keys)
    if size > 1 and np.any(ordered[1:] == ordered[:-1]):
        duplicate = ordered[1:][ordered[1:] == ordered[:-1]][0]
        raise ValueError(f"keys must be unique; {duplicate!r} appears twice")
    return keys


def _check_total(total: Any) -> int:
    return _as_int(total, "the total")


def _fits_int64(total: int, weights: np.ndarray) -> bool:
    """True if total*w_i and the weights' sum cannot overflow int64."""
    if weights.dtype != np.int64:
        return False
    largest = int(weights.max()) if weights.size else 0
    return abs(total) * largest <= _INT64_MAX and weights.size * largest <= _INT64_MAX


def _zero_weight_parts(total: int, size: int) -> list[int]:
    if total:
        raise ValueError(f"zero total weight: cannot split {total} fen over weights summing to 0")
    return [0] * size


def _allocate_integers(total: int, weights: list[int], keys: list[Any] | None) -> list[int]:
    """The pure-Python largest-remainder split of validated inputs."""
    whole = sum(weights)
    if whole == 0:
        return _zero_weight_parts(total, len(weights))
    magnitude = abs(total)
    parts: list[int] = []
    remainders: list[int] = []
    for weight in weights:
        part, remainder = divmod(magnitude * weight, whole)
        parts.append(part)
        remainders.append(remainder)
    leftover = magnitude - sum(parts)
    if leftover:
        # nsmallest is equivalent to sorted(...)[:leftover], stable: with keys None, equal
        # remainders keep position order, i.e. the position is the key.
        if keys is None:
            order = heapq.nsmallest(leftover, range(len(weights)), key=lambda i: -remainders[i])
        else:
            order = heapq.nsmallest(
                leftover, range(len(weights)), key=lambda i: (-remainders[i], keys[i])
            )
        for position in order:
            parts[position] += 1
    return [-part for part in parts] if total < 0 else parts


def _allocate_numpy(total: int, weights: np.ndarray, keys: np.ndarray | None) -> np.ndarray:
    """The numpy largest-remainder split; caller guarantees `_fits_int64`."""
    whole = int(weights.sum())
    if whole == 0:
        return np.array(_zero_weight_parts(total, weights.size), dtype=np.int64)
    magnitude = abs(total)
    parts, remainders = np.divmod(weights * magnitude, whole)
    leftover = magnitude - int(parts.sum())
    if leftover:
        # Only holders whose remainder reaches the leftover-th largest can get a fen; order
        # just those (in the worst case, all remainders equal, that is everyone).
        cut = np.partition(remainders, weights.size - leftover)[weights.size - leftover]
        candidates = np.flatnonzero(remainders >= cut)  # ascending positions
        if keys is None:
            order = np.argsort(-remainders[candidates], kind="stable")
        else:
            order = np.lexsort((keys[candidates], -remainders[candidates]))
        parts[candidates[order[:leftover]]] += 1
    return -parts if total < 0 else parts


def allocate(total: int, weights: Iterable[Any], *, keys: Iterable[Any] | None = None) -> list[int]:
    """Split `total` fen in proportion to `weights` by largest remainder (Hamilton).

    Each holder first gets the floor of its exact share total*w/W (W = sum of weights); the
    fen left over go one each to the holders with the largest remainders. Remainder ties go
    to the holder with the smallest key; when `keys` is None the position is the key, so
    ties go to the earliest holder (allocate(5, [70, 30]) == [4, 1], as in Fowler's example;
    allocate(100, [1, 1, 1]) == [34, 33, 33]).

    Promises (each is property-tested in lib/tests/test_money.py):

    - the parts sum to `total` exactly;
    - each part is the floor or the ceiling of the exact share total*w/W (exact rational
      arithmetic, no floats), so it is within one fen of it;
    - a zero weight gets zero;
    - a negative total (clawback) splits symmetrically:
      allocate(-t, w, keys=k) == [-p for p in allocate(t, w, keys=k)];
    - with `keys` given, the result does not depend on input order: permuting weights and
      keys together permutes the parts the same way;
    - equal weights get parts that differ by at most one fen;
    - monotone: a larger weight never gets less than a smaller one (for a negative total,
      never less in magnitude: the larger holder bears at least as much of the clawback).

    Largest remainder is not monotone in the total (the Alabama paradox: raising the total
    by one fen can lower one holder's part); that is inherent to the method.

    Decimal and Fraction weights are scaled exactly to integers by their common denominator.
    For an integer ndarray, or a list of at least NUMPY_MIN_SIZE ints, the split runs in
    numpy (`allocate_array`) when every total*w_i and the weights' sum fit in int64 and
    keys are None or integers; otherwise it runs in Python ints (`allocate_pure`). Both
    paths give the identical result.

    Args:
      total: The amount in integer fen; may be negative or zero.
      weights: Non-negative ints, Decimals or Fractions (never floats); a list, any
        iterable, or a one-dimensional integer ndarray.
      keys: Optional tie-break keys, one per weight, unique and mutually comparable
        (e.g. holder primary keys). None means the positions 0, 1, 2, ...
    Returns:
      A list of int parts in the order of `weights`.
    Raises:
      FloatNotAllowed: a float total or weight (also a ValueError).
      ValueError: a negative or non-finite weight; all weights zero with a nonzero total
        ("zero total weight"); keys of the wrong length or with duplicates.
      TypeError: a weight that is not int/Decimal/Fraction; keys that are not comparable.
    """
    total = _check_total(total)
    integers = _integer_weights(weights)
    size = len(integers)
    key_list = None if keys is None else list(keys)
    if isinstance(integers, np.ndarray) and _fits_int64(total, integers):
        if key_list is None:
            return _allocate_numpy(total, integers, None).tolist()
        key_array = np.asarray(key_list)
        if key_array.dtype.kind in "iu" and key_array.shape == (size,):
            return _allocate_numpy(total, integers, _key_array(key_array, size)).tolist()
    if isinstance(integers, np.ndarray):
        integers = integers.tolist()
    if key_list is not None:
        _check_keys(key_list, size)
    return _allocate_integers(total, integers, key_list)


def allocate_pure(
    total: int, weights: Iterable[Any], *, keys: Iterable[Any] | None = None
) -> list[int]:
    """`allocate` computed in Python ints only, whatever the size (the reference path).

    The tests compare the numpy path with it, and bench/money_allocate.py uses it as the
    baseline. It accepts exactly what `allocate` accepts and returns the same parts.

    Args:
      total: The amount in integer fen.
      weights: Non-negative ints, Decimals or Fractions.
      keys: Optional unique, comparable tie-break keys (None: positions).
    Returns:
      A list of int parts in the order of `weights`.
    """
    total = _check_total(total)
    integers = _integer_weights(weights)
    if isinstance(integers, np.ndarray):
        integers = integers.tolist()
    key_list = None if keys is None else list(keys)
    if key_list is not None:
        _check_keys(key_list, len(integers))
    return _allocate_integers(total, integers, key_list)


def allocate_array(total: int, weights: np.ndarray, keys: np.ndarray | None = None) -> np.ndarray:
    """`allocate` for numpy arrays: the same split and tie-break, vectorised.

    The holders that can receive a leftover fen (remainder at least the leftover-th largest,
    found with `np.partition`) are ordered with `np.lexsort((keys, -remainders))`
    (remainder descending, key ascending); with keys None, a stable argsort gives the
    position order. When some total*w_i or the weights' sum would overflow int64, the split
    is done in Python ints instead; the result is identical either way.

    Args:
      total: The amount in integer fen; |total| must fit in int64.
      weights: A one-dimensional array of non-negative integers (a float dtype is refused).
      keys: None, or a one-dimensional array of unique integer, string or datetime keys
        (numpy strings ignore trailing NUL characters when compared).
    Returns:
      An int64 array of parts, in the order of `weights`.
    Raises:
      The errors of `allocate`, plus OverflowError when |total| does not fit in int64.
    """
    total = _check_total(total)
    if abs(total) > _INT64_MAX:
        raise OverflowError(f"total {total} does not fit in int64; use allocate()")
    weights = _integer_array(np.asarray(weights))
    key_array = None if keys is None else _key_array(keys, weights.size)
    if _fits_int64(total, weights):
        return _allocate_numpy(total, weights, key_array)
    key_list = None if key_array is None else key_array.tolist()
    return np.array(_allocate_integers(total, weights.tolist(), key_list), dtype=np.int64)
