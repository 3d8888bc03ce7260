"""Tourism API. Reads: every signed-in user (nothing here is personal data). Every write goes
through `tourism.services`, so the checks and refusals are the pages' own: a bad input is a
400 naming what is wrong, a write out of scope a 403, and nothing is changed."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.decorators import action
from rest_framework.generics import get_object_or_404
from rest_framework.response import Response

from alliances.models import Consortium
from core.api.base import ScopedReadOnlyViewSet
from core.scope import restrict
from tourism import services
from tourism.api.filters import MonthlyFigureFilterSet, OperatorFilterSet, SpotFilterSet
from tourism.api.serializers import (
    AssessmentInputSerializer,
    AssessmentSerializer,
    AssociationSerializer,
    CumulativeFigureSerializer,
    GradeAwardSerializer,
    MonthlyFigureInputSerializer,
    MonthlyFigureSerializer,
    NationalGradeSerializer,
    OperatorSerializer,
    RouteInputSerializer,
    RouteSerializer,
    SpotChangeSerializer,
    SpotSerializer,
    StopsInputSerializer,
)
from tourism.models import (
    Assessment,
    Association,
    CumulativeFigure,
    GradeAward,
    MonthlyFigure,
    Operator,
    Route,
    Spot,
)


class ReadScopedViewSet(ScopedReadOnlyViewSet):
    """Rows the user may read, whatever the method: the POST/PATCH actions write through the
    services, which check the write scope themselves (a refusal is their 403)."""

    http_method_names = ["get", "post", "head", "options"]

    @property
    def scope_action(self) -> str:
        return "view"


def _visible(model, request, pk):
    return get_object_or_404(restrict(model.objects.all(), request.user, "view"), pk=pk)


def _spots(ids: list[int]) -> list:
    """The spots of these ids in order; an id that is no spot stays as it is (the service
    refuses it by position)."""
    found = Spot.objects.in_bulk(ids)
    return [found.get(pk, pk) for pk in ids]


class SpotViewSet(ReadScopedViewSet):
    queryset = Spot.objects.order_by("village_id", "name")
    serializer_class = SpotSerializer
    filterset_class = SpotFilterSet
    http_method_names = ["get", "post", "patch", "head", "options"]

    def create(self, request):
        form = SpotSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        spot = services.create_spot(actor=request.user, **form.validated_data)
        return Response(SpotSerializer(spot).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=SpotChangeSerializer, responses={200: SpotSerializer})
    def partial_update(self, request, pk=None):
        spot = _visible(Spot, request, pk)
        form = SpotChangeSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        spot = services.update_spot(actor=request.user, spot=spot, **form.validated_data)
        return Response(SpotSerializer(spot).data)


class GradeAwardViewSet(ReadScopedViewSet):
    """A spot's grade history. POST: a national grade (a scenic-village grade comes from an
    assessment)."""

    queryset = GradeAward.objects.order_by("spot_id", "-awarded_on", "-pk")
    serializer_class = GradeAwardSerializer
    filterset_fields = ["spot", "scheme"]

    @extend_schema(request=NationalGradeSerializer, responses={201: GradeAwardSerializer})
    def create(self, request):
        form = NationalGradeSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        award = services.award_grade(actor=request.user, **form.validated_data)
        return Response(GradeAwardSerializer(award).data, status=status.HTTP_201_CREATED)


class AssessmentViewSet(ReadScopedViewSet):
    queryset = Assessment.objects.order_by("spot_id", "-assessed_on")
    serializer_class = AssessmentSerializer
    filterset_fields = ["spot", "grade"]

    @extend_schema(request=AssessmentInputSerializer, responses={201: AssessmentSerializer})
    def create(self, request):
        form = AssessmentInputSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        assessment = services.record_assessment(actor=request.user, **form.validated_data)
        return Response(AssessmentSerializer(assessment).data, status=status.HTTP_201_CREATED)


class AssociationViewSet(ReadScopedViewSet):
    queryset = Association.objects.order_by("name")
    serializer_class = AssociationSerializer

    def create(self, request):
        form = AssociationSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        association = services.create_association(actor=request.user, **form.validated_data)
        return Response(AssociationSerializer(association).data, status=status.HTTP_201_CREATED)


class OperatorViewSet(ReadScopedViewSet):
    queryset = Operator.objects.order_by("village_id", "name")
    serializer_class = OperatorSerializer
    filterset_class = OperatorFilterSet

    def create(self, request):
        form = OperatorSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        operator = services.register_operator(actor=request.user, **form.validated_data)
        return Response(OperatorSerializer(operator).data, status=status.HTTP_201_CREATED)


class RouteViewSet(ReadScopedViewSet):
    queryset = Route.objects.prefetch_related("stops__spot").order_by("consortium_id", "name")
    serializer_class = RouteSerializer
    filterset_fields = ["consortium"]

    @extend_schema(request=RouteInputSerializer, responses={201: RouteSerializer})
    def create(self, request):
        form = RouteInputSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        data = dict(form.validated_data)
        consortium = get_object_or_404(Consortium, pk=data.pop("consortium"))
        route = services.create_route(
            actor=request.user, consortium=consortium, stops=_spots(data.pop("stops")), **data
        )
        return Response(
            RouteSerializer(self.queryset.get(pk=route.pk)).data, status=status.HTTP_201_CREATED
        )

    @extend_schema(request=StopsInputSerializer, responses={200: RouteSerializer})
    @action(detail=True, methods=["post"])
    def stops(self, request, pk=None):
        """Replace the route's stops (spot ids in order)."""
        route = _visible(Route, request, pk)
        form = StopsInputSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        services.set_stops(
            actor=request.user, route=route, stops=_spots(form.validated_data["stops"])
        )
        return Response(RouteSerializer(self.queryset.get(pk=route.pk)).data)


class MonthlyFigureViewSet(ReadScopedViewSet):
    queryset = MonthlyFigure.objects.order_by("village_id", "month", "pk")
    serializer_class = MonthlyFigureSerializer
    filterset_class = MonthlyFigureFilterSet

    @extend_schema(request=MonthlyFigureInputSerializer, responses={201: MonthlyFigureSerializer})
    def create(self, request):
        """Record (or replace) one month of a spot or an operator; revenue in fen."""
        form = MonthlyFigureInputSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        figure = services.record_figure(actor=request.user, **form.validated_data)
        return Response(MonthlyFigureSerializer(figure).data, status=status.HTTP_201_CREATED)


class CumulativeFigureViewSet(ScopedReadOnlyViewSet):
    """Published cumulative totals (累计) with their sources."""

    queryset = CumulativeFigure.objects.order_by("spot_id", "-as_of")
    serializer_class = CumulativeFigureSerializer
    filterset_fields = ["spot"]
