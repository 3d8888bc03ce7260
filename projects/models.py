"""Partnership projects (共富项目) and cooperation project lists (毗邻党建, 山海协作).

A project is led by a village XOR an organisation (a database check) and may belong to a
consortium of an alliance and be linked to a venture (whose income and distributions then
show on the project page). Money is integer fen.

Progress reports are append-only: the history is the data, so a report is never edited or
deleted (model, queryset and admin refuse); a correction is a newer report for the same
period. Village clerks write the projects their village leads, and their progress reports;
everything else is written by city admins. Every signed-in user reads; the public showcase
reads only `projects.selectors.public_projects()`.
"""

from __future__ import annotations

import uuid
from dataclasses import replace
from pathlib import PurePath

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.fields import MoneyField
from core.models import AppendOnlyModel, AppendOnlyQuerySet, ChangeLoggedModel
from core.roles import Role
from core.scope import RestrictedQuerySet, ScopePolicy
from projects.choices import (
    AttachmentKind,
    CooperationKind,
    PartnerRole,
    ProjectCategory,
    ProjectStatus,
)
from registry.models import VillageOrOrganisation

__all__ = [
    "AnnualPlan",
    "CooperationList",
    "CooperationProject",
    "IncomeRecord",
    "Milestone",
    "ProgressImmutable",
    "ProgressReport",
    "Project",
    "ProjectAttachment",
    "ProjectPartner",
]

MONEY_HELP = _("In fen (1/100 yuan).")
# Attachments shown inline (thumbnails); no SVG: it can carry scripts.
IMAGE_SUFFIXES = frozenset({".jpg", ".jpeg", ".png", ".gif", ".webp"})
ILLUSTRATIVE_HELP = _("Generated for the demo, not a published fact.")

# A clerk writes the projects their village leads (and everything hanging off them).
PROJECT_POLICY = ScopePolicy(
    write_roles=frozenset({Role.VILLAGE_CLERK}),
    village_path="lead_village",
    organisation_path="lead_organisation",
)
CHILD_POLICY = ScopePolicy(
    write_roles=frozenset({Role.VILLAGE_CLERK}),
    village_path="project__lead_village",
    organisation_path="project__lead_organisation",
)
ADMIN_POLICY = ScopePolicy()  # unscoped city admins write; every signed-in user reads
# Files: read per object (core.scope.restrict_reads) by the scope of the lead or of a partner.
ATTACHMENT_POLICY = replace(
    CHILD_POLICY,
    reader_paths=(("project__partners__village", "project__partners__organisation"),),
)


class ProgressImmutable(ValueError):
    """An edit or delete of a progress report (append-only: corrections are new reports)."""


class Project(ChangeLoggedModel):
    """A partnership project: who leads it, who invests, what it costs and should earn."""

    code = models.CharField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=200)
    consortium = models.ForeignKey(
        "alliances.Consortium", null=True, blank=True, on_delete=models.PROTECT,
        related_name="projects", verbose_name=_("consortium"),
    )
    category = models.CharField(_("category"), max_length=20, choices=ProjectCategory.choices)
    status = models.CharField(
        _("status"), max_length=20, choices=ProjectStatus.choices, default=ProjectStatus.PLANNED
    )
    lead_village = models.ForeignKey(
        "registry.Village", null=True, blank=True, on_delete=models.PROTECT,
        related_name="led_projects", verbose_name=_("lead village"),
    )
    lead_organisation = models.ForeignKey(
        "registry.Organisation", null=True, blank=True, on_delete=models.PROTECT,
        related_name="led_projects", verbose_name=_("lead organisation"),
    )
    total_investment = MoneyField(_("total investment"), help_text=MONEY_HELP)
    expected_annual_income = MoneyField(
        _("expected annual income"), default=0, help_text=MONEY_HELP
    )
    started_on = models.DateField(_("start date"), null=True, blank=True)
    ends_on = models.DateField(_("end date"), null=True, blank=True)
    venture = models.ForeignKey(
        "ventures.Venture", null=True, blank=True, on_delete=models.SET_NULL,
        related_name="projects", verbose_name=_("venture"),
        help_text=_("The venture whose income and distributions belong to this project."),
    )
    description = models.TextField(_("description"), blank=True)
    is_public = models.BooleanField(
        _("published"), default=True, help_text=_("Shown on the public showcase.")
    )
    is_illustrative = models.BooleanField(
        _("illustrative (示例)"), default=False, help_text=ILLUSTRATIVE_HELP
    )

    objects = RestrictedQuerySet.as_manager()
    scope_policy = PROJECT_POLICY

    class Meta:
        verbose_name = _("project")
        verbose_name_plural = _("projects")
        ordering = ["code"]
        constraints = [
            VillageOrOrganisation.holder_check(
                "projects_project_one_lead", "lead_village", "lead_organisation"
            ),
            models.CheckConstraint(
                name="projects_project_money_not_negative",
                condition=Q(total_investment__gte=0, expected_annual_income__gte=0),
            ),
            models.CheckConstraint(
                name="projects_project_period_order",
                condition=Q(ends_on__isnull=True)
                | Q(started_on__isnull=True)
                | Q(ends_on__gte=F("started_on")),
            ),
        ]
        indexes = [
            models.Index(fields=["status", "code"], name="projects_project_status"),
            models.Index(fields=["category", "code"], name="projects_project_category"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def lead(self):
        return self.lead_village if self.lead_village_id is not None else self.lead_organisation


class ProjectPartner(VillageOrOrganisation, ChangeLoggedModel):
    """A village or organisation in a project, with its committed and paid-in stake."""

    project = models.ForeignKey(
        Project, on_delete=models.CASCADE, related_name="partners", verbose_name=_("project")
    )
    role = models.CharField(
        _("role"), max_length=10, choices=PartnerRole.choices, default=PartnerRole.INVESTOR
    )
    committed = MoneyField(_("committed"), default=0, help_text=MONEY_HELP)
    paid_in = MoneyField(_("paid in"), default=0, help_text=MONEY_HELP)
    is_illustrative = models.BooleanField(
        _("illustrative (示例)"), default=False, help_text=ILLUSTRATIVE_HELP
    )

    objects = RestrictedQuerySet.as_manager()
    scope_policy = CHILD_POLICY

    class Meta:
        verbose_name = _("project partner")
        verbose_name_plural = _("project partners")
        ordering = ["project_id", "pk"]
        constraints = [
            VillageOrOrganisation.holder_check("projects_partner_one_holder"),
            models.CheckConstraint(
                name="projects_partner_money_not_negative",
                condition=Q(committed__gte=0, paid_in__gte=0),
            ),
            models.UniqueConstraint(
                fields=["project", "village"], condition=Q(village__isnull=False),
                name="projects_partner_one_per_village",
            ),
            models.UniqueConstraint(
                fields=["project", "organisation"], condition=Q(organisation__isnull=False),
                name="projects_partner_one_per_organisation",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.project} · {self.holder}"


class AnnualPlan(ChangeLoggedModel):
    """The investment a project plans to complete in one year (年度计划投资)."""

    project = models.ForeignKey(
        Project, on_delete=models.CASCADE, related_name="plans", verbose_name=_("project")
    )
    year = models.PositiveSmallIntegerField(_("year"))
    planned_investment = MoneyField(_("planned investment"), help_text=MONEY_HELP)

    objects = RestrictedQuerySet.as_manager()
    scope_policy = CHILD_POLICY

    class Meta:
        verbose_name = _("annual investment plan")
        verbose_name_plural = _("annual investment plans")
        ordering = ["project_id", "year"]
        constraints = [
            models.UniqueConstraint(fields=["project", "year"], name="projects_plan_one_per_year"),
            models.CheckConstraint(
                name="projects_plan_not_negative", condition=Q(planned_investment__gte=0)
            ),
        ]

    def __str__(self) -> str:
        return f"{self.project} · {self.year}"


class Milestone(ChangeLoggedModel):
    project = models.ForeignKey(
        Project, on_delete=models.CASCADE, related_name="milestones", verbose_name=_("project")
    )
    title = models.CharField(_("title"), max_length=200)
    due_on = models.DateField(_("due on"), null=True, blank=True)
    done_on = models.DateField(_("done on"), null=True, blank=True)

    objects = RestrictedQuerySet.as_manager()
    scope_policy = CHILD_POLICY

    class Meta:
        verbose_name = _("milestone")
        verbose_name_plural = _("milestones")
        ordering = ["project_id", "due_on", "pk"]

    def __str__(self) -> str:
        return self.title


class ProgressReport(AppendOnlyModel, ChangeLoggedModel):
    """One progress report (进度报告) of a project for a month: append-only.

    `completed_in_year` is the investment completed from 1 January to the end of the period
    (1—N月累计完成投资), what Chinese project lists compare with the annual plan. The plan
    percentage and the lead over the time schedule (时序进度, month/12) are computed by
    `lib.progress` when the report is filed and stored with it, so the report keeps saying
    what it said even if the plan is revised later. Several reports may exist for one
    period: the latest (highest id) is the one in force.
    """

    project = models.ForeignKey(
        Project, on_delete=models.PROTECT, related_name="progress_reports",
        verbose_name=_("project"),
    )
    period = models.DateField(_("period"), help_text=_("The last day of the month reported."))
    completed_in_year = MoneyField(
        _("investment completed this year"), help_text=MONEY_HELP
    )
    completed_total = MoneyField(
        _("investment completed since start"), null=True, blank=True, help_text=MONEY_HELP
    )
    planned_investment = MoneyField(
        _("annual plan"), null=True, blank=True, help_text=MONEY_HELP
    )
    plan_percent = models.DecimalField(
        _("Share of annual plan"), max_digits=7, decimal_places=1, null=True, blank=True
    )
    schedule_gap = models.DecimalField(
        _("ahead of schedule (pp)"), max_digits=7, decimal_places=1, null=True, blank=True,
        help_text=_("Percentage points ahead (+) or behind (−) the time elapsed in the year."),
    )
    note = models.TextField(_("note"), blank=True)
    # PROTECT: deleting a user must not rewrite the reports they filed (append-only).
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
        related_name="+", verbose_name=_("author"),
    )
    created_at = models.DateTimeField(_("filed at"), default=timezone.now)
    is_illustrative = models.BooleanField(
        _("illustrative (示例)"), default=False, help_text=ILLUSTRATIVE_HELP
    )

    immutable_error = ProgressImmutable
    edit_refused = _("Progress reports are never edited; file a new report.")
    delete_refused = _("Progress reports are never deleted.")

    objects = AppendOnlyQuerySet.as_manager()
    scope_policy = CHILD_POLICY

    class Meta:
        verbose_name = _("progress report")
        verbose_name_plural = _("progress reports")
        ordering = ["project_id", "period", "pk"]
        constraints = [
            models.CheckConstraint(
                name="projects_progress_not_negative",
                condition=Q(completed_in_year__gte=0)
                & (Q(completed_total__isnull=True) | Q(completed_total__gte=0)),
            ),
        ]
        indexes = [
            models.Index(fields=["project", "period"], name="projects_progress_period"),
        ]

    def __str__(self) -> str:
        return f"{self.project} · {self.period:%Y-%m}"


class IncomeRecord(ChangeLoggedModel):
    """A project's actual income in a year, when it has no linked venture that books it."""

    project = models.ForeignKey(
        Project, on_delete=models.CASCADE, related_name="income_records",
        verbose_name=_("project"),
    )
    year = models.PositiveSmallIntegerField(_("year"))
    amount = MoneyField(_("income"), help_text=MONEY_HELP)
    note = models.CharField(_("note"), max_length=200, blank=True)
    is_illustrative = models.BooleanField(
        _("illustrative (示例)"), default=False, help_text=ILLUSTRATIVE_HELP
    )

    objects = RestrictedQuerySet.as_manager()
    scope_policy = CHILD_POLICY

    class Meta:
        verbose_name = _("income record")
        verbose_name_plural = _("income records")
        ordering = ["project_id", "year"]
        constraints = [
            models.UniqueConstraint(fields=["project", "year"], name="projects_income_one_per_year"),
        ]

    def __str__(self) -> str:
        return f"{self.project} · {self.year}"


class ProjectAttachment(ChangeLoggedModel):
    """A photo or document of a project, served only through `projects:attachment_download`
    at its random `token` (never its id), to users whose grants reach the project's lead or
    one of its partners (`core.scope.restrict_reads`), never from a public MEDIA URL."""

    project = models.ForeignKey(
        Project, on_delete=models.CASCADE, related_name="attachments", verbose_name=_("project")
    )
    kind = models.CharField(
        _("kind"), max_length=10, choices=AttachmentKind.choices, default=AttachmentKind.PHOTO
    )
    title = models.CharField(_("title"), max_length=200)
    file = models.FileField(_("file"), upload_to="projects/%Y/")
    uploaded_at = models.DateTimeField(_("uploaded at"), default=timezone.now)
    # The file's address: random, so a link cannot be guessed from another one.
    token = models.UUIDField(_("token"), default=uuid.uuid4, unique=True, editable=False)

    objects = RestrictedQuerySet.as_manager()
    scope_policy = ATTACHMENT_POLICY

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")
        ordering = ["project_id", "-uploaded_at", "pk"]

    def __str__(self) -> str:
        return self.title

    @property
    def filename(self) -> str:
        return PurePath(self.file.name).name

    @property
    def is_image(self) -> bool:
        """Whether the file is a picture (shown inline as a thumbnail, not downloaded)."""
        return PurePath(self.file.name).suffix.lower() in IMAGE_SUFFIXES


class CooperationList(ChangeLoggedModel):
    """A yearly list of cooperation projects between two sides (e.g. 平湖 and 金山)."""

    kind = models.CharField(_("kind"), max_length=20, choices=CooperationKind.choices)
    year = models.PositiveSmallIntegerField(_("year"))
    side_a_name = models.CharField(_("side A"), max_length=100)
    side_a_region = models.ForeignKey(
        "registry.Region", null=True, blank=True, on_delete=models.PROTECT, related_name="+",
        verbose_name=_("side A region"),
    )
    side_b_name = models.CharField(_("side B"), max_length=100)
    side_b_region = models.ForeignKey(
        "registry.Region", null=True, blank=True, on_delete=models.PROTECT, related_name="+",
        verbose_name=_("side B region"),
    )
    title = models.CharField(_("title"), max_length=200, blank=True)
    is_illustrative = models.BooleanField(
        _("illustrative (示例)"), default=False, help_text=ILLUSTRATIVE_HELP
    )

    objects = RestrictedQuerySet.as_manager()
    scope_policy = ADMIN_POLICY

    class Meta:
        verbose_name = _("cooperation list")
        verbose_name_plural = _("cooperation lists")
        ordering = ["-year", "kind", "side_a_name", "side_b_name"]
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "year", "side_a_name", "side_b_name"],
                name="projects_cooplist_unique",
            ),
        ]

    def __str__(self) -> str:
        return self.title or f"{self.year} {self.side_a_name}—{self.side_b_name}"


class CooperationProject(ChangeLoggedModel):
    """One project of a cooperation list, with the lead unit on each side."""

    list = models.ForeignKey(
        CooperationList, on_delete=models.CASCADE, related_name="projects",
        verbose_name=_("list"),
    )
    number = models.PositiveIntegerField(_("no."), default=0)
    name = models.CharField(_("name"), max_length=200)
    category = models.CharField(_("category"), max_length=20, choices=ProjectCategory.choices)
    lead_unit_a = models.CharField(_("lead unit (side A)"), max_length=200, blank=True)
    lead_unit_b = models.CharField(_("lead unit (side B)"), max_length=200, blank=True)
    status = models.CharField(
        _("status"), max_length=20, choices=ProjectStatus.choices, default=ProjectStatus.PLANNED
    )
    note = models.CharField(_("note"), max_length=300, blank=True)
    is_illustrative = models.BooleanField(
        _("illustrative (示例)"), default=False, help_text=ILLUSTRATIVE_HELP
    )

    objects = RestrictedQuerySet.as_manager()
    scope_policy = ADMIN_POLICY

    class Meta:
        verbose_name = _("cooperation project")
        verbose_name_plural = _("cooperation projects")
        ordering = ["list_id", "number", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["list", "name"], name="projects_coopproject_unique"),
        ]

    def __str__(self) -> str:
        return self.name
