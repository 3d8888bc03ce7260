"""Analytics API: computed, unpaginated reports for signed-in users."""

from __future__ import annotations

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import viewsets
from rest_framework.response import Response

from analytics import selectors
from analytics.api.serializers import IndicatorsQuerySerializer
from core.api.base import ScopedViewSetMixin
from core.api.handlers import api_error
from core.errors import Invalid
from registry.models import Region

__all__ = ["IndicatorsViewSet"]


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
        growth, and returns received with their effect on the gap (as `baotuan indicators`)."""
        params = IndicatorsQuerySerializer(data=request.query_params)
        params.is_valid(raise_exception=True)
        try:
            # Through the cache (keyed by the data version): a province is ~25,000 villages.
            data = selectors.cached(
                selectors.indicators, params.validated_data["region"], params.validated_data["year"]
            )
        except Invalid as exc:  # unknown region or no statistics: 400, keyed "detail"
            raise api_error(exc, field="detail") from None
        return Response(data)
