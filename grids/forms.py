from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from grids.choices import (
    EvaluationKind,
    MatterCategory,
    MatterLevel,
    RevealField,
    Satisfaction,
    StepKind,
    Verdict,
    VisitKind,
)


class RevealForm(forms.Form):
    field = forms.ChoiceField(label=_("Field"), choices=RevealField.choices)
    reason = forms.CharField(label=_("Why you need to see it"), min_length=2, max_length=300)


class MatterReportForm(forms.Form):
    category = forms.ChoiceField(label=_("Category"), choices=MatterCategory.choices)
    micro_grid = forms.ChoiceField(label=_("Micro-grid"), required=False)
    place = forms.CharField(label=_("Place"), max_length=200)
    description = forms.CharField(
        label=_("What happened"), widget=forms.Textarea(attrs={"rows": 3})
    )
    photo = forms.ImageField(label=_("Photo"), required=False)

    def __init__(self, *args, micro_grids=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["micro_grid"].choices = [("", "—")] + [(m.pk, m.name) for m in micro_grids]


class MatterStepForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("Step"), choices=[c for c in StepKind.choices if c[0] != StepKind.ACCEPT]
    )
    level = forms.ChoiceField(
        label=_("Transfer to"), choices=[("", "—")] + MatterLevel.choices, required=False
    )
    satisfaction = forms.ChoiceField(
        label=_("Satisfaction"), choices=[("", "—")] + Satisfaction.choices, required=False
    )
    note = forms.CharField(label=_("Note"), max_length=500, required=False)


class HouseholdImportForm(forms.Form):
    file = forms.FileField(label=_("Household file (xlsx or csv)"))


class DateInput(forms.DateInput):
    """A browser date picker (it takes ISO dates only, whatever the language)."""

    input_type = "date"

    def __init__(self, attrs=None, format="%Y-%m-%d"):  # noqa: A002 (Django's name)
        super().__init__(attrs, format=format)


class LinkForm(forms.Form):
    """党员联户: a household linked to a party member of its village."""

    member = forms.TypedChoiceField(label=_("Party member"), coerce=int)
    household = forms.TypedChoiceField(label=_("Household"), coerce=int)
    linked_on = forms.DateField(label=_("Linked on"), widget=DateInput, initial=timezone.localdate)

    def __init__(self, *args, members=(), households=None, **kwargs):
        """`members`: (pk, label) pairs; `households`: (pk, label) pairs, or None on a
        household's own page (the household is the page's)."""
        super().__init__(*args, **kwargs)
        self.fields["member"].choices = list(members)
        if households is None:
            del self.fields["household"]
        else:
            self.fields["household"].choices = list(households)


class VisitForm(forms.Form):
    visited_on = forms.DateField(
        label=_("Visited on"), widget=DateInput, initial=timezone.localdate
    )
    kind = forms.ChoiceField(label=_("Occasion (四必访)"), choices=VisitKind.choices)
    note = forms.CharField(label=_("Note"), max_length=300, required=False)


class EvaluationForm(forms.Form):
    year = forms.IntegerField(
        label=_("Year"), min_value=2000, max_value=2100, initial=lambda: timezone.localdate().year
    )
    kind = forms.ChoiceField(label=_("For (四必评)"), choices=EvaluationKind.choices)
    verdict = forms.ChoiceField(label=_("Verdict"), choices=Verdict.choices)
    note = forms.CharField(label=_("Note"), max_length=300, required=False)
