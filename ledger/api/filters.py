"""Filters of the ledger API."""

from __future__ import annotations

from django.db.models import Exists, OuterRef
from django.utils.translation import gettext_lazy as _
from django_filters import rest_framework as filters

from core.api.filters import IdFilter
from ledger.models import Account, JournalEntry, Posting
from registry.api.filters import CodeFilter

__all__ = ["AccountFilterSet", "JournalEntryFilterSet"]


class AccountFilterSet(filters.FilterSet):
    village = CodeFilter("village_id", label=_("Owning village (statistical code)"))
    organisation = IdFilter("organisation_id", label=_("Owning organisation id"))

    class Meta:
        model = Account
        fields = ["kind", "currency"]


class JournalEntryFilterSet(filters.FilterSet):
    date = filters.DateFromToRangeFilter(label=_("Date range (date_after, date_before)"))
    account = IdFilter(
        method="filter_account", label=_("Only entries with a posting on this account")
    )
    source = filters.CharFilter(label=_("What posted the entry, e.g. ventures.distributionrun:12"))
    reverses = IdFilter("reverses_id", label=_("The reversal of this entry"))

    class Meta:
        model = JournalEntry
        fields = ["idempotency_key"]

    def filter_account(self, queryset, name, value):
        return queryset.filter(
            Exists(Posting.objects.filter(entry=OuterRef("pk"), account_id=value))
        )
