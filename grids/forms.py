from django import forms
from django.utils.translation import gettext_lazy as _

from grids.choices import MatterCategory, MatterLevel, RevealField, Satisfaction, StepKind


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
