"""Ventures API: thin viewsets over `ventures.services`.

Scope comes from the shared base classes (`restrict` per HTTP method; rows out of scope are
404). Writes that carry rules (stakes, contributions, income, the run workflow) go through
the services, which check the role for each step, maker-checker included. Their refusals
propagate to the one exception handler (`core.api.handlers`), which answers by the error's
class: 403 for lack of role, 409 for a workflow state conflict, 400 for the rest; nothing
changes. Public notices are readable without login. The list filters are `filters.py`.
"""

from __future__ import annotations

from urllib.parse import urlencode

from django.core.cache import cache
from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound
from rest_framework.response import Response

from core.api.base import ScopedModelViewSet, ScopedReadOnlyViewSet
from core.api.handlers import api_error
from registry.models import Organisation, Village
from ventures import selectors, services
from ventures.api import filters
from ventures.api.serializers import (
    AssetSerializer,
    ContributionSerializer,
    DistributionLineSerializer,
    DistributionRunSerializer,
    IncomeReceiptSerializer,
    PostRunSerializer,
    PrepareRunSerializer,
    PublicNoticeBriefSerializer,
    PublicNoticeSerializer,
    PublishRunSerializer,
    ReverseRunSerializer,
    StakeEndSerializer,
    StakeSerializer,
    StatementQuerySerializer,
    StatementSerializer,
    TenantSerializer,
    VentureSerializer,
)
from ventures.exceptions import VentureError
from ventures.models import (
    Asset,
    Contribution,
    DistributionLine,
    DistributionRun,
    IncomeReceipt,
    PublicNotice,
    Stake,
    Tenant,
    Venture,
    parse_holder_key,
)
from ventures.public import PAGE_SECONDS, notices_version
from ventures.reports import holder_statement

__all__ = [
    "AssetViewSet",
    "ContributionViewSet",
    "DistributionLineViewSet",
    "DistributionRunViewSet",
    "IncomeReceiptViewSet",
    "PublicNoticeViewSet",
    "StakeViewSet",
    "TenantViewSet",
    "VentureViewSet",
]


class VentureViewSet(ScopedModelViewSet):
    """Ventures (enclave parks, 强村公司, project partnerships); finance staff write theirs."""

    queryset = Venture.objects.select_related("organisation").order_by("name")
    serializer_class = VentureSerializer
    filterset_class = filters.VentureFilterSet
    lookup_value_regex = "[0-9]+"

    @extend_schema(
        parameters=[StatementQuerySerializer],
        responses=StatementSerializer,
        summary="A holder's statement (对账单)",
    )
    @action(detail=True, methods=["get"], filter_backends=[], pagination_class=None)
    def statement(self, request, pk=None):
        """Contributions and returns of one holder in this venture, by year."""
        venture = self.get_object()
        query = StatementQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        try:
            village_id, organisation_id = parse_holder_key(query.validated_data["holder"])
        except VentureError as error:
            raise api_error(error, field="holder") from None
        if village_id is not None:
            holder = get_object_or_404(Village, pk=village_id)
        else:
            holder = get_object_or_404(Organisation, pk=organisation_id)
        if not selectors.may_read_statement(request.user, venture, holder):
            raise NotFound()  # out of scope: not confirmed to exist
        result = holder_statement(venture, holder)
        data = {
            "venture": venture.pk,
            "holder": result.key,
            "holder_name": result.name,
            "total_contributed": result.total_contributed,
            "total_returned": result.total_returned,
            "years": [
                {"year": y.year, "contributed": y.contributed, "returned": y.returned}
                for y in result.years
            ],
            "contributions": [
                {"id": c.pk, "kind": c.kind, "amount": c.amount, "contributed_on": c.contributed_on}
                for c in result.contributions
            ],
            "returns": [
                {
                    "run": r.run.pk,
                    "period_start": r.run.period_start,
                    "period_end": r.run.period_end,
                    "posted_on": r.run.posted_on,
                    "status": r.run.status,
                    "units": r.units,
                    "amount": r.amount,
                    "net": r.net,
                }
                for r in result.returns
            ],
        }
        return Response(StatementSerializer(data).data)


class ServiceCreateMixin:
    """POST creates through a service; subclasses implement `create_with_service`."""

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        venture = serializer.validated_data["venture"]
        instance = self.create_with_service(venture, serializer.validated_data)
        return Response(self.get_serializer(instance).data, status=status.HTTP_201_CREATED)


class StakeViewSet(ServiceCreateMixin, ScopedModelViewSet):
    """The share register. POST registers a stake (overlaps refused); PATCH ends one."""

    queryset = Stake.objects.select_related("village", "organisation").order_by("pk")
    serializer_class = StakeSerializer
    filterset_class = filters.StakeFilterSet
    http_method_names = ["get", "post", "patch", "head", "options"]
    lookup_value_regex = "[0-9]+"

    def get_serializer_class(self):
        if self.request is not None and self.request.method == "PATCH":
            return StakeEndSerializer
        return StakeSerializer

    def create_with_service(self, venture, data):
        return services.add_stake(
            venture,
            holder=data["holder"],
            units=data["units"],
            effective_from=data["effective_from"],
            effective_to=data.get("effective_to"),
            note=data.get("note", ""),
            actor=self.request.user,
        )

    @extend_schema(request=StakeEndSerializer, responses=StakeSerializer)
    def partial_update(self, request, *args, **kwargs):
        stake = self.get_object()
        serializer = StakeEndSerializer(stake, data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        if "effective_to" not in serializer.validated_data:
            raise serializers.ValidationError({"effective_to": [_("This field is required.")]})
        stake = services.end_stake(
            stake, effective_to=serializer.validated_data["effective_to"], actor=request.user
        )
        return Response(StakeSerializer(stake).data)


class ContributionViewSet(ServiceCreateMixin, ScopedModelViewSet):
    """Capital contributions; POST records one and posts it to the ledger."""

    queryset = Contribution.objects.select_related("village", "organisation").order_by("pk")
    serializer_class = ContributionSerializer
    filterset_class = filters.ContributionFilterSet
    http_method_names = ["get", "post", "head", "options"]
    lookup_value_regex = "[0-9]+"

    def create_with_service(self, venture, data):
        return services.record_contribution(
            venture,
            holder=data["holder"],
            kind=data["kind"],
            amount=data["amount"],
            contributed_on=data["contributed_on"],
            note=data.get("note", ""),
            actor=self.request.user,
        )


class IncomeReceiptViewSet(ServiceCreateMixin, ScopedModelViewSet):
    """Income received; POST records it and posts it (Dr cash, Cr income)."""

    queryset = IncomeReceipt.objects.order_by("pk")
    serializer_class = IncomeReceiptSerializer
    filterset_class = filters.IncomeReceiptFilterSet
    http_method_names = ["get", "post", "head", "options"]
    lookup_value_regex = "[0-9]+"

    def create_with_service(self, venture, data):
        return services.record_income(
            venture,
            amount=data["amount"],
            received_on=data["received_on"],
            kind=data["kind"],
            payer=data.get("payer"),
            period_start=data.get("period_start"),
            period_end=data.get("period_end"),
            note=data.get("note", ""),
            actor=self.request.user,
        )


class AssetViewSet(ScopedModelViewSet):
    """A venture's assets (factory buildings, …)."""

    queryset = Asset.objects.order_by("pk")
    serializer_class = AssetSerializer
    filterset_class = None
    lookup_value_regex = "[0-9]+"


class TenantViewSet(ScopedModelViewSet):
    """Who leases a venture's assets."""

    queryset = Tenant.objects.order_by("pk")
    serializer_class = TenantSerializer
    filterset_class = None
    lookup_value_regex = "[0-9]+"


class DistributionRunViewSet(ScopedModelViewSet):
    """Distribution runs. POST prepares one (finance); the workflow actions are POSTs:
    approve (an approver who did not prepare it), post, publish, reverse, discard."""

    queryset = DistributionRun.objects.select_related("venture__organisation").order_by("-pk")
    serializer_class = DistributionRunSerializer
    filterset_class = filters.RunFilterSet
    http_method_names = ["get", "post", "head", "options"]
    lookup_value_regex = "[0-9]+"

    @extend_schema(request=PrepareRunSerializer, responses={201: DistributionRunSerializer})
    def create(self, request, *args, **kwargs):
        """Prepare a run: read the register on the period end and compute every line."""
        serializer = PrepareRunSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        preview = services.prepare_run(
            data["venture"],
            period_start=data["period_start"],
            period_end=data["period_end"],
            policy=data["policy"],
            params=data["params"],
            actor=request.user,
        )
        return Response(DistributionRunSerializer(preview.run).data, status=status.HTTP_201_CREATED)

    def _step(self, function, **kwargs):
        return function(self.get_object(), actor=self.request.user, **kwargs)

    @extend_schema(request=None, responses=DistributionRunSerializer)
    @action(detail=True, methods=["post"])
    def approve(self, request, pk=None):
        """Approve a prepared run (maker-checker: never the preparer)."""
        return Response(DistributionRunSerializer(self._step(services.approve_run)).data)

    @extend_schema(request=PostRunSerializer, responses=DistributionRunSerializer)
    @action(detail=True, methods=["post"], url_path="post", url_name="post")
    def post_run(self, request, pk=None):
        """Post an approved run to the ledger as one entry (once, whatever the retries)."""
        body = PostRunSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        run = self._step(services.post_run, date=body.validated_data.get("date"))
        return Response(DistributionRunSerializer(run).data)

    @extend_schema(request=PublishRunSerializer, responses=PublicNoticeSerializer)
    @action(detail=True, methods=["post"])
    def publish(self, request, pk=None):
        """Publish a posted run: freeze its public notice (公示) with its notice period, the
        issuing body and the contact for objections."""
        body = PublishRunSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        notice = self._step(services.publish_run, **body.validated_data)
        return Response(PublicNoticeSerializer(notice).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=ReverseRunSerializer, responses=DistributionRunSerializer)
    @action(detail=True, methods=["post"])
    def reverse(self, request, pk=None):
        """Reverse a posted run: the mirror entry and a reversal notice."""
        body = ReverseRunSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        run = self._step(
            services.reverse_run,
            reason=body.validated_data["reason"],
            date=body.validated_data.get("date"),
        )
        return Response(DistributionRunSerializer(run).data)

    @extend_schema(request=None, responses={204: None})
    @action(detail=True, methods=["post"])
    def discard(self, request, pk=None):
        """Delete a run that has not been posted, with its lines."""
        self._step(services.discard_run)
        return Response(status=status.HTTP_204_NO_CONTENT)


class DistributionLineViewSet(ScopedReadOnlyViewSet):
    """The lines of runs (filter by ?run=); written only by preparing a run."""

    queryset = DistributionLine.objects.select_related("village", "organisation").order_by("pk")
    serializer_class = DistributionLineSerializer
    filterset_class = filters.LineFilterSet
    lookup_value_regex = "[0-9]+"


# The notice list's parameters (pagination, filters, the browsable API's format).
NOTICE_LIST_PARAMS = frozenset({"page", "page_size", "run", "kind", "format"})


class PublicNoticeViewSet(ScopedReadOnlyViewSet):
    """Published notices (公示): readable by anyone, never changed."""

    queryset = PublicNotice.objects.order_by("-published_at", "-pk")
    serializer_class = PublicNoticeSerializer
    filterset_class = filters.NoticeFilterSet
    lookup_value_regex = "[0-9]+"

    def get_serializer_class(self):
        return PublicNoticeBriefSerializer if self.action == "list" else PublicNoticeSerializer

    def list(self, request, *args, **kwargs):
        """The list is the same for everybody (notices are public): its JSON pages are
        cached, rendered, by the notices' data version (`ventures.public`), so a hit runs no
        SQL and no serializer. Authentication, permissions and throttles ran before (DRF's
        `initial`). Only JSON, and only the documented parameters once each, make a key;
        any other request is answered afresh.
        """
        params = request.query_params
        renderer = request.accepted_renderer
        if (
            renderer.format != "json"
            or set(params) - NOTICE_LIST_PARAMS
            or any(len(params.getlist(k)) > 1 for k in params)
        ):
            return super().list(request, *args, **kwargs)
        key = ":".join(
            (
                "ventures:api:notices",
                notices_version(),
                get_language(),
                # The pagination links are absolute: the (allowed) host and scheme are part
                # of the answer.
                request.scheme,
                request.get_host(),
                urlencode(sorted(params.items())),
            )
        )
        body = cache.get(key)
        if body is None:
            response = super().list(request, *args, **kwargs)
            if response.status_code != 200:
                return response
            body = renderer.render(
                response.data, request.accepted_media_type, self.get_renderer_context()
            )
            cache.set(key, body, PAGE_SECONDS)
        return HttpResponse(body, content_type=renderer.media_type)

    def get_queryset(self):
        queryset = super().get_queryset()
        return queryset.defer("payload") if self.action == "list" else queryset
