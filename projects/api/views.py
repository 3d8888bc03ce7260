"""Projects API: scoped viewsets (rows out of scope are 404; creation checked with may_write).

Progress reports are append-only: list, retrieve and create (through the service, which
computes the plan percentage); PUT, PATCH and DELETE answer 405. The services' refusals reach
the one domain-error handler (`core.api.handlers`): 403 for lack of rights, 400 otherwise.
"""

from __future__ import annotations

from django_filters import rest_framework as filters
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response

from core.api.base import ScopedModelViewSet
from core.api.handlers import api_error
from core.scope import restrict_reads
from projects import services
from projects.api.filters import ProjectFilterSet, by_project
from projects.api.serializers import (
    AnnualPlanSerializer,
    CooperationListSerializer,
    CooperationProjectSerializer,
    IncomeRecordSerializer,
    MilestoneSerializer,
    ProgressReportSerializer,
    ProjectAttachmentSerializer,
    ProjectPartnerSerializer,
    ProjectSerializer,
)
from projects.choices import AttachmentKind
from projects.models import (
    AnnualPlan,
    CooperationList,
    CooperationProject,
    IncomeRecord,
    Milestone,
    ProgressReport,
    Project,
    ProjectAttachment,
    ProjectPartner,
)


class ProjectViewSet(ScopedModelViewSet):
    """Partnership projects; a village clerk writes the projects their village leads."""

    queryset = Project.objects.select_related(
        "consortium", "lead_village", "lead_organisation"
    ).order_by("code")
    serializer_class = ProjectSerializer
    filterset_class = ProjectFilterSet
    lookup_value_regex = "[0-9]+"


class ProjectPartnerViewSet(ScopedModelViewSet):
    queryset = ProjectPartner.objects.order_by("project_id", "pk")
    serializer_class = ProjectPartnerSerializer
    filterset_class = by_project(ProjectPartner)


class AnnualPlanViewSet(ScopedModelViewSet):
    queryset = AnnualPlan.objects.order_by("project_id", "year")
    serializer_class = AnnualPlanSerializer
    filterset_class = by_project(AnnualPlan)


class MilestoneViewSet(ScopedModelViewSet):
    queryset = Milestone.objects.order_by("project_id", "due_on", "pk")
    serializer_class = MilestoneSerializer
    filterset_class = by_project(Milestone)


class ProgressReportViewSet(ScopedModelViewSet):
    """Progress reports: append-only. POST files a new report (a correction is a new one)."""

    queryset = ProgressReport.objects.order_by("project_id", "period", "pk")
    serializer_class = ProgressReportSerializer
    filterset_class = by_project(ProgressReport)
    http_method_names = ["get", "post", "head", "options"]

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        report = services.file_progress(
            data["project"],
            actor=request.user,
            period=data["period"],
            completed_in_year=data["completed_in_year"],
            completed_total=data.get("completed_total"),
            note=data.get("note", ""),
        )
        return Response(self.get_serializer(report).data, status=status.HTTP_201_CREATED)


class IncomeRecordViewSet(ScopedModelViewSet):
    queryset = IncomeRecord.objects.order_by("project_id", "year")
    serializer_class = IncomeRecordSerializer
    filterset_class = by_project(IncomeRecord)


class ProjectAttachmentViewSet(ScopedModelViewSet):
    """Attachments: list, retrieve, and upload (multipart, through the service, which checks
    scope, type and size). Files are read through each row's `download` link (scoped)."""

    queryset = ProjectAttachment.objects.order_by("project_id", "-uploaded_at", "pk")
    serializer_class = ProjectAttachmentSerializer
    filterset_class = by_project(ProjectAttachment)
    http_method_names = ["get", "post", "head", "options"]
    parser_classes = [MultiPartParser, FormParser]

    def get_queryset(self):
        # Reads are per object (files): only rows whose file this user may open are listed.
        if self.scope_action == "view":
            return restrict_reads(self.queryset.all(), self.request.user)
        return super().get_queryset()

    @extend_schema(
        request={"multipart/form-data": ProjectAttachmentSerializer},
        responses={201: ProjectAttachmentSerializer},
        summary="Upload a photo or document (pictures, pdf, office files; up to 10 MB)",
    )
    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        try:
            attachment = services.add_attachment(
                data["project"],
                data["file"],
                actor=request.user,
                title=data.get("title", ""),
                kind=data.get("kind", AttachmentKind.PHOTO),
            )
        except services.ProjectError as error:
            # What is refused here is the file (type, size, content): the error names it.
            raise api_error(error, field="file") from None
        return Response(self.get_serializer(attachment).data, status=status.HTTP_201_CREATED)


class CooperationListViewSet(ScopedModelViewSet):
    """Cooperation lists (毗邻党建, 山海协作) by year; city admins write."""

    queryset = CooperationList.objects.order_by("-year", "kind", "pk")
    serializer_class = CooperationListSerializer
    filterset_fields = ["year", "kind"]


class CooperationProjectFilterSet(filters.FilterSet):
    year = filters.NumberFilter(field_name="list__year", min_value=0, max_value=9999)

    class Meta:
        model = CooperationProject
        fields = ["list", "category", "status", "year"]


class CooperationProjectViewSet(ScopedModelViewSet):
    queryset = CooperationProject.objects.order_by("list_id", "number", "pk")
    serializer_class = CooperationProjectSerializer
    filterset_class = CooperationProjectFilterSet
