"""Alliances API: everyone signed in reads; unscoped city admins write.

Memberships are created and ended through `alliances.services` (join / leave), which refuse
overlapping memberships; a refusal answers 400 (403 for lack of rights) through the one
domain-error handler (`core.api.handlers`) and changes nothing.
"""

from __future__ import annotations

from django.db.models import Prefetch
from drf_spectacular.utils import extend_schema
from rest_framework.decorators import action
from rest_framework.response import Response

from alliances import services
from alliances.api.filters import MembershipFilterSet
from alliances.api.serializers import (
    AllianceSerializer,
    ConsortiumSerializer,
    ConsortiumTypeSerializer,
    LeaveSerializer,
    MechanismSerializer,
    MembershipSerializer,
)
from alliances.models import Alliance, Consortium, ConsortiumType, Mechanism, Membership
from core.api.base import ScopedModelViewSet
from core.api.handlers import api_error

__all__ = [
    "AllianceViewSet",
    "ConsortiumTypeViewSet",
    "ConsortiumViewSet",
    "MechanismViewSet",
    "MembershipViewSet",
]


class AllianceViewSet(ScopedModelViewSet):
    """Alliances with their agreement and its mechanisms."""

    queryset = Alliance.objects.prefetch_related(
        Prefetch("mechanisms", queryset=Mechanism.objects.order_by("order", "pk"))
    )
    serializer_class = AllianceSerializer
    lookup_value_regex = "[0-9]+"


class ConsortiumTypeViewSet(ScopedModelViewSet):
    """Consortium types (飞地抱团, 众筹经营, …): configurable data."""

    queryset = ConsortiumType.objects.all()
    serializer_class = ConsortiumTypeSerializer
    lookup_value_regex = "[0-9]+"


class ConsortiumViewSet(ScopedModelViewSet):
    """Consortia (共富体) of alliances."""

    queryset = Consortium.objects.select_related("type")
    serializer_class = ConsortiumSerializer
    filterset_fields = ["alliance", "type"]
    lookup_value_regex = "[0-9]+"


class MechanismViewSet(ScopedModelViewSet):
    """The mechanisms of alliance agreements, in order."""

    queryset = Mechanism.objects.all()
    serializer_class = MechanismSerializer
    filterset_fields = ["alliance"]
    lookup_value_regex = "[0-9]+"


class MembershipViewSet(ScopedModelViewSet):
    """Memberships; created by join (overlaps refused) and ended by the leave action."""

    queryset = Membership.objects.select_related("village", "organisation")
    serializer_class = MembershipSerializer
    filterset_class = MembershipFilterSet
    http_method_names = ["get", "post", "head", "options"]
    lookup_value_regex = "[0-9]+"

    def perform_create(self, serializer) -> None:
        self.check_write_scope(serializer)
        data = serializer.validated_data
        serializer.instance = services.join(
            data.get("alliance") or data.get("consortium"),
            data.get("village") or data.get("organisation"),
            data.get("role", Membership._meta.get_field("role").default),
            data["joined_on"],
            actor=self.request.user,
            is_illustrative=data.get("is_illustrative", False),
            note=data.get("note", ""),
        )

    @extend_schema(request=LeaveSerializer, responses=MembershipSerializer)
    @action(detail=True, methods=["post"], filter_backends=[])
    def leave(self, request, pk=None):
        """End the membership: `left_on` is its last day."""
        membership = self.get_object()
        params = LeaveSerializer(data=request.data)
        params.is_valid(raise_exception=True)
        try:
            services.leave(membership, params.validated_data["left_on"], actor=request.user)
        except services.MembershipError as exc:
            # The one rule broken here is about the day: the error names that field.
            raise api_error(exc, field="left_on") from None
        membership.refresh_from_db()
        return Response(MembershipSerializer(membership).data)
