"""Meetings, decisions and duties API.

Meetings, agenda, attendance, minutes and decisions are written by unscoped city admins;
a village clerk casts their own village's vote and reports progress (and evidence) on their
own village's duties. Every write goes through `alliances.services`; its refusals reach the
one domain-error handler (`core.api.handlers`): lack of rights answers 403, a frozen record
(signed-off minutes, a closed decision, a verified duty) or a second vote 409, any other
broken rule 400; nothing is changed.
"""

from __future__ import annotations

from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from alliances import selectors, services
from alliances.api.filters import DutyFilterSet
from alliances.api.serializers import (
    AgendaItemSerializer,
    AttendanceSerializer,
    CastVoteSerializer,
    DecisionSerializer,
    DutyEvidenceSerializer,
    DutySerializer,
    DutyUpdateSerializer,
    MeetingSerializer,
    MeetingSeriesSerializer,
    MinutesSerializer,
    NewDutySerializer,
    QuorumSerializer,
    VerifySerializer,
    VoteSerializer,
)
from alliances.models import (
    AgendaItem,
    Attendance,
    Decision,
    Duty,
    DutyEvidence,
    DutyUpdate,
    Meeting,
    MeetingSeries,
    Minutes,
    Vote,
)
from alliances.models.meetings import check_meeting_open
from core.api.base import Conflict, ScopedModelViewSet, ScopedReadOnlyViewSet
from core.scope import restrict

__all__ = [
    "AgendaItemViewSet",
    "AttendanceViewSet",
    "DecisionViewSet",
    "DutyViewSet",
    "MeetingSeriesViewSet",
    "MeetingViewSet",
    "MinutesViewSet",
    "VoteViewSet",
]


class MeetingSeriesViewSet(ScopedModelViewSet):
    """Recurring meetings (e.g. the quarterly roundtable)."""

    queryset = MeetingSeries.objects.all()
    serializer_class = MeetingSeriesSerializer
    filterset_fields = ["alliance", "kind"]
    lookup_value_regex = "[0-9]+"

    @extend_schema(request=None, responses=MeetingSerializer(many=True))
    @action(detail=True, methods=["post"], filter_backends=[], pagination_class=None)
    def schedule(self, request, pk=None):
        """Create the series' meetings not yet created (idempotent); returns the new ones."""
        created = services.schedule_series(self.get_object(), actor=request.user)
        return Response(MeetingSerializer(created, many=True).data)


class MeetingViewSet(ScopedModelViewSet):
    """Meetings (联席会议, 圆桌会, 专家授课, 外出考察); frozen (409) once the minutes are
    signed off: the day, group and quorum rule decide the recorded quorum."""

    queryset = Meeting.objects.all()
    serializer_class = MeetingSerializer
    filterset_fields = ["alliance", "consortium", "kind", "series"]
    lookup_value_regex = "[0-9]+"

    def perform_update(self, serializer):
        check_meeting_open(serializer.instance)
        super().perform_update(serializer)

    def perform_destroy(self, instance):
        check_meeting_open(instance)
        super().perform_destroy(instance)

    @extend_schema(responses=QuorumSerializer)
    @action(detail=True, methods=["get"], filter_backends=[], pagination_class=None)
    def quorum(self, request, pk=None):
        """Members on the meeting day, how many attended, how many are needed."""
        q = selectors.quorum(self.get_object())
        return Response(QuorumSerializer(q).data)


class AgendaItemViewSet(ScopedModelViewSet):
    queryset = AgendaItem.objects.all()
    serializer_class = AgendaItemSerializer
    filterset_fields = ["meeting"]
    lookup_value_regex = "[0-9]+"

    def perform_create(self, serializer):
        check_meeting_open(serializer.validated_data["meeting"])
        super().perform_create(serializer)

    def perform_update(self, serializer):
        # Neither out of a frozen meeting nor into one.
        check_meeting_open(serializer.instance.meeting_id)
        check_meeting_open(serializer.validated_data.get("meeting"))
        super().perform_update(serializer)

    def perform_destroy(self, instance):
        check_meeting_open(instance.meeting_id)
        super().perform_destroy(instance)


class AttendanceViewSet(ScopedModelViewSet):
    """One row per member and meeting; POST records or corrects it."""

    queryset = Attendance.objects.select_related("village", "organisation")
    serializer_class = AttendanceSerializer
    filterset_fields = ["meeting", "status"]
    http_method_names = ["get", "post", "head", "options"]
    lookup_value_regex = "[0-9]+"

    def perform_create(self, serializer):
        data = serializer.validated_data
        serializer.instance = services.record_attendance(
            data["meeting"],
            data.get("village") or data.get("organisation"),
            data.get("status", "present"),
            data.get("attendee", ""),
            actor=self.request.user,
        )


class MinutesViewSet(ScopedModelViewSet):
    """Minutes: amended until signed off by someone other than the author, then frozen."""

    queryset = Minutes.objects.all()
    serializer_class = MinutesSerializer
    filterset_fields = ["meeting"]
    http_method_names = ["get", "post", "patch", "head", "options"]
    lookup_value_regex = "[0-9]+"

    def perform_create(self, serializer):
        data = serializer.validated_data
        if Minutes.objects.filter(meeting=data["meeting"]).exists():
            raise Conflict(_("This meeting already has minutes; amend them instead."))
        serializer.instance = services.write_minutes(
            data["meeting"],
            data["text"],
            actor=self.request.user,
            is_illustrative=data.get("is_illustrative", False),
        )

    def perform_update(self, serializer):
        minutes = serializer.instance
        data = serializer.validated_data
        if "meeting" in data and data["meeting"] != minutes.meeting:
            raise serializers.ValidationError(
                {"meeting": [_("Minutes cannot move to another meeting.")]}
            )
        # Signed-off minutes are refused by the service (409), with the meeting's record.
        serializer.instance = services.write_minutes(
            minutes.meeting, data.get("text", minutes.text), actor=self.request.user
        )

    @extend_schema(request=None, responses=MinutesSerializer)
    @action(detail=True, methods=["post"], url_path="sign-off", filter_backends=[])
    def sign_off(self, request, pk=None):
        """Sign off (and freeze) the minutes; never by their author."""
        minutes = services.sign_off_minutes(self.get_object(), actor=request.user)
        return Response(MinutesSerializer(minutes).data)


class DecisionViewSet(ScopedModelViewSet):
    """Decisions: put by admins, voted by the members present, closed with a result."""

    queryset = Decision.objects.all()
    serializer_class = DecisionSerializer
    filterset_fields = ["meeting", "status", "result"]
    http_method_names = ["get", "post", "head", "options"]
    lookup_value_regex = "[0-9]+"

    def perform_create(self, serializer):
        data = serializer.validated_data
        serializer.instance = services.add_decision(
            data["meeting"],
            data["text"],
            data.get("rule", "simple_present"),
            data.get("agenda_item"),
            actor=self.request.user,
            is_illustrative=data.get("is_illustrative", False),
        )

    @extend_schema(request=CastVoteSerializer, responses={201: VoteSerializer})
    @action(detail=True, methods=["post"], filter_backends=[], permission_classes=[IsAuthenticated])
    def vote(self, request, pk=None):
        """Cast a member's vote (once; only members present; only while open). A village
        clerk votes for their own village."""
        decision = get_object_or_404(restrict(Decision.objects.all(), request.user, "view"), pk=pk)
        params = CastVoteSerializer(data=request.data)
        params.is_valid(raise_exception=True)
        data = params.validated_data
        vote = services.cast_vote(decision, data["member"], data["choice"], actor=request.user)
        return Response(VoteSerializer(vote).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses=DecisionSerializer)
    @action(detail=True, methods=["post"], filter_backends=[])
    def close(self, request, pk=None):
        """Close voting: the tally and the result by the decision's rule are stored."""
        decision = services.close_decision(self.get_object(), actor=request.user)
        return Response(DecisionSerializer(decision).data)

    @extend_schema(request=NewDutySerializer(many=True), responses={201: DutySerializer(many=True)})
    @action(detail=True, methods=["post"], filter_backends=[], pagination_class=None)
    def duties(self, request, pk=None):
        """Turn a passed decision into owned duties (all or nothing)."""
        decision = self.get_object()
        params = NewDutySerializer(data=request.data, many=True)
        params.is_valid(raise_exception=True)
        items = [
            {
                "title": item["title"],
                "description": item["description"],
                "owner": item.get("owner_village") or item.get("owner_organisation"),
                "owner_name": item["owner_name"],
                "due_on": item["due_on"],
            }
            for item in params.validated_data
        ]
        duties = services.create_duties_from_decision(decision, items, actor=request.user)
        return Response(DutySerializer(duties, many=True).data, status=status.HTTP_201_CREATED)


class VoteViewSet(ScopedReadOnlyViewSet):
    """Votes, read only (a vote is cast through the decision and never changed)."""

    queryset = Vote.objects.select_related("village", "organisation")
    serializer_class = VoteSerializer
    filterset_fields = ["decision", "village", "organisation", "choice"]
    lookup_value_regex = "[0-9]+"


class DutyViewSet(ScopedModelViewSet):
    """The responsibility list. Admins create duties; owners' clerks report progress."""

    queryset = Duty.objects.select_related("owner_village", "owner_organisation")
    serializer_class = DutySerializer
    filterset_class = DutyFilterSet
    http_method_names = ["get", "post", "head", "options"]
    lookup_value_regex = "[0-9]+"

    def get_queryset(self):
        return super().get_queryset().with_overdue(timezone.localdate())

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        owner = data.pop("owner_village", None) or data.pop("owner_organisation", None)
        data.pop("owner_organisation", None)
        duty = services.create_duty(
            data.pop("alliance"),
            data.pop("title"),
            owner,
            data.pop("due_on"),
            actor=self.request.user,
            **data,
        )
        serializer.instance = (
            Duty.objects.with_overdue()
            .select_related("owner_village", "owner_organisation")
            .get(pk=duty.pk)
        )

    @extend_schema(
        methods=["get"],
        request=None,
        responses=DutyUpdateSerializer(many=True),
        summary="The duty's progress history",
    )
    @extend_schema(
        methods=["post"],
        request=DutyUpdateSerializer,
        responses={201: DutyUpdateSerializer},
        summary="Report progress (appended; never overwrites)",
    )
    @action(detail=True, methods=["get", "post"], filter_backends=[], pagination_class=None)
    def updates(self, request, pk=None):
        duty = self.get_object()
        if request.method == "GET":
            rows = DutyUpdate.objects.filter(duty=duty).order_by("pk")
            return Response(DutyUpdateSerializer(rows, many=True).data)
        params = DutyUpdateSerializer(data=request.data)
        params.is_valid(raise_exception=True)
        data = params.validated_data
        update = services.add_duty_update(
            duty,
            data["status"],
            data.get("percent"),
            data.get("note", ""),
            actor=request.user,
            on=data.get("on"),
        )
        return Response(DutyUpdateSerializer(update).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=VerifySerializer, responses={201: DutyUpdateSerializer})
    @action(detail=True, methods=["post"], filter_backends=[])
    def verify(self, request, pk=None):
        """A city admin confirms a done duty (not the person who reported it done)."""
        duty = get_object_or_404(restrict(Duty.objects.all(), request.user, "view"), pk=pk)
        params = VerifySerializer(data=request.data)
        params.is_valid(raise_exception=True)
        update = services.verify_duty(duty, params.validated_data["note"], actor=request.user)
        return Response(DutyUpdateSerializer(update).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        methods=["get"],
        request=None,
        responses=DutyEvidenceSerializer(many=True),
        summary="The duty's evidence files",
    )
    @extend_schema(
        methods=["post"],
        request={"multipart/form-data": DutyEvidenceSerializer},
        responses={201: DutyEvidenceSerializer},
        summary="Attach a file (kept, never replaced)",
    )
    @action(
        detail=True,
        methods=["get", "post"],
        filter_backends=[],
        pagination_class=None,
        parser_classes=[MultiPartParser, FormParser],
    )
    def evidence(self, request, pk=None):
        duty = self.get_object()
        if request.method == "GET":
            # Only the files this user may open (their owner's scope): links are not shown
            # to anyone else.
            rows = DutyEvidence.objects.filter(duty=duty).restrict_reads(request.user).order_by("pk")
            return Response(
                DutyEvidenceSerializer(rows, many=True, context={"request": request}).data
            )
        params = DutyEvidenceSerializer(data=request.data)
        params.is_valid(raise_exception=True)
        data = params.validated_data
        evidence = services.add_evidence(
            duty, data["file"], data.get("title", ""), actor=request.user
        )
        return Response(
            DutyEvidenceSerializer(evidence, context={"request": request}).data,
            status=status.HTTP_201_CREATED,
        )
