"""Points API serializers: households appear by id and number; no person's name or data."""

from __future__ import annotations

from rest_framework import serializers

from core.api.base import StrictModelSerializer
from points.choices import AppealOutcome
from points.models import (
    Appeal,
    Entry,
    PointsNotice,
    Redemption,
    RuleItem,
    RuleVersion,
    Scheme,
    StoreItem,
)


class RuleItemSerializer(StrictModelSerializer):
    class Meta:
        model = RuleItem
        fields = [
            "id",
            "code",
            "name",
            "category",
            "points",
            "cap",
            "cap_period",
            "evidence_required",
        ]
        read_only_fields = fields


class RuleVersionSerializer(StrictModelSerializer):
    items = RuleItemSerializer(many=True, read_only=True)

    class Meta:
        model = RuleVersion
        fields = [
            "id",
            "number",
            "effective_from",
            "adopted_on",
            "document_no",
            "decision",
            "base_points",
            "base_redeemable",
            "year_close",
            "notice_days",
            "items",
        ]
        read_only_fields = fields


class SchemeSerializer(StrictModelSerializer):
    versions = RuleVersionSerializer(many=True, read_only=True)

    class Meta:
        model = Scheme
        fields = ["id", "village", "grid", "name", "rate_fen", "is_illustrative", "versions"]
        read_only_fields = fields


class EntrySerializer(StrictModelSerializer):
    household_number = serializers.CharField(source="household.number", read_only=True)
    item_code = serializers.CharField(source="item.code", read_only=True)

    class Meta:
        model = Entry
        fields = [
            "id",
            "scheme",
            "household",
            "household_number",
            "version",
            "item",
            "item_code",
            "points",
            "occurred_on",
            "note",
            "evidence_note",
            "state",
            "notice",
            "effective_on",
            "rejected_reason",
            "reverses",
        ]
        read_only_fields = fields


class ProposeSerializer(serializers.Serializer):
    scheme = serializers.IntegerField()
    household = serializers.IntegerField()
    item_code = serializers.CharField(max_length=20)
    occurred_on = serializers.DateField()
    note = serializers.CharField(max_length=300, required=False, default="")
    evidence_note = serializers.CharField(max_length=300, required=False, default="")


class ReasonSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=500)


class DecideSerializer(serializers.Serializer):
    outcome = serializers.ChoiceField(choices=[AppealOutcome.UPHELD, AppealOutcome.REJECTED])
    reason = serializers.CharField(max_length=500)


class AppealSerializer(StrictModelSerializer):
    class Meta:
        model = Appeal
        fields = [
            "id",
            "entry",
            "channel",
            "filed_on",
            "reason",
            "outcome",
            "decided_on",
            "decision_reason",
        ]
        read_only_fields = fields


class NoticeSerializer(StrictModelSerializer):
    class Meta:
        model = PointsNotice
        fields = [
            "id",
            "scheme",
            "number",
            "code",
            "published_on",
            "ends_on",
            "payload",
            "content_hash",
        ]
        read_only_fields = fields


class StoreItemSerializer(StrictModelSerializer):
    class Meta:
        model = StoreItem
        fields = ["id", "scheme", "name", "price", "stock"]
        read_only_fields = fields


class RedeemSerializer(serializers.Serializer):
    household = serializers.IntegerField()
    quantity = serializers.IntegerField(min_value=1, default=1)


class RedemptionSerializer(StrictModelSerializer):
    class Meta:
        model = Redemption
        fields = [
            "id",
            "scheme",
            "household",
            "item",
            "quantity",
            "points",
            "cost_fen",
            "redeemed_on",
            "handed_out_name",
        ]
        read_only_fields = fields


class PointsBalanceSerializer(serializers.Serializer):
    household = serializers.IntegerField(source="household_id")
    number = serializers.CharField()
    effective = serializers.IntegerField()
    pending = serializers.IntegerField()
    proposed = serializers.IntegerField()
    redeemed = serializers.IntegerField()
    balance = serializers.IntegerField()
