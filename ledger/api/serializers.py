"""Serializers of the ledger API (read-only). Money is integer fen: + debit, − credit."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field, extend_schema_serializer
from rest_framework import serializers

from core.api.base import FEN_MAX, FenField
from core.api.filters import ID_MAX
from ledger.models import MONEY_HELP, Account, JournalEntry, Posting

__all__ = [
    "AccountSerializer",
    "AsOfQuerySerializer",
    "BalanceSerializer",
    "BalancesQuerySerializer",
    "BalancesSerializer",
    "JournalEntrySerializer",
    "PostingSerializer",
    "TrialBalanceRowSerializer",
    "TrialBalanceSerializer",
    "TrialBalanceTotalSerializer",
]


def SignedFen(**kwargs) -> FenField:  # noqa: N802  (a field factory, read like a class)
    kwargs.setdefault("help_text", MONEY_HELP)
    return FenField(min_value=-FEN_MAX, read_only=True, **kwargs)


def UnsignedFen(**kwargs) -> FenField:  # noqa: N802
    return FenField(read_only=True, **kwargs)


class AccountSerializer(serializers.ModelSerializer):
    beancount_name = serializers.CharField(
        read_only=True, help_text=_("The account's name in a beancount export.")
    )

    class Meta:
        model = Account
        fields = ["id", "kind", "name", "currency", "village", "organisation", "beancount_name"]
        read_only_fields = fields


class PostingSerializer(serializers.ModelSerializer):
    amount = SignedFen()

    class Meta:
        model = Posting
        fields = ["id", "account", "amount", "currency"]
        read_only_fields = fields


class JournalEntrySerializer(serializers.ModelSerializer):
    postings = PostingSerializer(many=True, read_only=True)
    reversed_by = serializers.SerializerMethodField(
        help_text=_("The entry that reverses this one, if any.")
    )

    class Meta:
        model = JournalEntry
        fields = [
            "id",
            "date",
            "description",
            "source",
            "idempotency_key",
            "reverses",
            "reversed_by",
            "created_at",
            "created_by",
            "postings",
        ]
        read_only_fields = fields

    @extend_schema_field(serializers.IntegerField(allow_null=True))
    def get_reversed_by(self, obj: JournalEntry) -> int | None:
        reversal = getattr(obj, "reversed_by", None)  # a missing reverse one-to-one raises
        return reversal.pk if reversal is not None else None


class AsOfQuerySerializer(serializers.Serializer):
    as_of = serializers.DateField(help_text=_("Balances at the end of this day (inclusive)."))


class BalancesQuerySerializer(AsOfQuerySerializer):
    account = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=ID_MAX),
        required=False,
        help_text=_("Only these accounts (repeat the parameter); all accounts if omitted."),
    )
    currency = serializers.RegexField(r"^[A-Z]{3}$", default="CNY")


class TrialBalanceRowSerializer(serializers.Serializer):
    account = serializers.IntegerField()
    name = serializers.CharField()
    kind = serializers.CharField()
    currency = serializers.CharField()
    owner = serializers.CharField()
    village = serializers.CharField(allow_null=True)
    organisation = serializers.IntegerField(allow_null=True)
    beancount_name = serializers.CharField()
    debit = UnsignedFen(help_text=_("The balance when positive, in fen."))
    credit = UnsignedFen(help_text=_("Minus the balance when negative, in fen."))
    balance = SignedFen()


class TrialBalanceTotalSerializer(serializers.Serializer):
    currency = serializers.CharField()
    debit = UnsignedFen()
    credit = UnsignedFen()
    balance = SignedFen(help_text=_("Always 0: the ledger balances."))


# One report object, not a list (the route is a viewset's list action).
@extend_schema_serializer(many=False)
class TrialBalanceSerializer(serializers.Serializer):
    as_of = serializers.DateField()
    rows = TrialBalanceRowSerializer(many=True)
    totals = TrialBalanceTotalSerializer(many=True)


class BalanceSerializer(serializers.Serializer):
    account = serializers.IntegerField()
    balance = SignedFen()


# One report object, not a list (the route is a viewset's list action).
@extend_schema_serializer(many=False)
class BalancesSerializer(serializers.Serializer):
    as_of = serializers.DateField()
    currency = serializers.CharField()
    balances = BalanceSerializer(many=True)
