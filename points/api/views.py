"""Points API. Reads are scoped like the households (both sides of a shared grid's scheme);
every write goes through `points.services`, so the checks are the same as on the pages."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status
from rest_framework.decorators import action
from rest_framework.generics import get_object_or_404
from rest_framework.response import Response

from core.api.base import ScopedReadOnlyViewSet
from core.scope import restrict
from points import selectors, services
from points.api.filters import EntryFilterSet
from points.api.serializers import (
    AppealSerializer,
    DecideSerializer,
    EntrySerializer,
    NoticeSerializer,
    PointsBalanceSerializer,
    ProposeSerializer,
    ReasonSerializer,
    RedeemSerializer,
    RedemptionSerializer,
    SchemeSerializer,
    StoreItemSerializer,
)
from points.models import Appeal, Entry, PointsNotice, Redemption, Scheme, StoreItem


class ReadScoped(ScopedReadOnlyViewSet):
    """Rows the user may read, whatever the method: POST actions write through the
    services, which check the write scope themselves (403 when refused)."""

    @property
    def scope_action(self) -> str:
        return "view"


def _visible(model, request, pk):
    return get_object_or_404(restrict(model.objects.all(), request.user, "view"), pk=pk)


class SchemeViewSet(ReadScoped):
    queryset = Scheme.objects.prefetch_related("versions__items").order_by("village_id", "name")
    serializer_class = SchemeSerializer
    http_method_names = ["get", "post", "head", "options"]

    @extend_schema(
        parameters=[OpenApiParameter("as_of", str, description="YYYY-MM-DD")],
        responses={200: PointsBalanceSerializer(many=True)},
    )
    @action(detail=True, methods=["get"])
    def balances(self, request, pk=None):
        import datetime as dt

        scheme = self.get_object()
        day = request.query_params.get("as_of")
        try:
            day = dt.date.fromisoformat(day) if day else None
        except ValueError:
            return Response({"error": {"status": 400, "detail": "as_of: YYYY-MM-DD"}}, status=400)
        return Response(PointsBalanceSerializer(selectors.balances(scheme, day), many=True).data)

    @extend_schema(request=None, responses={201: NoticeSerializer})
    @action(detail=True, methods=["post"])
    def publish(self, request, pk=None):
        scheme = self.get_object()
        notice = services.publish_notice(actor=request.user, scheme=scheme)
        return Response(NoticeSerializer(notice).data, status=status.HTTP_201_CREATED)


class EntryViewSet(ReadScoped):
    queryset = Entry.objects.select_related("household", "item").order_by("-occurred_on", "-pk")
    serializer_class = EntrySerializer
    filterset_class = EntryFilterSet
    http_method_names = ["get", "post", "head", "options"]

    @extend_schema(request=ProposeSerializer, responses={201: EntrySerializer})
    def create(self, request):
        form = ProposeSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        data = dict(form.validated_data)
        scheme = _visible(Scheme, request, data.pop("scheme"))
        household = get_object_or_404(
            restrict(selectors.scheme_households(scheme), request.user, "view"),
            pk=data.pop("household"),
        )
        entry = services.propose_entry(
            actor=request.user, scheme=scheme, household=household, **data
        )
        return Response(EntrySerializer(entry).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses={200: EntrySerializer})
    @action(detail=True, methods=["post"])
    def verify(self, request, pk=None):
        entry = services.verify_entry(actor=request.user, entry=self.get_object())
        return Response(EntrySerializer(Entry.objects.get(pk=entry.pk)).data)

    @extend_schema(request=ReasonSerializer, responses={200: EntrySerializer})
    @action(detail=True, methods=["post"])
    def reject(self, request, pk=None):
        form = ReasonSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        entry = services.reject_entry(
            actor=request.user, entry=self.get_object(), **form.validated_data
        )
        return Response(EntrySerializer(Entry.objects.get(pk=entry.pk)).data)

    @extend_schema(request=ReasonSerializer, responses={201: EntrySerializer})
    @action(detail=True, methods=["post"])
    def reverse(self, request, pk=None):
        form = ReasonSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        entry = services.reverse_entry(
            actor=request.user, entry=self.get_object(), **form.validated_data
        )
        return Response(EntrySerializer(entry).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=ReasonSerializer, responses={201: AppealSerializer})
    @action(detail=True, methods=["post"])
    def appeal(self, request, pk=None):
        form = ReasonSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        appeal = services.file_appeal(
            actor=request.user, entry=self.get_object(), **form.validated_data
        )
        return Response(AppealSerializer(appeal).data, status=status.HTTP_201_CREATED)


class AppealViewSet(ReadScoped):
    queryset = Appeal.objects.order_by("-filed_on", "-pk")
    serializer_class = AppealSerializer
    http_method_names = ["get", "post", "head", "options"]

    @extend_schema(request=DecideSerializer, responses={200: AppealSerializer})
    @action(detail=True, methods=["post"])
    def decide(self, request, pk=None):
        form = DecideSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        appeal = services.decide_appeal(
            actor=request.user, appeal=self.get_object(), **form.validated_data
        )
        return Response(AppealSerializer(appeal).data)


class NoticeViewSet(ReadScoped):
    queryset = PointsNotice.objects.order_by("-published_on", "-pk")
    serializer_class = NoticeSerializer


class StoreItemViewSet(ReadScoped):
    queryset = StoreItem.objects.order_by("scheme_id", "price", "name")
    serializer_class = StoreItemSerializer
    http_method_names = ["get", "post", "head", "options"]

    @extend_schema(request=RedeemSerializer, responses={201: RedemptionSerializer})
    @action(detail=True, methods=["post"])
    def redeem(self, request, pk=None):
        item = self.get_object()
        form = RedeemSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        household = get_object_or_404(
            restrict(selectors.scheme_households(item.scheme), request.user, "view"),
            pk=form.validated_data["household"],
        )
        redemption = services.redeem(
            actor=request.user,
            household=household,
            item=item,
            quantity=form.validated_data["quantity"],
        )
        return Response(RedemptionSerializer(redemption).data, status=status.HTTP_201_CREATED)


class RedemptionViewSet(ReadScoped):
    queryset = Redemption.objects.order_by("-redeemed_on", "-pk")
    serializer_class = RedemptionSerializer
