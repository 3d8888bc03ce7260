"""Rankings API (read-only): schemes with their KPIs, frozen snapshots with their entries.

Public like the showcase: anonymous clients see published schemes and their snapshots;
signed-in users see unpublished ones too. Snapshots are computed by `baotuan rank` (or
`analytics.services.compute_snapshot`), never written through the API. Entries name
villages and figures only.
"""

from __future__ import annotations

from django.db.models import Prefetch
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import serializers

from analytics.models import RankingEntry, RankingKPI, RankingScheme, RankingSnapshot
from core.api.base import ScopedReadOnlyViewSet

__all__ = ["RankingSchemeViewSet", "RankingSnapshotViewSet"]


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


def _visible_schemes(request):
    schemes = RankingScheme.objects.restrict(request.user, "view")
    if not request.user.is_authenticated:
        schemes = schemes.filter(is_published=True)
    return schemes


class RankingSchemeViewSet(ScopedReadOnlyViewSet):
    """Ranking schemes (published ones for anonymous clients), with their KPIs and weights."""

    queryset = RankingScheme.objects.prefetch_related(
        Prefetch("kpis", queryset=RankingKPI.objects.order_by("order", "pk"))
    )
    serializer_class = RankingSchemeSerializer
    filterset_fields = ["alliance", "is_published"]
    lookup_value_regex = "[0-9]+"

    def get_queryset(self):
        queryset = super().get_queryset()
        if not self.request.user.is_authenticated:
            queryset = queryset.filter(is_published=True)
        return queryset


@extend_schema(description="Frozen ranking snapshots; the detail lists every village's entry.")
class RankingSnapshotViewSet(ScopedReadOnlyViewSet):
    """Frozen snapshots of schemes by period; the detail lists every village's entry."""

    queryset = RankingSnapshot.objects.all()
    serializer_class = RankingSnapshotSerializer
    filterset_fields = ["scheme", "period", "version"]
    lookup_value_regex = "[0-9]+"

    def get_queryset(self):
        queryset = super().get_queryset().filter(scheme__in=_visible_schemes(self.request))
        if self.action == "retrieve":
            queryset = queryset.prefetch_related(
                Prefetch(
                    "entries",
                    queryset=RankingEntry.objects.select_related("village").order_by(
                        "rank", "village_id"
                    ),
                )
            )
        return queryset.order_by("scheme_id", "period", "version")

    def get_serializer_class(self):
        if self.action == "retrieve":
            return RankingSnapshotDetailSerializer
        return RankingSnapshotSerializer
