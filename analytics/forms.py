"""Forms of the analytics pages."""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from lib.money import fen_from_yuan
from registry.choices import YEAR_MAX, YEAR_MIN, parse_year

__all__ = [
    "OptimiseForm",
    "ParkForm",
    "ParkFormSet",
    "RegionPickForm",
    "SavePlanForm",
    "ScenarioEditForm",
    "ScenarioForm",
]


class RegionPickForm(forms.Form):
    """The dashboard picker's `?region=CODE&year=Y`: a bad region is no pick (the picker is
    shown again), a bad or empty year is the latest year with statistics."""

    region = forms.RegexField(regex=r"^[0-9]{2,12}$", label=_("Region code"))
    year = forms.CharField(required=False, label=_("Year"))

    def clean_year(self) -> int | None:
        return parse_year(self.cleaned_data.get("year"))


class ScenarioForm(forms.Form):
    """A scenario's name, region, year, description and changes (JSON, as stored)."""

    name = forms.CharField(label=_("Name"), max_length=200)
    region = forms.RegexField(regex=r"^[0-9]{2,9}$", label=_("Region code"))
    year = forms.TypedChoiceField(
        label=_("Year"), coerce=int, choices=[(y, y) for y in range(YEAR_MAX, YEAR_MIN - 1, -1)]
    )
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    changes = forms.JSONField(
        label=_("Changes"),
        required=False,
        initial=list,
        widget=forms.Textarea(attrs={"rows": 10, "class": "mono"}),
        help_text=_(
            "A JSON list. Kinds: park_rate {venture, rate_bp}; new_park {park, rate_bp}; "
            "stake {village, venture or park, stake_fen}; weak_line {region, line_fen}; "
            "budget {venture or park, budget_fen}. Money in fen, rates in basis points."
        ),
    )

    def clean_changes(self):
        value = self.cleaned_data.get("changes")
        return [] if value in (None, "") else value


class ScenarioEditForm(ScenarioForm):
    """Editing keeps the region and year (a scenario is over one year's data)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        del self.fields["region"]
        del self.fields["year"]


def _fen(value: Decimal | None) -> int | None:
    return None if value is None else fen_from_yuan(value)


class OptimiseForm(forms.Form):
    """The optimiser screen: region, year, budget (yuan), county cap and time limit."""

    region = forms.RegexField(regex=r"^[0-9]{2,9}$", label=_("Region code"))
    year = forms.TypedChoiceField(
        label=_("Year"), coerce=int, choices=[(y, y) for y in range(YEAR_MAX, YEAR_MIN - 1, -1)]
    )
    budget = forms.DecimalField(
        label=_("Budget (yuan)"), min_value=Decimal("0.01"), decimal_places=2, max_digits=15
    )
    county_cap = forms.DecimalField(
        label=_("County cap (share of the budget)"),
        required=False,
        min_value=Decimal("0.0001"),
        max_value=1,
        decimal_places=4,
        help_text=_("Empty: no cap. 0.1 lets no county take more than a tenth."),
    )
    time_limit = forms.FloatField(
        label=_("Time limit (s)"),
        required=False,
        min_value=0.1,
        max_value=3600,
        help_text=_("Empty: run to the proven optimum."),
    )

    def clean_budget(self) -> int:
        return _fen(self.cleaned_data["budget"])


class ParkForm(forms.Form):
    """One park of the optimiser screen (an empty row is skipped)."""

    park = forms.CharField(label=_("Park"), max_length=200, required=False)
    rate_bp = forms.IntegerField(label=_("Rate (bp)"), min_value=0, required=False)
    capacity = forms.DecimalField(
        label=_("Capacity (yuan)"), min_value=0, decimal_places=2, max_digits=15, required=False
    )
    unit = forms.DecimalField(
        label=_("Stake unit (yuan)"),
        min_value=0,
        decimal_places=2,
        max_digits=15,
        required=False,
    )

    def clean(self):
        data = super().clean()
        filled = [data.get(k) not in (None, "") for k in ("park", "rate_bp", "capacity", "unit")]
        if any(filled) and not all(filled):
            raise forms.ValidationError(_("Fill in every column of a park, or none."))
        return data

    def as_park(self) -> dict | None:
        data = self.cleaned_data
        if not data.get("park"):
            return None
        return {
            "park": data["park"].strip(),
            "rate_bp": data["rate_bp"],
            "capacity_fen": _fen(data["capacity"]),
            "unit_fen": _fen(data["unit"]),
        }


ParkFormSet = forms.formset_factory(ParkForm, extra=3, max_num=50)


class SavePlanForm(forms.Form):
    name = forms.CharField(label=_("Scenario name"), max_length=200)
