"""Rankings for the public showcase (比拼晾晒): schemes as data, frozen snapshots per period.

A `RankingScheme` names who is ranked (an alliance's member villages, or the villages of a
region) and its KPIs (`RankingKPI`: a key into `analytics.kpis.KPI_SOURCES`, a
direction and a weight). `analytics.services.compute_snapshot` computes one period and
freezes the result as a `RankingSnapshot` with one `RankingEntry` per village; the
snapshot keeps the KPI definitions it was computed with, so a later change of weights never
rewrites history. A frozen snapshot is never edited or deleted (model, queryset and a
database trigger); a correction is a new version of the same period that supersedes it.

Everything here is public once the scheme is published (villages and numbers only, never
persons); only unscoped city admins write, through the service.
"""

from __future__ import annotations

import ast
import json

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from analytics.choices import Direction, MemberRule, PeriodKind, ScenarioSource
from core.models import AppendOnlyModel, AppendOnlyQuerySet, ChangeLoggedModel, ImmutableError
from core.roles import Role
from core.scope import RestrictedQuerySet, ScopePolicy
from registry.choices import ImportStatus

__all__ = [
    "Direction",
    "MemberRule",
    "OptimiserRun",
    "PeriodKind",
    "RankingEntry",
    "RankingKPI",
    "RankingScheme",
    "RankingSnapshot",
    "ReportJob",
    "Scenario",
    "ScenarioSource",
]

# Anonymous visitors may read (the showcase); views and the API show published schemes
# only. No write roles: only unscoped city admins write.
PUBLIC_POLICY = ScopePolicy(public=True)


def _kpi_change_text(value) -> str | None:
    """A snapshot's KPI JSON as the change log shows it: each indicator by its label."""
    from analytics.kpis import KPI_SOURCES  # kpis reads the models: imported when shown

    if isinstance(value, str):
        try:
            value = json.loads(value)
        except ValueError:
            try:
                value = ast.literal_eval(value)
            except (ValueError, SyntaxError):
                return None

    def label(key):
        return str(KPI_SOURCES[key].label) if key in KPI_SOURCES else str(key)

    if isinstance(value, dict):
        return "；".join(f"{label(k)}：{'—' if v is None else v}" for k, v in value.items())
    if isinstance(value, list) and all(isinstance(item, dict) for item in value):
        return "；".join(
            f"{item.get('label') or label(item.get('key'))}（{item.get('weight', '')}）"
            for item in value
        )
    return None


class RankingScheme(ChangeLoggedModel):
    """A ranking method: who is ranked, by which KPIs, in which direction, with what weight."""

    name = models.CharField(_("name"), max_length=200, unique=True)
    alliance = models.ForeignKey(
        "alliances.Alliance",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="ranking_schemes",
        verbose_name=_("alliance"),
        help_text=_("Rank the alliance's member villages."),
    )
    region = models.ForeignKey(
        "registry.Region",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="ranking_schemes",
        verbose_name=_("region"),
        help_text=_("Or rank the villages of a region that have statistics."),
    )
    member_rule = models.CharField(
        _("members ranked"),
        max_length=12,
        choices=MemberRule.choices,
        default=MemberRule.PERIOD_END,
    )
    description = models.TextField(
        _("method"), blank=True, help_text=_("Published on the method page.")
    )
    period_kind = models.CharField(
        _("period"), max_length=8, choices=PeriodKind.choices, default=PeriodKind.YEAR
    )
    is_published = models.BooleanField(_("published"), default=False)
    is_illustrative = models.BooleanField(
        _("illustrative (示例)"),
        default=False,
        help_text=_("Generated for the demo, not a published fact."),
    )
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = RestrictedQuerySet.as_manager()
    scope_policy = PUBLIC_POLICY

    class Meta:
        verbose_name = _("ranking scheme")
        verbose_name_plural = _("ranking schemes")
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                name="analytics_scheme_alliance_xor_region",
                condition=Q(alliance__isnull=False, region__isnull=True)
                | Q(alliance__isnull=True, region__isnull=False),
            ),
        ]

    def __str__(self) -> str:
        return self.name


class RankingKPI(ChangeLoggedModel):
    """One KPI of a scheme. `key` names a source in `analytics.kpis.KPI_SOURCES`."""

    scheme = models.ForeignKey(
        RankingScheme, on_delete=models.CASCADE, related_name="kpis", verbose_name=_("scheme")
    )
    key = models.CharField(_("indicator"), max_length=40)
    label = models.CharField(
        _("label"), max_length=100, blank=True, help_text=_("Empty: the indicator's name.")
    )
    direction = models.CharField(
        _("direction"), max_length=6, choices=Direction.choices, default=Direction.HIGHER
    )
    weight = models.DecimalField(
        _("weight"),
        max_digits=7,
        decimal_places=2,
        help_text=_("Any positive number; weights are divided by their sum."),
    )
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = RestrictedQuerySet.as_manager()
    scope_policy = PUBLIC_POLICY

    class Meta:
        verbose_name = _("ranking KPI")
        verbose_name_plural = _("ranking KPIs")
        ordering = ["scheme_id", "order", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["scheme", "key"], name="analytics_kpi_unique_key"),
            models.CheckConstraint(name="analytics_kpi_weight_positive", condition=Q(weight__gt=0)),
        ]

    def __str__(self) -> str:
        from analytics.kpis import KPI_SOURCES  # kpis reads the models: imported when shown

        source = KPI_SOURCES.get(self.key)
        return self.label or (str(source.label) if source else self.key)

    @staticmethod
    def change_log_value(name: str, value) -> str | None:
        """The change log names the indicator, not its key ("collective_income")."""
        from analytics.kpis import KPI_SOURCES

        if name == "key" and value in KPI_SOURCES:
            return str(KPI_SOURCES[value].label)
        return None

    def clean(self):
        from django.core.exceptions import ValidationError

        # Imported when used: the KPI sources read other apps' selectors, which the model
        # module need not load (analytics.kpis imports no model of analytics).
        from analytics.kpis import KPI_SOURCES

        if self.key not in KPI_SOURCES:
            raise ValidationError({"key": _("Unknown indicator “{key}”.").format(key=self.key)})


class FrozenModel(AppendOnlyModel, ChangeLoggedModel):
    immutable_error = ImmutableError
    edit_refused = _("A ranking snapshot is frozen: it is never edited.")
    delete_refused = _("A ranking snapshot is frozen: it is never deleted.")

    class Meta:
        abstract = True


class RankingSnapshot(FrozenModel):
    """A scheme's ranking for one period, frozen when computed.

    `version` 1 is the first computation of the period; a correction is version n+1 with
    `supersedes` pointing at the version it replaces and a `reason`. The showcase shows the
    highest version of each period. `kpis` keeps the method used: [{key, label, direction,
    weight, share, omitted}], share being the renormalised weight.
    """

    scheme = models.ForeignKey(
        RankingScheme,
        on_delete=models.PROTECT,
        related_name="snapshots",
        verbose_name=_("scheme"),
    )
    period = models.PositiveSmallIntegerField(_("year"))
    version = models.PositiveSmallIntegerField(_("version"), default=1)
    supersedes = models.OneToOneField(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="superseded_by",
        verbose_name=_("supersedes"),
    )
    reason = models.TextField(_("reason for the correction"), blank=True)
    kpis = models.JSONField(_("KPIs used"))
    computed_at = models.DateTimeField(_("computed at"), auto_now_add=True)
    computed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        # PROTECT, not SET_NULL: a snapshot is frozen (its trigger refuses any UPDATE), and
        # users are deactivated, never deleted, once they have computed one.
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("computed by"),
    )
    is_illustrative = models.BooleanField(_("illustrative (示例)"), default=False)

    objects = AppendOnlyQuerySet.as_manager()
    scope_policy = PUBLIC_POLICY

    class Meta:
        verbose_name = _("ranking snapshot")
        verbose_name_plural = _("ranking snapshots")
        ordering = ["scheme_id", "period", "version"]
        constraints = [
            models.UniqueConstraint(
                fields=["scheme", "period", "version"], name="analytics_snapshot_unique_version"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.scheme} · {self.period} · v{self.version}"

    @staticmethod
    def change_log_value(name: str, value) -> str | None:
        return _kpi_change_text(value) if name == "kpis" else None


class RankingEntry(FrozenModel):
    """One village's place in a snapshot: raw KPI values, KPI scores, score, rank, tie."""

    snapshot = models.ForeignKey(
        RankingSnapshot,
        on_delete=models.PROTECT,
        related_name="entries",
        verbose_name=_("snapshot"),
    )
    village = models.ForeignKey(
        "registry.Village", on_delete=models.PROTECT, related_name="+", verbose_name=_("village")
    )
    values = models.JSONField(_("values"), help_text=_("Raw KPI values by key (null: missing)."))
    scores = models.JSONField(_("KPI scores"), help_text=_("0–100 score of each KPI by key."))
    score = models.DecimalField(_("score"), max_digits=5, decimal_places=2)
    rank = models.PositiveSmallIntegerField(_("rank"))
    tied = models.BooleanField(_("tied"), default=False)

    objects = AppendOnlyQuerySet.as_manager()
    scope_policy = PUBLIC_POLICY

    class Meta:
        verbose_name = _("ranking entry")
        verbose_name_plural = _("ranking entries")
        ordering = ["snapshot_id", "rank", "village_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["snapshot", "village"], name="analytics_entry_one_per_village"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.village_id} #{self.rank}"

    @staticmethod
    def change_log_value(name: str, value) -> str | None:
        return _kpi_change_text(value) if name in ("values", "scores") else None


class ReportJob(models.Model):
    """The xlsx workbook of a region and year, built by a worker (a job row as `core.jobs`
    describes: swept when its heartbeat stops). One job per region, year, language and data
    version: whoever asks for the same report while the data is unchanged gets the same
    file, so asking again costs nothing and a crowd asks the worker once."""

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("by")
    )
    created_at = models.DateTimeField(_("started"), auto_now_add=True)
    region_code = models.CharField(_("region"), max_length=12)
    year = models.PositiveSmallIntegerField(_("year"))
    language = models.CharField(max_length=10)
    unit = models.CharField(max_length=4, default="wan")  # analytics.reports.UNITS
    data_version = models.BigIntegerField()
    status = models.CharField(_("status"), max_length=10, default="queued")
    phase = models.CharField(_("phase"), max_length=50, blank=True)
    rows_total = models.PositiveIntegerField(default=0)
    rows_done = models.PositiveIntegerField(default=0)
    summary = models.JSONField(default=dict, blank=True)
    errors = models.JSONField(default=list, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    heartbeat_at = models.DateTimeField(null=True, blank=True, editable=False)
    result = models.FileField(_("workbook"), upload_to="reports/%Y/%m/", blank=True)

    class Meta:
        verbose_name = _("report job")
        verbose_name_plural = _("report jobs")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["region_code", "year", "language", "data_version"])]
        # (unit is not in the index: a region's report in 元 is the rarer, and the index
        # narrows to a row or two already.)

    def __str__(self) -> str:
        return f"{self.region_code} {self.year}"

    @property
    def finished(self) -> bool:
        return self.status in ("succeeded", "failed")

    @property
    def percent(self) -> int:
        if self.finished:
            return 100
        return int(100 * self.rows_done / self.rows_total) if self.rows_total else 0

    @property
    def filename(self) -> str:
        # From the resolved region (digits only), never from raw URL text.
        suffix = "" if self.unit == "wan" else f"-{self.unit}"
        return f"indicators-{self.region_code}-{self.year}{suffix}.xlsx"


# Scenarios and optimiser runs are decision support for the city: city admins write them
# (a city admin granted a region, for the regions under it: the region's code is matched as
# a village's would be), city admins and auditors read them. Never public.
DECISION_POLICY = ScopePolicy(
    village_path="region", view_roles=frozenset({Role.CITY_ADMIN, Role.AUDITOR})
)


class Scenario(ChangeLoggedModel):
    """A saved, named what-if over one year's data of a region (issue 15, item 1).

    `changes` is the list of changes in their stored form (`lib.scenarios.parse_changes`:
    park rates, new parks, stakes, weak lines, budgets). Its figures are recomputed when
    shown (`analytics.scenarios`), never stored, and nothing real is ever changed by it: a
    plan saved as a scenario is a proposal, not a stake.
    """

    name = models.CharField(_("name"), max_length=200)
    region = models.ForeignKey(
        "registry.Region", on_delete=models.PROTECT, related_name="+", verbose_name=_("region")
    )
    year = models.PositiveSmallIntegerField(_("year"))
    description = models.TextField(_("description"), blank=True)
    changes = models.JSONField(_("changes"), default=list, blank=True)
    source = models.CharField(
        _("source"), max_length=12, choices=ScenarioSource.choices, default=ScenarioSource.MANUAL
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = RestrictedQuerySet.as_manager()
    scope_policy = DECISION_POLICY

    class Meta:
        verbose_name = _("scenario")
        verbose_name_plural = _("scenarios")
        ordering = ["region_id", "year", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["region", "year", "name"], name="analytics_scenario_unique_name"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class OptimiserRun(models.Model):
    """One run of the capital-placement optimiser from the screen (issue 15, item 4): its
    input, its state as a job row (`core.jobs`: swept when its heartbeat stops) and its
    result (`analytics.command`'s JSON form). Large runs go to the task queue."""

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("by")
    )
    created_at = models.DateTimeField(_("started"), auto_now_add=True)
    region = models.ForeignKey(
        "registry.Region", on_delete=models.PROTECT, related_name="+", verbose_name=_("region")
    )
    year = models.PositiveSmallIntegerField(_("year"))
    budget_fen = models.BigIntegerField(_("budget"), help_text=_("In fen (1/100 yuan)."))
    county_cap = models.CharField(_("county cap"), max_length=20, blank=True)
    time_limit = models.FloatField(_("time limit (s)"), null=True, blank=True)
    parks = models.JSONField(_("parks"), default=list)
    pairs = models.PositiveBigIntegerField(_("village–park pairs"), default=0)
    queued = models.BooleanField(_("on the task queue"), default=False)
    status = models.CharField(
        _("status"), max_length=10, choices=ImportStatus.choices, default=ImportStatus.QUEUED
    )
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    summary = models.JSONField(default=dict, blank=True)
    errors = models.JSONField(default=list, blank=True)
    result = models.JSONField(_("result"), null=True, blank=True)

    objects = RestrictedQuerySet.as_manager()
    scope_policy = DECISION_POLICY

    class Meta:
        verbose_name = _("optimiser run")
        verbose_name_plural = _("optimiser runs")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.region_id} {self.year} #{self.pk}"
