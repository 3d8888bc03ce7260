from django import forms
from django.utils.translation import gettext_lazy as _

from points.choices import AppealOutcome


class ProposeForm(forms.Form):
    household = forms.CharField(label=_("Household number"), max_length=20)
    item = forms.CharField(label=_("Item code"), max_length=20)
    occurred_on = forms.DateField(label=_("Date"), widget=forms.DateInput(attrs={"type": "date"}))
    note = forms.CharField(label=_("Note"), max_length=300, required=False)
    evidence_note = forms.CharField(
        label=_("Evidence (description)"), max_length=300, required=False
    )
    evidence = forms.FileField(label=_("Evidence (photo)"), required=False)


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=300)


class AppealForm(forms.Form):
    entry = forms.IntegerField(label=_("Entry"), widget=forms.HiddenInput)
    reason = forms.CharField(label=_("Reason"), max_length=500)


class PublicAppealForm(forms.Form):
    entry = forms.IntegerField(label=_("Entry number (on the notice)"))
    household = forms.CharField(label=_("Household number"), max_length=20)
    reason = forms.CharField(
        label=_("Reason"), max_length=500, widget=forms.Textarea(attrs={"rows": 3})
    )


class DecideForm(forms.Form):
    appeal = forms.IntegerField(widget=forms.HiddenInput)
    outcome = forms.ChoiceField(
        label=_("Decision"),
        choices=[
            (AppealOutcome.UPHELD, AppealOutcome.UPHELD.label),
            (AppealOutcome.REJECTED, AppealOutcome.REJECTED.label),
        ],
    )
    reason = forms.CharField(label=_("Reason"), max_length=500)


class RedeemForm(forms.Form):
    item = forms.IntegerField(label=_("Goods"))
    quantity = forms.IntegerField(label=_("Quantity"), min_value=1, initial=1)


class ImportForm(forms.Form):
    file = forms.FileField(label=_("Sheet (xlsx)"))
