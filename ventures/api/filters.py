"""Filters of the ventures API list endpoints (?venture=, ?run=, ?kind=, ?status=, …)."""

from __future__ import annotations

from django_filters import rest_framework as filters

from core.api.filters import IdFilter
from ventures.models import (
    Contribution,
    DistributionLine,
    DistributionRun,
    IncomeReceipt,
    PublicNotice,
    Stake,
    Venture,
)

__all__ = [
    "ContributionFilterSet",
    "IncomeReceiptFilterSet",
    "LineFilterSet",
    "NoticeFilterSet",
    "RunFilterSet",
    "StakeFilterSet",
    "VentureFilterSet",
]


class VentureFilterSet(filters.FilterSet):
    class Meta:
        model = Venture
        fields = ["kind", "organisation", "is_illustrative"]


class ByVentureFilterSet(filters.FilterSet):
    venture = IdFilter(field_name="venture_id")


class StakeFilterSet(ByVentureFilterSet):
    class Meta:
        model = Stake
        fields = ["venture"]


class ContributionFilterSet(ByVentureFilterSet):
    class Meta:
        model = Contribution
        fields = ["venture", "kind"]


class IncomeReceiptFilterSet(ByVentureFilterSet):
    class Meta:
        model = IncomeReceipt
        fields = ["venture", "kind"]


class RunFilterSet(ByVentureFilterSet):
    class Meta:
        model = DistributionRun
        fields = ["venture", "status", "policy"]


class LineFilterSet(filters.FilterSet):
    run = IdFilter(field_name="run_id")

    class Meta:
        model = DistributionLine
        fields = ["run"]


class NoticeFilterSet(filters.FilterSet):
    run = IdFilter(field_name="run_id")

    class Meta:
        model = PublicNotice
        fields = ["run", "kind"]
