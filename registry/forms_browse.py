"""Forms for browsing the registry and editing one village's statistics from the web.

Money is typed in 元 with at most two decimals and stored as integer fen; the conversion is
exact Decimal arithmetic (never float).
"""

from __future__ import annotations

import re
from decimal import Decimal

from django import forms
from django.core.validators import RegexValidator
from django.utils.translation import gettext_lazy as _

from lib.money import fen_from_yuan
from registry.choices import YEAR_MAX, YEAR_MIN
from registry.models import VillageStat

__all__ = ["VillageFilterForm", "VillageStatForm", "yuan_from_fen"]

MONEY_FIELDS = (
    "total_income",
    "operating_income",
    "recurring_income",
    "per_capita_disposable_income",
)
COUNT_FIELDS = ("population", "households")
STATUS_WEAK = "weak"
STATUS_NOT_WEAK = "not_weak"


def yuan_from_fen(fen: int | None) -> Decimal | None:
    return None if fen is None else Decimal(fen) / 100


def _money_field(label, *, required: bool) -> forms.DecimalField:
    return forms.DecimalField(
        label=label,
        required=required,
        min_value=Decimal(0),
        max_digits=16,  # up to 10^14 元: far above any village, far below BigInteger fen
        decimal_places=2,
        widget=forms.NumberInput(attrs={"step": "0.01", "min": "0", "inputmode": "decimal"}),
    )


class VillageStatForm(forms.Form):
    """One village-year of statistics; the year is chosen when adding and fixed when editing."""

    year = forms.IntegerField(label=_("Year"), min_value=YEAR_MIN, max_value=YEAR_MAX)
    total_income = _money_field(_("Total collective income (yuan)"), required=True)
    operating_income = _money_field(_("Operating income (yuan)"), required=False)
    recurring_income = _money_field(_("Recurring income (yuan)"), required=False)
    population = forms.IntegerField(label=_("Registered population"), required=False, min_value=0)
    households = forms.IntegerField(label=_("Households"), required=False, min_value=0)
    per_capita_disposable_income = _money_field(
        _("Rural per-capita disposable income (yuan)"), required=False
    )

    def __init__(self, *args, village, instance: VillageStat | None = None, **kwargs):
        self.village = village
        self.instance = instance
        if instance is not None:
            kwargs.setdefault("initial", self.initial_from(instance))
        super().__init__(*args, **kwargs)
        if instance is not None:
            self.fields["year"].disabled = True

    @staticmethod
    def initial_from(stat: VillageStat) -> dict:
        initial = {"year": stat.year}
        for name in MONEY_FIELDS:
            initial[name] = yuan_from_fen(getattr(stat, name))
        for name in COUNT_FIELDS:
            initial[name] = getattr(stat, name)
        return initial

    def clean_year(self):
        year = self.cleaned_data["year"]
        if (
            self.instance is None
            and VillageStat.objects.filter(village=self.village, year=year).exists()
        ):
            raise forms.ValidationError(
                _("Statistics for {year} already exist; edit them instead.").format(year=year)
            )
        return year

    def save(self) -> VillageStat:
        """Write through the model, so the change-log signals record before and after."""
        stat = self.instance or VillageStat(village=self.village)
        data = self.cleaned_data
        stat.year = data["year"]
        for name in MONEY_FIELDS:
            value = data.get(name)
            setattr(stat, name, None if value is None else fen_from_yuan(value))
        for name in COUNT_FIELDS:
            setattr(stat, name, data.get(name))
        # A figure a person typed in is a reported figure, not a generated demo one.
        stat.is_illustrative = False
        stat.save()
        return stat


class VillageFilterForm(forms.Form):
    """The village list's search and filters (GET). Invalid values are ignored, not fatal."""

    q = forms.CharField(label=_("Name or code"), required=False, max_length=50)
    region = forms.CharField(
        label=_("Region code"),
        required=False,
        max_length=12,
        validators=[RegexValidator(re.compile(r"^\d{2,12}$"), _("Enter 2 to 12 digits."))],
    )
    year = forms.TypedChoiceField(label=_("Year"), required=False, coerce=int, empty_value=None)
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[
            ("", _("All")),
            (STATUS_WEAK, _("Weak")),
            (STATUS_NOT_WEAK, _("Not weak")),
        ],
    )

    def __init__(self, *args, years: list[int], counties: list | None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["year"].choices = [("", _("Any year"))] + [(y, str(y)) for y in years]
        self.counties = counties
