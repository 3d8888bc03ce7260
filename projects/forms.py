"""Forms of the projects pages: amounts are typed in 万元 (as project lists are) → fen."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django import forms
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from core.fields import wan_field
from lib.progress import month_end
from projects.choices import AttachmentKind, ProjectCategory, ProjectStatus
from registry.choices import YEARS

__all__ = [
    "MAX_ID",
    "YEARS",
    "AttachmentForm",
    "ImportForm",
    "ProgressForm",
    "fen_from_wan",
    "parse_period",
]


def fen_from_wan(amount: Decimal | None) -> int | None:
    """An amount of 万元 (≤ 6 decimals) as integer fen, exactly."""
    if amount is None:
        return None
    return int(amount * 1_000_000)


MAX_ID = 2**63 - 1  # a larger number overflows the database's integers (a 500, not a miss)


def parse_period(text: str) -> date:
    """The last day of the month written "YYYY-MM" (a year in YEARS).

    Raises:
        ValueError: anything else (an impossible month, a year out of range, 20 digits…).
    """
    parts = text.strip().split("-")
    if len(parts) < 2 or not all(p.isascii() and p.isdigit() and len(p) <= 4 for p in parts[:2]):
        raise ValueError(text)
    year, month = int(parts[0]), int(parts[1])
    if year not in YEARS:
        raise ValueError(text)
    return month_end(date(year, month, 1))


def _wan(label, *, required: bool) -> forms.DecimalField:
    return wan_field(label, required=required)  # within the one money limit (MAX_FEN)


class ProgressForm(forms.Form):
    period = forms.CharField(
        label=_("Month"), widget=forms.TextInput(attrs={"type": "month"}),
        help_text=_("The month reported, e.g. 2022-06."),
    )
    completed_in_year = _wan(_("Investment completed this year (10k yuan)"), required=True)
    completed_total = _wan(_("Investment completed since start (10k yuan)"), required=False)
    note = forms.CharField(label=_("Progress"), required=False, max_length=2000,
                           widget=forms.Textarea(attrs={"rows": 3}))

    def clean_period(self) -> date:
        try:
            return parse_period(self.cleaned_data["period"])
        except ValueError:
            raise forms.ValidationError(_("Write the month as YYYY-MM (e.g. 2022-06).")) from None


class ImportForm(forms.Form):
    file = forms.FileField(
        label=_("File"), help_text=_("An xlsx file in the format of the download.")
    )

    def clean_file(self):
        """Refused here, before it is kept for a worker: a file over the imports' limit."""
        from projects.services import MAX_IMPORT_BYTES

        upload = self.cleaned_data["file"]
        if upload.size > MAX_IMPORT_BYTES:
            raise forms.ValidationError(
                _("The file is larger than {limit} MB.").format(
                    limit=MAX_IMPORT_BYTES // (1024 * 1024)
                )
            )
        return upload


class AttachmentForm(forms.Form):
    """Type and size are checked by `services.add_attachment` (one rule for page and API)."""

    title = forms.CharField(
        label=_("Title"), required=False, max_length=200,
        help_text=_("Empty: the file name."),
    )
    kind = forms.ChoiceField(
        label=_("Kind"), choices=AttachmentKind.choices, initial=AttachmentKind.PHOTO
    )
    file = forms.FileField(
        label=_("File"),
        widget=forms.ClearableFileInput(
            attrs={"accept": ".jpg,.jpeg,.png,.gif,.webp,.pdf,.doc,.docx,.xls,.xlsx,.ppt,.pptx"}
        ),
    )

    def __init__(self, *args, max_bytes: int, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["file"].help_text = gettext(
            "Pictures (jpg, png, gif, webp), pdf or office documents, up to %(mb)s MB."
        ) % {"mb": max_bytes // (1024 * 1024)}


class ProjectFilterForm(forms.Form):
    consortium = forms.IntegerField(required=False, min_value=1, max_value=MAX_ID)
    status = forms.ChoiceField(required=False, choices=[("", "")] + ProjectStatus.choices)
    category = forms.ChoiceField(required=False, choices=[("", "")] + ProjectCategory.choices)
    village = forms.RegexField(required=False, regex=r"^\d{12}$")
