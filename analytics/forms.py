"""Forms of the analytics pages."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from registry.choices import parse_year

__all__ = ["RegionPickForm"]


class RegionPickForm(forms.Form):
    """The dashboard picker's `?region=CODE&year=Y`: a bad region is no pick (the picker is
    shown again), a bad or empty year is the latest year with statistics."""

    region = forms.RegexField(regex=r"^[0-9]{2,12}$", label=_("Region code"))
    year = forms.CharField(required=False, label=_("Year"))

    def clean_year(self) -> int | None:
        return parse_year(self.cleaned_data.get("year"))
