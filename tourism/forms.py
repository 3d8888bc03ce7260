from django import forms
from django.utils.translation import gettext_lazy as _

from lib import scenic


class FiguresImportForm(forms.Form):
    file = forms.FileField(label=_("Monthly figures file (xlsx or csv)"))


class PhotoForm(forms.Form):
    photo = forms.ImageField(label=_("Photo"))
    caption = forms.CharField(label=_("Caption"), max_length=200, required=False)


class AssessmentForm(forms.Form):
    """One field per part of the sheet (`lib.scenic.SHEET`), bounded by its maximum."""

    assessed_on = forms.DateField(
        label=_("Assessed on"), widget=forms.DateInput(attrs={"type": "date"})
    )
    bonus = forms.IntegerField(label=_("Bonus"), min_value=0, initial=0)
    claimed_grade = forms.ChoiceField(
        label=_("Grade applied for"),
        choices=[("", "—"), ("A", "A"), ("AA", "AA"), ("AAA", "AAA")],
        required=False,
    )
    assessor = forms.CharField(label=_("Assessed by"), max_length=200, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Bounds are left to the service, which names the part and its maximum: the form
        # only asks for whole numbers.
        for part in scenic.SHEET:
            self.fields[part.key] = forms.IntegerField(
                label=f"{part.label}（{part.maximum}）", min_value=0
            )

    def scores(self) -> dict[str, int]:
        return {part.key: self.cleaned_data[part.key] for part in scenic.SHEET}
