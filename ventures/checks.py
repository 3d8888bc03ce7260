"""Checks of input values, shared by the services and the distribution policies: integer fen,
dates, rates written as text. Each refuses with a `VentureError` a person can act on."""

from __future__ import annotations

import numbers
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from typing import Any

from django.utils.translation import gettext as _

from lib.distribution import DistributionError
from ventures.exceptions import VentureError

__all__ = ["day", "fen", "policy_errors", "text_rate"]


def fen(value: Any, what: str, *, positive: bool = True) -> int:
    """An amount in integer fen; floats, text and booleans are refused."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise VentureError(
            _("{what} must be a whole number of fen, got {value!r}.").format(what=what, value=value)
        )
    value = int(value)
    if positive and value <= 0:
        raise VentureError(
            _("{what} must be more than zero, got {value} fen.").format(what=what, value=value)
        )
    return value


def day(value: Any, what: str) -> date:
    """A date from a date or ISO text; datetimes are refused."""
    if isinstance(value, str):
        try:
            value = date.fromisoformat(value)
        except ValueError:
            raise VentureError(
                _("{what} is not a date: {value!r}.").format(what=what, value=value)
            ) from None
    if not isinstance(value, date) or hasattr(value, "hour"):
        raise VentureError(
            _("{what} must be a date, got {value!r}.").format(what=what, value=value)
        )
    return value


def text_rate(value: Any, name: str) -> str:
    """Rates are stored as text ("10%", "0.15") so the JSON keeps them exact."""
    if isinstance(value, float):
        raise VentureError(
            _('{name} must be written as text, e.g. "10%", not a float.').format(name=name)
        )
    if isinstance(value, bool) or not isinstance(value, str | int):
        raise VentureError(_('{name} must be text such as "10%".').format(name=name))
    return str(value)


@contextmanager
def policy_errors() -> Iterator[None]:
    """Turn lib.distribution's refusals into a VentureError, message kept."""
    try:
        yield
    except DistributionError as error:
        raise VentureError(str(error)) from error
