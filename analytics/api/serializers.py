"""Analytics API serializers: the indicators query; ranking schemes with their KPIs, frozen
snapshots with their entries (villages and figures only)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from analytics.models import RankingEntry, RankingKPI, RankingScheme, RankingSnapshot, Scenario
from registry.choices import YEAR_MAX, YEAR_MIN


class IndicatorsQuerySerializer(serializers.Serializer):
    region = serializers.RegexField(
        r"^[0-9]{2,9}$", help_text=_("Region code (2, 4, 6 or 9 digits).")
    )
    year = serializers.IntegerField(
        min_value=YEAR_MIN,
        max_value=YEAR_MAX,
        required=False,
        help_text=_("Statistics year (default: the region's latest complete year)."),
    )


class ProgrammeQuerySerializer(serializers.Serializer):
    year = serializers.IntegerField(
        min_value=YEAR_MIN,
        max_value=YEAR_MAX,
        required=False,
        help_text=_("The year of the weak villages and the gap (default: the latest paid)."),
    )


class RankingKPISerializer(serializers.ModelSerializer):
    class Meta:
        model = RankingKPI
        fields = ["key", "label", "direction", "weight", "order"]


class RankingSchemeSerializer(serializers.ModelSerializer):
    kpis = RankingKPISerializer(many=True, read_only=True)

    class Meta:
        model = RankingScheme
        fields = [
            "id",
            "name",
            "alliance",
            "region",
            "member_rule",
            "description",
            "period_kind",
            "is_published",
            "is_illustrative",
            "kpis",
        ]


class RankingEntrySerializer(serializers.ModelSerializer):
    village_name = serializers.CharField(source="village.short_name", read_only=True)
    values = serializers.SerializerMethodField()
    scores = serializers.SerializerMethodField()

    class Meta:
        model = RankingEntry
        fields = ["village", "village_name", "rank", "tied", "score", "values", "scores"]

    @extend_schema_field(
        {"type": "object", "additionalProperties": {"type": "number", "nullable": True}}
    )
    def get_values(self, entry) -> dict:
        """Raw KPI values by key: fen for income, ratios as fractions; null when missing."""
        return entry.values

    @extend_schema_field({"type": "object", "additionalProperties": {"type": "number"}})
    def get_scores(self, entry) -> dict:
        """Each KPI's 0–100 score by key."""
        return entry.scores


class RankingSnapshotSerializer(serializers.ModelSerializer):
    class Meta:
        model = RankingSnapshot
        fields = [
            "id",
            "scheme",
            "period",
            "version",
            "supersedes",
            "reason",
            "kpis",
            "computed_at",
            "is_illustrative",
        ]


class RankingSnapshotDetailSerializer(RankingSnapshotSerializer):
    entries = RankingEntrySerializer(many=True, read_only=True)

    class Meta(RankingSnapshotSerializer.Meta):
        fields = [*RankingSnapshotSerializer.Meta.fields, "entries"]


class ScenarioSerializer(serializers.ModelSerializer):
    """A scenario as stored; its figures are the `compare` action's (recomputed)."""

    class Meta:
        model = Scenario
        fields = [
            "id",
            "name",
            "region",
            "year",
            "description",
            "changes",
            "source",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["source", "created_at", "updated_at"]


class ScenarioWriteSerializer(serializers.Serializer):
    """What a client sends to create (all but description and changes required) or change
    (region and year are fixed once saved) a scenario; checked by the service."""

    name = serializers.CharField(max_length=200)
    region = serializers.RegexField(r"^[0-9]{2,9}$", help_text=_("Region code."))
    year = serializers.IntegerField(min_value=YEAR_MIN, max_value=YEAR_MAX)
    description = serializers.CharField(required=False, allow_blank=True, default="")
    changes = serializers.JSONField(required=False, default=list)

    def to_internal_value(self, data):
        if hasattr(data, "keys"):
            unknown = sorted(set(data.keys()) - set(self.fields))
            if unknown:
                raise serializers.ValidationError({name: [_("Unknown field.")] for name in unknown})
        return super().to_internal_value(data)


class CompareQuerySerializer(serializers.Serializer):
    ids = serializers.ListField(
        child=serializers.IntegerField(min_value=1),
        min_length=1,
        max_length=10,
        help_text=_("Scenario ids (of one region and year)."),
    )
