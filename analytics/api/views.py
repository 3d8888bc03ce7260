"""Analytics API: the gap indicators (computed, unpaginated, for signed-in users) and the
rankings (read-only, public like the showcase: anonymous clients see published schemes and
their snapshots; signed-in users see unpublished ones too). Snapshots are computed by
`baotuan rank` (`analytics.services.compute_snapshot`), never written through the API."""

from __future__ import annotations

from django.db.models import Prefetch
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound
from rest_framework.response import Response

from analytics import programme, scenarios, selectors, services
from analytics.api.filters import (
    RankingSchemeFilterSet,
    RankingSnapshotFilterSet,
    ScenarioFilterSet,
)
from analytics.api.serializers import (
    CompareQuerySerializer,
    IndicatorsQuerySerializer,
    ProgrammeQuerySerializer,
    RankingSchemeSerializer,
    RankingSnapshotDetailSerializer,
    RankingSnapshotSerializer,
    ScenarioSerializer,
    ScenarioWriteSerializer,
)
from analytics.models import RankingEntry, RankingKPI, RankingScheme, RankingSnapshot, Scenario
from core.api.base import ScopedReadOnlyViewSet, ScopedViewSetMixin
from core.api.handlers import api_error
from core.errors import Invalid
from registry.models import Region

__all__ = [
    "IndicatorsViewSet",
    "ProgrammeViewSet",
    "RankingSchemeViewSet",
    "RankingSnapshotViewSet",
    "ScenarioViewSet",
]


class IndicatorsViewSet(ScopedViewSetMixin, viewsets.GenericViewSet):
    """Readable by whoever may read the division tree (every signed-in user)."""

    queryset = Region.objects.all()  # decides who may read (ScopedPermission)
    filter_backends: list = []
    pagination_class = None
    http_method_names = ["get", "head", "options"]
    serializer_class = IndicatorsQuerySerializer

    @extend_schema(
        parameters=[IndicatorsQuerySerializer],
        responses=OpenApiTypes.OBJECT,
        summary="Gap indicators of a region in a year",
    )
    def list(self, request):
        """Weak villages, income distribution, Gini and Theil with decomposition, ratios,
        growth, and returns received with their effect on the gap (as `baotuan indicators`).

        Without `year`, the region's latest complete year. Every answer states its
        `coverage` ({"reported": N, "expected": M}: village-level units with statistics
        that year, of the region's) and whether the year is `complete`."""
        params = IndicatorsQuerySerializer(data=request.query_params)
        params.is_valid(raise_exception=True)
        try:
            # Through the cache (keyed by the data version): a province is ~25,000 villages.
            data = selectors.cached(
                selectors.indicators,
                params.validated_data["region"],
                params.validated_data.get("year"),
            )
        except Invalid as exc:  # unknown region or no statistics: 400, keyed "detail"
            raise api_error(exc, field="detail") from None
        return Response(data)


class ProgrammeViewSet(ScopedViewSetMixin, viewsets.GenericViewSet):
    """The enclave programme of a region group (山区26县): readable by every signed-in user."""

    queryset = Region.objects.all()  # decides who may read (ScopedPermission)
    filter_backends: list = []
    pagination_class = None
    http_method_names = ["get", "head", "options"]
    serializer_class = ProgrammeQuerySerializer
    lookup_field = "code"
    lookup_value_regex = "[-a-zA-Z0-9_]+"

    @extend_schema(
        parameters=[ProgrammeQuerySerializer],
        responses=OpenApiTypes.OBJECT,
        summary="An enclave programme: returns per county and year, weak villages, the gap",
    )
    def retrieve(self, request, code=None):
        """Returns paid per county and year (fen, from the ledger), and for `year` (default:
        the latest year paid) the villages weak with and without the returns, those lifted,
        and Gini and Theil T (between/within counties) with and without them."""
        params = ProgrammeQuerySerializer(data=request.query_params)
        params.is_valid(raise_exception=True)
        try:
            data = selectors.cached(
                programme.programme, code, params.validated_data.get("year")
            )
        except Invalid as exc:  # an unknown group: a 404 naming it
            raise NotFound(str(exc)) from None
        return Response(data)


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
    filterset_class = RankingSchemeFilterSet
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
    filterset_class = RankingSnapshotFilterSet
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


class ScenarioViewSet(ScopedViewSetMixin, viewsets.ModelViewSet):
    """Scenarios (city admins write, city admins and auditors read); `compare` recomputes
    the actual and the chosen scenarios side by side (`analytics.scenarios.comparison`).
    Writes go through `analytics.services` (actor, scope, change log)."""

    queryset = Scenario.objects.all()
    serializer_class = ScenarioSerializer
    filterset_class = ScenarioFilterSet
    lookup_value_regex = "[0-9]+"
    http_method_names = ["get", "head", "options", "post", "put", "patch", "delete"]

    def get_queryset(self):
        return super().get_queryset().order_by("region_id", "year", "name")

    def _write_data(self, partial: bool) -> dict:
        data = ScenarioWriteSerializer(data=self.request.data, partial=partial)
        data.is_valid(raise_exception=True)
        return dict(data.validated_data)

    @extend_schema(request=ScenarioWriteSerializer, responses=ScenarioSerializer)
    def create(self, request):
        data = self._write_data(partial=False)
        scenario = services.create_scenario(actor=request.user, **data)
        return Response(ScenarioSerializer(scenario).data, status=201)

    def _update(self, request, partial: bool):
        scenario = self.get_object()
        data = self._write_data(partial=partial)
        for fixed in ("region", "year"):
            value = data.pop(fixed, None)
            current = scenario.region_id if fixed == "region" else scenario.year
            if value is not None and value != current:
                raise api_error(Invalid(_("A scenario's region and year are fixed.")), field=fixed)
        scenario = services.update_scenario(scenario, actor=request.user, **data)
        return Response(ScenarioSerializer(scenario).data)

    @extend_schema(request=ScenarioWriteSerializer, responses=ScenarioSerializer)
    def update(self, request, pk=None):
        return self._update(request, partial=False)

    @extend_schema(request=ScenarioWriteSerializer, responses=ScenarioSerializer)
    def partial_update(self, request, pk=None):
        return self._update(request, partial=True)

    def destroy(self, request, pk=None):
        services.delete_scenario(self.get_object(), actor=request.user)
        return Response(status=204)

    @extend_schema(
        parameters=[CompareQuerySerializer],
        responses=OpenApiTypes.OBJECT,
        summary="The actual and scenarios side by side",
    )
    @action(detail=False, methods=["get"], filter_backends=[], pagination_class=None)
    def compare(self, request):
        """Weak villages (lifted, newly weak), incomes, returns, capital placed, Gini, Theil
        and ratios of the actual and of each scenario, and the villages whose figures change."""
        params = CompareQuerySerializer(data={"ids": request.query_params.getlist("ids")})
        params.is_valid(raise_exception=True)
        ids = list(dict.fromkeys(params.validated_data["ids"]))
        found = {s.pk: s for s in self.get_queryset().filter(pk__in=ids)}
        missing = [pk for pk in ids if pk not in found]
        if missing:
            raise api_error(Invalid(_("No scenario {pk}.").format(pk=missing[0])), field="ids")
        try:
            data = scenarios.comparison([found[pk] for pk in ids])
        except Invalid as exc:
            raise api_error(exc, field="ids") from None
        return Response(data)
