"""Forms of the ventures pages. Money is typed in 元 (at most two decimals) and handed to the
services as integer fen; rates are typed in percent and handed on as exact text ("10%").
The run form's parameter fields are declared by the policies (`ventures.policies`)."""

from __future__ import annotations

from decimal import Decimal
from functools import partial

from django import forms
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from core.fields import yuan_field
from lib.money import fen_from_yuan
from registry.choices import YEAR_MAX, YEAR_MIN
from registry.models import Organisation
from ventures import selectors
from ventures.choices import ContributionKind, DistributionPolicy, DistributionSource, IncomeKind
from ventures.policies import COMMON, POLICIES, FormField, Param

__all__ = [
    "ContributionForm",
    "HolderLookupForm",
    "IncomeForm",
    "PostForm",
    "PublishForm",
    "ReverseForm",
    "RunPrepareForm",
]

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def _yuan(label, *, required: bool = True, help_text: str = "") -> forms.DecimalField:
    # Within the one money limit (lib.money.MAX_FEN).
    return yuan_field(label, required=required, minimum=Decimal("0.01"), help_text=help_text)


def _percent(label, *, help_text: str = "") -> forms.DecimalField:
    return forms.DecimalField(
        label=label,
        required=False,
        min_value=Decimal(0),
        max_value=Decimal(100),
        max_digits=9,
        decimal_places=4,
        help_text=help_text,
        widget=forms.NumberInput(attrs={"step": "0.0001", "min": "0", "max": "100"}),
    )


def _percent_text(value: Decimal) -> str:
    return f"{value.normalize():f}%"


def _count(label, *, help_text: str = "") -> forms.IntegerField:
    return forms.IntegerField(label=label, required=False, min_value=0, help_text=help_text)


def _year(label, *, help_text: str = "") -> forms.IntegerField:
    return forms.IntegerField(
        label=label, required=False, min_value=YEAR_MIN, max_value=YEAR_MAX, help_text=help_text
    )


def _source(label, *, help_text: str = "") -> forms.ChoiceField:
    return forms.ChoiceField(
        label=label,
        choices=DistributionSource.choices,
        initial=DistributionSource.INCOME,
        help_text=help_text,
    )


def _date(label, *, help_text: str = "") -> forms.DateField:
    return forms.DateField(label=label, required=False, widget=DATE, help_text=help_text)


# How each kind of policy parameter is typed in, and handed on to the services.
FIELD_KINDS = {
    FormField.SOURCE: (_source, lambda value: value),
    FormField.YUAN: (partial(_yuan, required=False), fen_from_yuan),
    FormField.PERCENT: (_percent, _percent_text),
    FormField.DATE: (_date, lambda value: value.isoformat()),
    FormField.COUNT: (_count, lambda value: value),
    FormField.YEAR: (_year, lambda value: value),
}


def _param_fields() -> dict[str, tuple[Param, forms.Field]]:
    """Every parameter the page offers (the common ones, then each policy's), in that order."""
    fields: dict[str, tuple[Param, forms.Field]] = {}
    params = list(COMMON) + [p for policy in POLICIES.values() for p in policy.params]
    for param in params:
        if param.form is None or param.name in fields:
            continue
        make, _hand_on = FIELD_KINDS[param.form]
        fields[param.name] = (param, make(param.label, help_text=param.help_text))
    return fields


class RunPrepareForm(forms.Form):
    """A distribution run's period, policy and parameters (see services.prepare_run).

    The parameter fields come from `ventures.policies`: the common ones and every policy's;
    `params()` hands on the common ones and the chosen policy's own.
    """

    period_start = forms.DateField(label=_("Period start"), widget=DATE)
    period_end = forms.DateField(
        label=_("Period end"),
        widget=DATE,
        help_text=_("The share register is read on this day."),
    )
    policy = forms.ChoiceField(label=_("Policy"), choices=DistributionPolicy.choices)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.param_fields = _param_fields()
        for name, (_param, field) in self.param_fields.items():
            self.fields[name] = field

    def clean(self):
        data = super().clean()
        start, end = data.get("period_start"), data.get("period_end")
        if start and end and end < start:
            self.add_error("period_end", _("The period ends before it starts."))
        return data

    def params(self) -> dict:
        """The services' params: fen for money, percent text for rates, only what is set."""
        data = self.cleaned_data
        params: dict = {}
        for param in (*COMMON, *POLICIES[data["policy"]].params):
            if param.name not in self.param_fields:
                continue
            value = data.get(param.name)
            if value is None or value == "" or (param.omit_zero and not value):
                continue
            _make, hand_on = FIELD_KINDS[param.form]
            params[param.name] = hand_on(value)
        return params


class HolderPicker(forms.Select):
    """A holder picker: a search box that refills the list below it (htmx, from
    `ventures:holder_options`) and the list, whose values are holder keys. The keys stay in
    the option values; the page shows names and codes only."""

    template_name = "ventures/widgets/holder_picker.html"
    options_url = ""

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        context["widget"]["options_url"] = self.options_url
        return context


class HolderField(forms.ChoiceField):
    """A holder picked from the list (or, from a script, a 12-digit village code or a holder
    key); cleaned to a holder key. The choices are the venture's holders and whatever the
    search offered, so any existing village or organisation is valid."""

    widget = HolderPicker

    def __init__(self, **kwargs):
        super().__init__(choices=(), **kwargs)

    def to_python(self, value):
        value = (super().to_python(value) or "").strip()
        if value.isdigit() and len(value) == 12:
            return f"village:{value}"
        return value

    def validate(self, value):
        forms.Field.validate(self, value)
        if value and selectors.holder_option(value) is None:
            raise forms.ValidationError(_("Choose a holder from the list."))

    def for_venture(self, venture, value=None) -> None:
        """Offer the venture's holders (and the one already chosen) and search from there."""
        choices = [("", _("— choose a holder —")), *selectors.holder_options(venture)]
        if value and value not in {key for key, _label in choices}:
            chosen = selectors.holder_option(self.to_python(value))
            if chosen:
                choices.append(chosen)
        self.choices = choices
        self.widget.options_url = reverse("ventures:holder_options", args=[venture.pk])


class ContributionForm(forms.Form):
    holder = HolderField(
        label=_("Holder"), help_text=_("Type part of a name or a village code, then choose.")
    )
    kind = forms.ChoiceField(label=_("Kind"), choices=ContributionKind.choices)
    amount = _yuan(_("Amount (yuan)"))
    contributed_on = forms.DateField(label=_("Date"), widget=DATE)
    note = forms.CharField(label=_("Note"), required=False, max_length=200)

    def for_venture(self, venture) -> None:
        self.fields["holder"].for_venture(venture, self.data.get(self.add_prefix("holder")))


class HolderLookupForm(forms.Form):
    """The statement picker on the venture page (GET)."""

    holder = HolderField(label=_("Statement of a holder"))

    def __init__(self, venture, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["holder"].for_venture(venture, self.data.get("holder"))


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


class PublishForm(forms.Form):
    """The 公示: its period, who issues it and who answers objections."""

    starts_on = forms.DateField(
        label=_("Notice period from"), required=False, widget=DATE, help_text=_("Empty: today.")
    )
    ends_on = forms.DateField(
        label=_("Notice period to"),
        required=False,
        widget=DATE,
        help_text=_("Empty: seven days, both included."),
    )
    issuer = forms.CharField(label=_("Issued by"), max_length=200, required=False)
    # Not required here: the service decides (after the role check) and falls back to the
    # venture's own contact; the browser still asks for one.
    contact = forms.CharField(
        label=_("Contact for objections"),
        max_length=200,
        required=False,
        widget=forms.TextInput(attrs={"required": True}),
        help_text=_("An office and its telephone, printed on the notice."),
    )


class ReverseForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"), max_length=500, widget=forms.Textarea(attrs={"rows": 2})
    )
    date = forms.DateField(
        label=_("Reversal date"), required=False, widget=DATE, help_text=_("Empty: today.")
    )
