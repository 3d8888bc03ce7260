"""Ledger API: read-only. Entries are posted by services (ventures), never through here."""

from __future__ import annotations

from collections import defaultdict

from django.db.models import Prefetch
from drf_spectacular.utils import extend_schema
from rest_framework import viewsets
from rest_framework.response import Response

from core.api.base import ScopedReadOnlyViewSet, ScopedViewSetMixin
from ledger import selectors
from ledger.api import filters
from ledger.api.serializers import (
    AccountSerializer,
    AsOfQuerySerializer,
    BalancesQuerySerializer,
    BalancesSerializer,
    JournalEntrySerializer,
    TrialBalanceSerializer,
)
from ledger.models import Account, JournalEntry, Posting

__all__ = ["AccountViewSet", "BalancesViewSet", "JournalEntryViewSet", "TrialBalanceViewSet"]


class AccountViewSet(ScopedReadOnlyViewSet):
    """Ledger accounts of villages and organisations. Created by the services on first use."""

    queryset = Account.objects.order_by("pk")
    serializer_class = AccountSerializer
    filterset_class = filters.AccountFilterSet
    lookup_value_regex = "[0-9]+"


class JournalEntryViewSet(ScopedReadOnlyViewSet):
    """Posted journal entries with their postings. Corrections are reversals, never edits."""

    queryset = JournalEntry.objects.select_related("reversed_by").prefetch_related(
        Prefetch("postings", queryset=Posting.objects.order_by("pk"))
    )
    serializer_class = JournalEntrySerializer
    filterset_class = filters.JournalEntryFilterSet
    lookup_value_regex = "[0-9]+"


class ReportViewSet(ScopedViewSetMixin, viewsets.GenericViewSet):
    """A computed, unpaginated report; readable by whoever may read ledger accounts."""

    queryset = Account.objects.all()  # decides who may read (ScopedPermission)
    filter_backends: list = []
    pagination_class = None
    http_method_names = ["get", "head", "options"]


class TrialBalanceViewSet(ReportViewSet):
    serializer_class = TrialBalanceSerializer

    @extend_schema(
        parameters=[AsOfQuerySerializer],
        responses=TrialBalanceSerializer,
        summary="Trial balance",
    )
    def list(self, request):
        """Every account's balance at the end of `as_of`, as debit or credit; totals per currency."""
        params = AsOfQuerySerializer(data=request.query_params)
        params.is_valid(raise_exception=True)
        as_of = params.validated_data["as_of"]
        rows = selectors.trial_balance(as_of=as_of)
        totals: dict[str, dict[str, int]] = defaultdict(lambda: {"debit": 0, "credit": 0})
        for row in rows:
            totals[row["currency"]]["debit"] += row["debit"]
            totals[row["currency"]]["credit"] += row["credit"]
        data = {
            "as_of": as_of,
            "rows": rows,
            "totals": [
                {"currency": currency, **sums, "balance": sums["debit"] - sums["credit"]}
                for currency, sums in sorted(totals.items())
            ],
        }
        return Response(TrialBalanceSerializer(data).data)


class BalancesViewSet(ReportViewSet):
    serializer_class = BalancesSerializer

    @extend_schema(
        parameters=[BalancesQuerySerializer], responses=BalancesSerializer, summary="Balances"
    )
    def list(self, request):
        """Balances at the end of `as_of` of the given accounts (or of all with postings)."""
        query = {
            name: request.query_params[name]
            for name in ("as_of", "currency")
            if name in request.query_params
        }
        if "account" in request.query_params:
            query["account"] = request.query_params.getlist("account")
        params = BalancesQuerySerializer(data=query)
        params.is_valid(raise_exception=True)
        data = params.validated_data
        found = selectors.balances(
            as_of=data["as_of"], accounts=data.get("account"), currency=data["currency"]
        )
        return Response(
            BalancesSerializer(
                {
                    "as_of": data["as_of"],
                    "currency": data["currency"],
                    "balances": [
                        {"account": pk, "balance": balance} for pk, balance in sorted(found.items())
                    ],
                }
            ).data
        )
