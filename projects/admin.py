from django.contrib import admin

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


class PartnerInline(admin.TabularInline):
    model = ProjectPartner
    extra = 0
    raw_id_fields = ["village", "organisation"]


class PlanInline(admin.TabularInline):
    model = AnnualPlan
    extra = 0


class MilestoneInline(admin.TabularInline):
    model = Milestone
    extra = 0


class AttachmentInline(admin.TabularInline):
    model = ProjectAttachment
    extra = 0


@admin.register(Project)
class ProjectAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "category", "status", "lead_village", "consortium"]
    list_filter = ["status", "category", "consortium", "is_illustrative"]
    search_fields = ["code", "name"]
    raw_id_fields = ["lead_village", "lead_organisation", "venture"]
    inlines = [PartnerInline, PlanInline, MilestoneInline, AttachmentInline]


@admin.register(ProgressReport)
class ProgressReportAdmin(admin.ModelAdmin):
    """Append-only: the admin adds nothing, edits nothing and deletes nothing."""

    list_display = [
        "project",
        "period",
        "completed_in_year",
        "plan_percent",
        "schedule_gap",
        "created_at",
    ]
    list_filter = ["period"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(IncomeRecord)
class IncomeRecordAdmin(admin.ModelAdmin):
    list_display = ["project", "year", "amount"]


class CooperationProjectInline(admin.TabularInline):
    model = CooperationProject
    extra = 0


@admin.register(CooperationList)
class CooperationListAdmin(admin.ModelAdmin):
    list_display = ["__str__", "kind", "year", "side_a_name", "side_b_name"]
    list_filter = ["kind", "year"]
    inlines = [CooperationProjectInline]
