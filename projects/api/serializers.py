"""Serializers of the projects API: money is integer fen; input is strict."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers
from rest_framework.exceptions import PermissionDenied

from core.api.base import FenField, StrictModelSerializer
from core.scope import may_write
from projects.choices import ProjectStatus
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
from projects.selectors import consortium_model


@extend_schema_field(
    {"type": "string", "enum": list(ProjectStatus.values)}, component_name="ProjectStatus"
)
class ProjectStatusField(serializers.ChoiceField):
    """A project status, one named component ("status" is also a run's, a duty's, …)."""

    def __init__(self, **kwargs):
        super().__init__(choices=ProjectStatus.choices, **kwargs)


MSG_ONE_HOLDER = _("Give exactly one of a village and an organisation.")


def _one_of(serializer, attrs, village: str, organisation: str) -> None:
    has_village = serializer.current(attrs, village) is not None
    has_org = serializer.current(attrs, organisation) is not None
    if has_village == has_org:
        raise serializers.ValidationError({"non_field_errors": [MSG_ONE_HOLDER]})


class ProjectSerializer(StrictModelSerializer):
    status = ProjectStatusField(required=False)
    total_investment = FenField()
    expected_annual_income = FenField(required=False)

    class Meta:
        model = Project
        fields = [
            "id", "code", "name", "consortium", "category", "status", "lead_village",
            "lead_organisation", "total_investment", "expected_annual_income", "started_on",
            "ends_on", "venture", "description", "is_public", "is_illustrative",
        ]

    # Which consortium a project counts for and which venture it is are the city's
    # decisions: a village clerk writing their own project may not set them (403).
    ADMIN_ONLY = ("consortium", "venture")

    def validate(self, attrs):
        request = self.context.get("request")
        user = getattr(request, "user", None)
        if not may_write(user, consortium_model()):  # true only for an unscoped city admin
            for name in self.ADMIN_ONLY:
                if name in attrs and attrs[name] != getattr(self.instance, name, None):
                    raise PermissionDenied(
                        _("Only a city administrator sets a project's consortium and venture.")
                    )
        _one_of(self, attrs, "lead_village", "lead_organisation")
        start, end = self.current(attrs, "started_on"), self.current(attrs, "ends_on")
        if start and end and end < start:
            raise serializers.ValidationError({"ends_on": [_("Before the start date.")]})
        return attrs


class ProjectPartnerSerializer(StrictModelSerializer):
    committed = FenField(required=False)
    paid_in = FenField(required=False)

    class Meta:
        model = ProjectPartner
        fields = ["id", "project", "village", "organisation", "role", "committed", "paid_in",
                  "is_illustrative"]

    def validate(self, attrs):
        _one_of(self, attrs, "village", "organisation")
        return attrs


class AnnualPlanSerializer(StrictModelSerializer):
    planned_investment = FenField()

    class Meta:
        model = AnnualPlan
        fields = ["id", "project", "year", "planned_investment"]


class MilestoneSerializer(StrictModelSerializer):
    class Meta:
        model = Milestone
        fields = ["id", "project", "title", "due_on", "done_on"]


class ProgressReportSerializer(StrictModelSerializer):
    completed_in_year = FenField()
    completed_total = FenField(required=False, allow_null=True)
    planned_investment = serializers.IntegerField(read_only=True, allow_null=True)

    class Meta:
        model = ProgressReport
        fields = [
            "id", "project", "period", "completed_in_year", "completed_total", "note",
            "planned_investment", "plan_percent", "schedule_gap", "author", "created_at",
            "is_illustrative",
        ]
        read_only_fields = [
            "plan_percent", "schedule_gap", "author", "created_at", "is_illustrative",
        ]


class IncomeRecordSerializer(StrictModelSerializer):
    amount = FenField()

    class Meta:
        model = IncomeRecord
        fields = ["id", "project", "year", "amount", "note", "is_illustrative"]


class ProjectAttachmentSerializer(StrictModelSerializer):
    """`file` is upload-only: files are read through `download` (scoped), not a MEDIA URL."""

    file = serializers.FileField(write_only=True)
    download = serializers.SerializerMethodField()

    class Meta:
        model = ProjectAttachment
        fields = ["id", "project", "kind", "title", "file", "download", "uploaded_at"]
        read_only_fields = ["uploaded_at"]
        extra_kwargs = {"title": {"required": False, "allow_blank": True}}

    @extend_schema_field(OpenApiTypes.URI)
    def get_download(self, obj) -> str:
        url = reverse("projects:attachment_download", args=[obj.token])
        request = self.context.get("request")
        return request.build_absolute_uri(url) if request is not None else url


class CooperationListSerializer(StrictModelSerializer):
    class Meta:
        model = CooperationList
        fields = ["id", "kind", "year", "side_a_name", "side_a_region", "side_b_name",
                  "side_b_region", "title", "is_illustrative"]


class CooperationProjectSerializer(StrictModelSerializer):
    status = ProjectStatusField(required=False)
    class Meta:
        model = CooperationProject
        fields = ["id", "list", "number", "name", "category", "lead_unit_a", "lead_unit_b",
                  "status", "note", "is_illustrative"]
