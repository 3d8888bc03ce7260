"""Forms of the alliances pages (the services validate again)."""

from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from alliances.choices import DutyStatus

__all__ = ["DutyFilterForm", "DutyUpdateForm", "EvidenceForm"]

# A progress report says started or done; "planned" is the state before any report and
# "verified" is a city admin's check (`verify_duty`).
REPORTABLE_CHOICES = [
    (value, label)
    for value, label in DutyStatus.choices
    if value in (DutyStatus.IN_PROGRESS, DutyStatus.DONE)
]


class DutyFilterForm(forms.Form):
    owner = forms.ChoiceField(label=_("Owner"), required=False)
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[("", _("Any status")), ("open", _("Open (not done)")), *DutyStatus.choices],
    )
    overdue = forms.BooleanField(label=_("Overdue only"), required=False)

    def __init__(self, *args, owners=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].choices = [("", _("All owners")), *owners]


class DutyUpdateForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), choices=REPORTABLE_CHOICES)
    percent = forms.IntegerField(
        label=_("Progress (%)"),
        min_value=0,
        max_value=100,
        required=False,
        help_text=_("Done is 100%."),
    )
    on = forms.DateField(
        label=_("Date"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("Today if empty."),
    )
    note = forms.CharField(
        label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def clean_on(self):
        return self.cleaned_data["on"] or timezone.localdate()


class EvidenceForm(forms.Form):
    file = forms.FileField(label=_("File"))
    title = forms.CharField(label=_("Title"), required=False, max_length=200)
