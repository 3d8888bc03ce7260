"""Forms of the statistics import and export pages (the browsing forms are in forms_browse)."""

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from registry.choices import YEAR_MAX, YEAR_MIN

__all__ = ["StatsExportForm", "StatsImportForm"]


class StatsImportForm(forms.Form):
    file = forms.FileField(
        label=_("File"),
        help_text=_("An xlsx or CSV file in the template's format."),
    )
    dry_run = forms.BooleanField(
        label=_("Validate only"),
        required=False,
        help_text=_("Check every row and count what would change, without writing anything."),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        limit = settings.STATS_IMPORT_MAX_BYTES
        if upload.size > limit:
            raise forms.ValidationError(
                _("The file is larger than {limit} MB.").format(limit=limit // (1024 * 1024))
            )
        return upload


class StatsExportForm(forms.Form):
    year = forms.IntegerField(
        label=_("Year"), required=False, min_value=YEAR_MIN, max_value=YEAR_MAX
    )
    region = forms.RegexField(
        label=_("Region code"),
        regex=r"^\d{2,12}$",
        required=False,
        help_text=_("Only villages under this region, e.g. 330482."),
        error_messages={"invalid": _("A region code is 2 to 12 digits.")},
    )
    format = forms.ChoiceField(
        label=_("Format"),
        choices=[("xlsx", "Excel (xlsx)"), ("csv", "CSV")],
        required=False,
    )

    def clean_format(self) -> str:
        return self.cleaned_data["format"] or "xlsx"
