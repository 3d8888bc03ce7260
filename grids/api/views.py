"""Grids API. Reads are scoped (personal data like writes: a reader sees only its villages
and the shared grids it works in) and masked; every write goes through `grids.services`,
so the checks, the sealing and the reveal log are the same as on the pages. The public
never reaches any of it (401)."""

from __future__ import annotations

from django.db.models import Count, Q
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status
from rest_framework.decorators import action
from rest_framework.response import Response

from core.api.base import ScopedReadOnlyViewSet
from grids import selectors, services
from grids.api.filters import (
    HouseholdFilterSet,
    MatterFilterSet,
    PersonFilterSet,
    ScreeningEntryFilterSet,
)
from grids.api.serializers import (
    GridSerializer,
    HouseholdSerializer,
    MatterReportSerializer,
    MatterSerializer,
    MatterStepInputSerializer,
    MicroGridSerializer,
    PersonCreateSerializer,
    PersonSerializer,
    RevealInputSerializer,
    RevealLogSerializer,
    RevealOutputSerializer,
    ScreeningEntrySerializer,
    ScreeningTaskSerializer,
    WorkerSerializer,
)
from grids.models import (
    Grid,
    GridWorker,
    Household,
    Matter,
    MicroGrid,
    Person,
    PersonalDataReveal,
    ScreeningEntry,
    ScreeningTask,
)
from grids.selectors import find_by_id_number


class ReadScopedViewSet(ScopedReadOnlyViewSet):
    """Rows the user may read, whatever the method: the POST actions here (create, reveal,
    step, check) write through the services, which check the write scope themselves, so a
    row the user can read is found and a refusal is a 403 from the service."""

    @property
    def scope_action(self) -> str:
        return "view"


class HouseholdViewSet(mixins.CreateModelMixin, ReadScopedViewSet):
    queryset = Household.objects.annotate(size=Count("members")).order_by("village_id", "number")
    serializer_class = HouseholdSerializer
    filterset_class = HouseholdFilterSet
    http_method_names = ["get", "post", "head", "options"]

    def perform_create(self, serializer):
        data = serializer.validated_data
        serializer.instance = services.create_household(
            actor=self.request.user,
            village=data["village"],
            number=data["number"],
            group_name=data.get("group_name", ""),
            micro_grid=data.get("micro_grid"),
        )


class PersonViewSet(ReadScopedViewSet):
    queryset = Person.objects.order_by("household_id", "pk")
    serializer_class = PersonSerializer
    filterset_class = PersonFilterSet
    http_method_names = ["get", "post", "head", "options"]

    @extend_schema(request=PersonCreateSerializer, responses={201: PersonSerializer})
    def create(self, request):
        form = PersonCreateSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        data = dict(form.validated_data)
        household = selectors.visible_or_404(Household, request.user, pk=data.pop("household").pk)
        person = services.add_person(actor=request.user, household=household, **data)
        return Response(PersonSerializer(person).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=RevealInputSerializer, responses={200: RevealOutputSerializer})
    @action(detail=True, methods=["post"])
    def reveal(self, request, pk=None):
        """The clear value of one field of one person, logged with the reason given."""
        person = selectors.visible_or_404(Person, request.user, pk=pk)
        form = RevealInputSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        value = services.reveal(actor=request.user, person=person, **form.validated_data)
        response = Response({"field": form.validated_data["field"], "value": value})
        response["Cache-Control"] = "no-store"
        return response

    @extend_schema(request=None, responses={200: PersonSerializer})
    @action(detail=False, methods=["post"], url_path="find")
    def find(self, request):
        """Find a person by ID number (POST, so the number is never in a URL or a log)."""
        number = str(request.data.get("id_number", ""))
        person = find_by_id_number(request.user, number) if number else None
        if person is None:
            return Response({"error": {"status": 404, "detail": "not found"}}, status=404)
        return Response(PersonSerializer(person).data)


class GridViewSet(ReadScopedViewSet):
    queryset = Grid.objects.order_by("village_id", "name")
    serializer_class = GridSerializer


class MicroGridViewSet(ReadScopedViewSet):
    queryset = MicroGrid.objects.order_by("grid_id", "name")
    serializer_class = MicroGridSerializer


class GridWorkerViewSet(ReadScopedViewSet):
    queryset = GridWorker.objects.order_by("grid_id", "role", "name")
    serializer_class = WorkerSerializer


class MatterViewSet(ReadScopedViewSet):
    queryset = Matter.objects.prefetch_related("steps").order_by("-reported_at", "pk")
    serializer_class = MatterSerializer
    filterset_class = MatterFilterSet
    http_method_names = ["get", "post", "head", "options"]

    @extend_schema(request=MatterReportSerializer, responses={201: MatterSerializer})
    def create(self, request):
        form = MatterReportSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        data = dict(form.validated_data)
        grid = selectors.visible_or_404(Grid, request.user, pk=data.pop("grid").pk)
        matter = services.report_matter(actor=request.user, grid=grid, **data)
        return Response(MatterSerializer(matter).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=MatterStepInputSerializer, responses={200: MatterSerializer})
    @action(detail=True, methods=["post"])
    def step(self, request, pk=None):
        matter = selectors.visible_or_404(Matter, request.user, pk=pk)
        form = MatterStepInputSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        matter = services.step_matter(actor=request.user, matter=matter, **form.validated_data)
        return Response(MatterSerializer(Matter.objects.get(pk=matter.pk)).data)


class ScreeningTaskViewSet(ReadScopedViewSet):
    queryset = ScreeningTask.objects.annotate(
        total=Count("entries"), done=Count("entries", filter=Q(entries__checked_at__isnull=False))
    ).order_by("-held_on", "pk")
    serializer_class = ScreeningTaskSerializer


class ScreeningEntryViewSet(ReadScopedViewSet):
    queryset = ScreeningEntry.objects.order_by("task_id", "line")
    serializer_class = ScreeningEntrySerializer
    filterset_class = ScreeningEntryFilterSet
    http_method_names = ["get", "post", "head", "options"]

    @extend_schema(request=None, responses={200: ScreeningEntrySerializer})
    @action(detail=True, methods=["post"])
    def check(self, request, pk=None):
        entry = selectors.visible_or_404(ScreeningEntry, request.user, pk=pk)
        entry = services.check_off(
            actor=request.user, entry=entry, note=str(request.data.get("note", ""))[:200]
        )
        return Response(ScreeningEntrySerializer(entry).data)


class RevealLogViewSet(ReadScopedViewSet):
    """Who saw whose personal data in full, when and why (auditors and the city)."""

    queryset = PersonalDataReveal.objects.select_related("user").order_by("-at", "pk")
    serializer_class = RevealLogSerializer
