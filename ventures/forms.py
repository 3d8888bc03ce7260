"""Forms of the ventures pages. Money is typed in 元 (at most two decimals) and handed to the
services as integer fen; rates are typed in percent and handed on as exact text ("10%")."""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from lib.money import fen_from_yuan
from registry.choices import YEAR_MAX, YEAR_MIN
from registry.models import Organisation
from ventures.choices import ContributionKind, DistributionPolicy, DistributionSource, IncomeKind

__all__ = [
    "ContributionForm",
    "IncomeForm",
    "PostForm",
    "ReverseForm",
    "RunPrepareForm",
]

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def _yuan(label, *, required: bool = True, help_text: str = "") -> forms.DecimalField:
    return forms.DecimalField(
        label=label, required=required, min_value=Decimal("0.01"), max_digits=16,
        decimal_places=2, help_text=help_text,
        widget=forms.NumberInput(attrs={"step": "0.01", "min": "0", "inputmode": "decimal"}),
    )


def _percent(label, *, help_text: str = "") -> forms.DecimalField:
    return forms.DecimalField(
        label=label, required=False, min_value=Decimal(0), max_value=Decimal(100),
        max_digits=9, decimal_places=4, help_text=help_text,
        widget=forms.NumberInput(attrs={"step": "0.0001", "min": "0", "max": "100"}),
    )


def _percent_text(value: Decimal) -> str:
    return f"{value.normalize():f}%"


class RunPrepareForm(forms.Form):
    """A distribution run's period, policy and parameters (see services.prepare_run)."""

    period_start = forms.DateField(label=_("Period start"), widget=DATE)
    period_end = forms.DateField(
        label=_("Period end"), widget=DATE,
        help_text=_("The share register is read on this day."),
    )
    policy = forms.ChoiceField(label=_("Policy"), choices=DistributionPolicy.choices)
    source = forms.ChoiceField(
        label=_("Source"), choices=DistributionSource.choices, initial=DistributionSource.INCOME
    )
    total = _yuan(
        _("Amount to distribute (yuan)"), required=False,
        help_text=_("Empty: all undistributed money of the source at the period end."),
    )
    reserve_rate = _percent(_("Reserve fund 公积公益金 (%)"))
    welfare_rate = _percent(_("Welfare fund 福利费 (%)"))
    rate = _percent(_("Fixed return a year (%)"), help_text=_("Fixed return: e.g. 10."))
    fixed_years = forms.IntegerField(
        label=_("Fixed-return years"), required=False, min_value=0,
        help_text=_("After this many years from the term start, actual income is shared."),
    )
    term_start = forms.DateField(
        label=_("Fixed-return term start"), required=False, widget=DATE,
        help_text=_("Empty: the venture's start date."),
    )
    floor = _yuan(_("Guaranteed floor per holder (yuan)"), required=False)
    floor_rate = _percent(_("Guaranteed floor, a year on capital (%)"))
    share_ratio = _percent(
        _("Share pool (%)"), help_text=_("Shares + points: the part split by shares.")
    )
    population_year = forms.IntegerField(
        label=_("Population year"), required=False, min_value=YEAR_MIN, max_value=YEAR_MAX,
        help_text=_("Empty: the year of the period end (or the latest before it)."),
    )

    POLICY_FIELDS = {
        DistributionPolicy.FIXED_RETURN: ("rate", "fixed_years", "term_start"),
        DistributionPolicy.FLOOR_PRO_RATA: ("floor", "floor_rate"),
        DistributionPolicy.SHARES_POINTS: ("share_ratio",),
        DistributionPolicy.POPULATION: ("population_year",),
    }

    def clean(self):
        data = super().clean()
        start, end = data.get("period_start"), data.get("period_end")
        if start and end and end < start:
            self.add_error("period_end", _("The period ends before it starts."))
        return data

    def params(self) -> dict:
        """The services' params: fen for money, percent text for rates, only what is set."""
        data = self.cleaned_data
        params: dict = {"source": data["source"]}
        if data.get("total") is not None:
            params["total"] = fen_from_yuan(data["total"])
        for name in ("reserve_rate", "welfare_rate"):
            if data.get(name):
                params[name] = _percent_text(data[name])
        for name in self.POLICY_FIELDS.get(data["policy"], ()):
            value = data.get(name)
            if value is None or value == "":
                continue
            if name in ("rate", "floor_rate", "share_ratio"):
                params[name] = _percent_text(value)
            elif name == "floor":
                params[name] = fen_from_yuan(value)
            elif name == "term_start":
                params[name] = value.isoformat()
            else:
                params[name] = value
        return params


class HolderField(forms.CharField):
    """A holder: a 12-digit village code, or organisation:<id>; cleaned to a holder key."""

    def clean(self, value):
        value = (super().clean(value) or "").strip()
        if value.isdigit() and len(value) == 12:
            return f"village:{value}"
        if value.startswith(("village:", "organisation:")):
            return value
        raise forms.ValidationError(
            _("Enter a 12-digit village code, or organisation:<id>.")
        )


class ContributionForm(forms.Form):
    holder = HolderField(
        label=_("Holder"), help_text=_("A 12-digit village code, or organisation:<id>.")
    )
    kind = forms.ChoiceField(label=_("Kind"), choices=ContributionKind.choices)
    amount = _yuan(_("Amount (yuan)"))
    contributed_on = forms.DateField(label=_("Date"), widget=DATE)
    note = forms.CharField(label=_("Note"), required=False, max_length=200)


class IncomeForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=IncomeKind.choices)
    amount = _yuan(_("Amount (yuan)"))
    received_on = forms.DateField(label=_("Received on"), widget=DATE)
    payer = forms.ModelChoiceField(
        label=_("Payer"), required=False, queryset=Organisation.objects.order_by("name")
    )
    period_start = forms.DateField(label=_("For the period from"), required=False, widget=DATE)
    period_end = forms.DateField(label=_("For the period to"), required=False, widget=DATE)
    note = forms.CharField(label=_("Note"), required=False, max_length=200)


class PostForm(forms.Form):
    date = forms.DateField(
        label=_("Posting date"), required=False, widget=DATE, help_text=_("Empty: today.")
    )


class ReverseForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=500, widget=forms.Textarea(attrs={"rows": 2}))
    date = forms.DateField(
        label=_("Reversal date"), required=False, widget=DATE, help_text=_("Empty: today.")
    )
