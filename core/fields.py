"""Money fields: one limit for every amount of money, from `lib.money.MAX_FEN`.

- `MoneyField`: a model field of integer fen (a BigIntegerField) validated to ±MAX_FEN,
  so that ModelForms, the admin and DRF ModelSerializers (which read the first
  MaxValueValidator into `max_value`) all refuse a larger amount.
- `yuan_field` / `wan_field`: form fields for an amount typed in 元 or 万元, bounded so that
  their value in fen stays within the limit.

API serializers use `core.api.base.FenField` (same limit); imports use
`lib.tabular.money_column` (same limit).

`MoneyField` stores exactly what a BigIntegerField stores and deconstructs as one, so that
switching a field to it needs no migration (the validators are Python only).
"""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

from lib.money import MAX_FEN, MIN_FEN

__all__ = ["MAX_WAN", "MAX_YUAN", "MoneyField", "money_validators", "wan_field", "yuan_field"]

#: The limit in 元 (two places) and 万元 (six places): MAX_FEN exactly.
MAX_YUAN = Decimal(MAX_FEN).scaleb(-2)
MAX_WAN = Decimal(MAX_FEN).scaleb(-6)


def money_validators(minimum: int = MIN_FEN) -> list:
    """Validators bounding an amount of fen to [max(minimum, MIN_FEN), MAX_FEN]."""
    return [MinValueValidator(max(int(minimum), MIN_FEN)), MaxValueValidator(MAX_FEN)]


class MoneyField(models.BigIntegerField):
    """Integer fen, at most MAX_FEN in magnitude (see the module docstring)."""

    # Default validators come before any given ones and are not part of the migration
    # state; IntegerField adds no 64-bit range validator when a stricter one is present.
    default_validators = money_validators()

    def deconstruct(self):
        name, _path, args, kwargs = super().deconstruct()
        return name, "django.db.models.BigIntegerField", args, kwargs


def _decimal_field(label, places: int, maximum: Decimal, *, required: bool, minimum, **kwargs):
    digits = len(str(MAX_FEN))  # 15 significant digits, whatever the unit
    return forms.DecimalField(
        label=label,
        required=required,
        min_value=minimum,
        max_value=maximum,
        max_digits=digits,
        decimal_places=places,
        widget=forms.NumberInput(attrs={"step": "0.01", "min": "0", "inputmode": "decimal"}),
        **kwargs,
    )


def yuan_field(label, *, required: bool = True, minimum=Decimal(0), **kwargs):
    """An amount in 元 with at most two decimals, within the money limit."""
    return _decimal_field(label, 2, MAX_YUAN, required=required, minimum=minimum, **kwargs)


def wan_field(label, *, required: bool = True, minimum=Decimal(0), **kwargs):
    """An amount in 万元 with at most six decimals, within the money limit."""
    return _decimal_field(label, 6, MAX_WAN, required=required, minimum=minimum, **kwargs)
