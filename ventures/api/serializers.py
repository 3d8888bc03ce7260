"""Serializers of the ventures API. Money is integer fen; holders are holder keys
("village:<12-digit code>" or "organisation:<id>"); input is strict (unknown keys refused)."""

from __future__ import annotations

from collections.abc import Mapping

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from core.api.base import FenField, StrictModelSerializer
from registry.models import Organisation
from ventures.choices import (
    ContributionKind,
    DistributionPolicy,
    IncomeKind,
    NoticeKind,
)
from ventures.models import (
    MONEY_HELP,
    Asset,
    Contribution,
    DistributionLine,
    DistributionRun,
    IncomeReceipt,
    PublicNotice,
    Stake,
    Tenant,
    Venture,
)

__all__ = [
    "AssetSerializer",
    "ContributionSerializer",
    "DistributionLineSerializer",
    "DistributionRunSerializer",
    "IncomeReceiptSerializer",
    "PostRunSerializer",
    "PrepareRunSerializer",
    "PublicNoticeBriefSerializer",
    "PublicNoticeSerializer",
    "PublishRunSerializer",
    "ReverseRunSerializer",
    "StakeEndSerializer",
    "StakeSerializer",
    "StatementQuerySerializer",
    "StatementSerializer",
    "TenantSerializer",
    "VentureSerializer",
]

HOLDER_HELP = _('The holder: "village:<12-digit code>" or "organisation:<id>".')


class StrictSerializer(serializers.Serializer):
    """A plain Serializer that refuses keys it does not declare (as StrictModelSerializer)."""

    def to_internal_value(self, data):
        unexpected = {}
        if isinstance(data, Mapping):
            unexpected = {
                key: [_("Unknown field.")] for key in data if key not in self.fields
            }
        value = super().to_internal_value(data)
        if unexpected:
            raise serializers.ValidationError(unexpected)
        return value


@extend_schema_field({"type": "string", "example": "village:330482107208"})
class HolderKeyField(serializers.CharField):
    """A holder as its key; read from the object's `holder_key`."""

    def __init__(self, **kwargs):
        kwargs.setdefault("help_text", HOLDER_HELP)
        kwargs.setdefault("max_length", 40)
        super().__init__(**kwargs)

    def get_attribute(self, instance):
        return instance.holder_key


class HolderFieldsMixin(serializers.Serializer):
    holder = HolderKeyField()
    holder_name = serializers.SerializerMethodField()

    def get_holder_name(self, obj) -> str:
        if obj.village_id is not None:
            return obj.village.short_name
        return obj.organisation.name


class VentureSerializer(StrictModelSerializer):
    organisation = serializers.PrimaryKeyRelatedField(
        queryset=Organisation.objects.all(), help_text=_("The operating organisation's id.")
    )

    class Meta:
        model = Venture
        fields = [
            "id", "name", "kind", "organisation", "description", "started_on", "currency",
            "is_illustrative",
        ]
        read_only_fields = ["currency"]


class StakeSerializer(HolderFieldsMixin, StrictModelSerializer):
    """A stake; created by the register service, which refuses overlaps."""

    venture = serializers.PrimaryKeyRelatedField(queryset=Venture.objects.all())

    class Meta:
        model = Stake
        fields = [
            "id", "venture", "holder", "holder_name", "units", "effective_from", "effective_to",
            "note",
        ]


class StakeEndSerializer(StrictModelSerializer):
    """Ending a stake: only its last day may change."""

    class Meta:
        model = Stake
        fields = ["effective_to"]
        extra_kwargs = {"effective_to": {"required": True, "allow_null": False}}


class ContributionSerializer(HolderFieldsMixin, StrictModelSerializer):
    venture = serializers.PrimaryKeyRelatedField(queryset=Venture.objects.all())
    kind = serializers.ChoiceField(choices=ContributionKind.choices)
    amount = FenField(min_value=1, help_text=MONEY_HELP)

    class Meta:
        model = Contribution
        fields = [
            "id", "venture", "holder", "holder_name", "kind", "amount", "contributed_on",
            "note", "entry",
        ]
        read_only_fields = ["entry"]


class IncomeReceiptSerializer(StrictModelSerializer):
    venture = serializers.PrimaryKeyRelatedField(queryset=Venture.objects.all())
    payer = serializers.PrimaryKeyRelatedField(
        queryset=Organisation.objects.all(), required=False, allow_null=True
    )
    kind = serializers.ChoiceField(choices=IncomeKind.choices)
    amount = FenField(min_value=1, help_text=MONEY_HELP)

    class Meta:
        model = IncomeReceipt
        fields = [
            "id", "venture", "payer", "kind", "amount", "received_on", "period_start",
            "period_end", "note", "entry",
        ]
        read_only_fields = ["entry"]


class AssetSerializer(StrictModelSerializer):
    venture = serializers.PrimaryKeyRelatedField(queryset=Venture.objects.all())
    cost = FenField(required=False, help_text=MONEY_HELP)

    class Meta:
        model = Asset
        fields = ["id", "venture", "name", "area_m2", "cost", "acquired_on", "is_illustrative"]


class TenantSerializer(StrictModelSerializer):
    venture = serializers.PrimaryKeyRelatedField(queryset=Venture.objects.all())
    organisation = serializers.PrimaryKeyRelatedField(queryset=Organisation.objects.all())
    asset = serializers.PrimaryKeyRelatedField(
        queryset=Asset.objects.all(), required=False, allow_null=True
    )
    annual_rent = FenField(required=False, allow_null=True, help_text=MONEY_HELP)

    class Meta:
        model = Tenant
        fields = [
            "id", "venture", "organisation", "asset", "lease_from", "lease_to", "annual_rent",
            "is_illustrative",
        ]

    def validate(self, attrs):
        asset, venture = self.current(attrs, "asset"), self.current(attrs, "venture")
        if asset is not None and venture is not None and asset.venture_id != venture.pk:
            raise serializers.ValidationError({"asset": [_("The asset is another venture's.")]})
        return attrs


class DistributionRunSerializer(serializers.ModelSerializer):
    """A distribution run (read only: runs change through their workflow actions)."""

    total = FenField(read_only=True, help_text=MONEY_HELP)
    reserve_amount = FenField(read_only=True, help_text=MONEY_HELP)
    welfare_amount = FenField(read_only=True, help_text=MONEY_HELP)
    distributed_amount = FenField(read_only=True, help_text=MONEY_HELP)

    class Meta:
        model = DistributionRun
        fields = [
            "id", "venture", "period_start", "period_end", "policy", "params", "source",
            "total", "reserve_amount", "welfare_amount", "distributed_amount", "holder_count",
            "status", "prepared_by", "prepared_at", "approved_by", "approved_at", "posted_by",
            "posted_at", "posted_on", "posted_entry", "published_by", "published_at",
            "reversed_by", "reversed_at", "reversed_on", "reversal_entry", "reversal_reason",
        ]
        read_only_fields = fields


class PrepareRunSerializer(StrictSerializer):
    venture = serializers.PrimaryKeyRelatedField(queryset=Venture.objects.all())
    period_start = serializers.DateField()
    period_end = serializers.DateField()
    policy = serializers.ChoiceField(choices=DistributionPolicy.choices)
    params = serializers.DictField(
        required=False, default=dict,
        help_text=_(
            "The policy's parameters: total (fen), source, reserve_rate, welfare_rate, rate, "
            "fixed_years, term_start, capital_kinds, floor (fen), floor_rate, share_ratio, "
            "low_income_rate, flag_year, population_year. Rates are text such as \"10%\"."
        ),
    )


class PostRunSerializer(StrictSerializer):
    date = serializers.DateField(required=False, allow_null=True, help_text=_("Default: today."))


class PublishRunSerializer(StrictSerializer):
    starts_on = serializers.DateField(
        required=False, allow_null=True, help_text=_("First day of the notice period. Default: today.")
    )
    ends_on = serializers.DateField(
        required=False,
        allow_null=True,
        help_text=_("Last day of the notice period. Default: seven days, both included."),
    )
    issuer = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=200,
        help_text=_("The issuing body. Default: the venture's operating organisation."),
    )
    contact = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=200,
        help_text=_("Contact for objections. Default: the venture's contact for objections."),
    )


class ReverseRunSerializer(StrictSerializer):
    reason = serializers.CharField(max_length=500)
    date = serializers.DateField(required=False, allow_null=True, help_text=_("Default: today."))


class DistributionLineSerializer(HolderFieldsMixin, serializers.ModelSerializer):
    amount = FenField(read_only=True, help_text=MONEY_HELP)
    floor = FenField(read_only=True, allow_null=True, help_text=MONEY_HELP)

    class Meta:
        model = DistributionLine
        fields = [
            "id", "run", "holder", "holder_name", "stake", "units", "basis", "weight", "floor",
            "points", "amount",
        ]
        read_only_fields = fields


@extend_schema_field({"type": "string", "description": "distribution or reversal"})
class NoticeKindField(serializers.ChoiceField):
    """The notice kind. Documented as plain text: an enum here would collide with the
    other "kind" enums in the schema's component names."""

    def __init__(self, **kwargs):
        super().__init__(choices=NoticeKind.choices, read_only=True, **kwargs)


class PublicNoticeBriefSerializer(serializers.ModelSerializer):
    kind = NoticeKindField()

    class Meta:
        model = PublicNotice
        fields = [
            "id", "run", "kind", "title", "published_at", "objection_from", "objection_to",
            "issuer", "content_hash",
        ]
        read_only_fields = fields


class PublicNoticeSerializer(serializers.ModelSerializer):
    kind = NoticeKindField()

    class Meta:
        model = PublicNotice
        fields = [
            "id", "run", "kind", "title", "published_at", "objection_from", "objection_to",
            "issuer", "contact", "payload", "content_hash",
        ]
        read_only_fields = fields


class StatementQuerySerializer(StrictSerializer):
    holder = HolderKeyField()


class StatementYearSerializer(serializers.Serializer):
    year = serializers.IntegerField()
    contributed = serializers.DictField(child=FenField(), help_text=_("Fen by kind."))
    returned = FenField(help_text=MONEY_HELP)


class StatementReturnSerializer(serializers.Serializer):
    run = serializers.IntegerField()
    period_start = serializers.DateField()
    period_end = serializers.DateField()
    posted_on = serializers.DateField(allow_null=True)
    status = serializers.CharField()
    units = serializers.IntegerField()
    amount = FenField(help_text=MONEY_HELP)
    net = FenField(help_text=_("0 for a reversed run."))


class StatementContributionSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    kind = serializers.CharField()
    amount = FenField(help_text=MONEY_HELP)
    contributed_on = serializers.DateField()


class StatementSerializer(serializers.Serializer):
    """A holder's statement (对账单) in one venture."""

    venture = serializers.IntegerField()
    holder = serializers.CharField()
    holder_name = serializers.CharField()
    total_contributed = FenField(help_text=MONEY_HELP)
    total_returned = FenField(help_text=MONEY_HELP)
    years = StatementYearSerializer(many=True)
    contributions = StatementContributionSerializer(many=True)
    returns = StatementReturnSerializer(many=True)
