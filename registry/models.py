from __future__ import annotations

from collections.abc import Iterable
from functools import reduce
from operator import or_

from django.db import models
from django.db.models import Case, F, Q, Value, When
from django.db.models.functions import Coalesce, Greatest, Least
from django.utils.translation import gettext_lazy as _

from core.fields import MoneyField
from core.models import ChangeLoggedModel
from core.roles import Role
from core.scope import RestrictedQuerySet, ScopePolicy
from registry.choices import (
    ImportStatus,
    OrganisationKind,
    RegionLevel,
    ThresholdRule,
    VillageKind,
)

__all__ = [
    "ImportJob",
    "Organisation",
    "Region",
    "RegionGroup",
    "RegionGroupMember",
    "Village",
    "VillageOrOrganisation",
    "VillageStat",
    "WeakVillageThreshold",
]

MONEY_HELP = _("In fen (1/100 yuan).")
# A weak margin no income can exhaust: a line whose test needs a figure the row lacks.
NO_MARGIN = 10**18


def _least(parts):
    return parts[0] if len(parts) == 1 else Least(*parts)


def _greatest(parts):
    return parts[0] if len(parts) == 1 else Greatest(*parts)


class RegionQuerySet(RestrictedQuerySet):
    def under(self, code: str) -> RegionQuerySet:
        """Regions below the region with this code (codes are prefixes of their children's)."""
        return self.filter(code__startswith=code).exclude(code=code)


class Region(ChangeLoggedModel):
    """A province, city, county or township, keyed by its NBS statistical code (2–9 digits)."""

    code = models.CharField(_("code"), max_length=9, primary_key=True)
    name = models.CharField(_("name"), max_length=100)
    level = models.PositiveSmallIntegerField(_("level"), choices=RegionLevel.choices)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )

    objects = RegionQuerySet.as_manager()
    scope_policy = ScopePolicy()  # the division tree is reference data: unscoped admins only

    class Meta:
        verbose_name = _("region")
        verbose_name_plural = _("regions")
        ordering = ["code"]
        indexes = [models.Index(fields=["level", "code"], name="registry_region_level")]

    def __str__(self) -> str:
        return self.name

    @property
    def statistical_code(self) -> str:
        """The 12-digit form of the code (zero-padded), as NBS tables print it."""
        return self.code.ljust(12, "0")


class RegionGroup(ChangeLoggedModel):
    """A named set of counties that a programme is about, e.g. 山区26县 (the 26 mountain
    counties of Zhejiang). Reference data: shipped in `registry/data/groups/<code>.csv` and
    loaded by `registry.services.groups.load_region_groups`."""

    code = models.SlugField(_("code"), max_length=40, primary_key=True)
    name = models.CharField(_("name"), max_length=100)
    requires_members_for_pairing = models.BooleanField(
        _("pairings must name a member"),
        default=False,
        help_text=_(
            "An enclave park of this programme must be owned by one of the group's counties."
        ),
    )
    source = models.TextField(_("source"), blank=True)

    objects = RestrictedQuerySet.as_manager()
    scope_policy = ScopePolicy()  # reference data: unscoped admins only

    class Meta:
        verbose_name = _("region group")
        verbose_name_plural = _("region groups")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name

    def has_member(self, region_code: str | None) -> bool:
        return region_code is not None and self.members.filter(region_id=region_code).exists()


class RegionGroupMember(ChangeLoggedModel):
    """A county of a region group."""

    group = models.ForeignKey(
        RegionGroup, on_delete=models.CASCADE, related_name="members", verbose_name=_("group")
    )
    region = models.ForeignKey(
        Region,
        on_delete=models.PROTECT,
        related_name="group_memberships",
        verbose_name=_("county"),
    )

    objects = RestrictedQuerySet.as_manager()
    scope_policy = ScopePolicy()

    class Meta:
        verbose_name = _("region group member")
        verbose_name_plural = _("region group members")
        ordering = ["group_id", "region_id"]
        constraints = [
            models.UniqueConstraint(fields=["group", "region"], name="registry_group_member_once"),
        ]

    def __str__(self) -> str:
        return f"{self.group_id} {self.region_id}"


def short_village_name(name: str) -> str:
    """The everyday name: 徐家埭村村民委员会 → 徐家埭村, 多福巷社区居委会 → 多福巷社区."""
    for suffix in ("村民委员会", "村委会"):
        if name.endswith(suffix) and len(name) > len(suffix):
            stem = name[: -len(suffix)]
            return stem if stem.endswith("村") else stem + "村"
    for suffix in ("社区居民委员会", "社区居委会"):
        if name.endswith(suffix) and len(name) > len(suffix):
            return name[: -len(suffix)] + "社区"
    return name


def village_kind(name: str) -> str:
    if "居" in name or name.endswith("社区"):
        return VillageKind.COMMUNITY
    if "村" in name:
        return VillageKind.VILLAGE
    return VillageKind.OTHER


class VillageQuerySet(RestrictedQuerySet):
    def in_region(self, code: str) -> VillageQuerySet:
        return self.filter(code__startswith=code)

    def search(self, text: str) -> VillageQuerySet:
        text = text.strip()
        if not text:
            return self
        if text.isdigit():
            return self.filter(code__startswith=text)
        return self.filter(Q(name__contains=text) | Q(township__name__contains=text))

    def weak_in(self, year: int) -> VillageQuerySet:
        """Villages under the weak-village line in force for them in `year`."""
        return self.filter(pk__in=VillageStat.objects.weak_in(year).values("village_id"))

    def not_weak_in(self, year: int) -> VillageQuerySet:
        """Villages with statistics for `year` that are above every line in force."""
        return self.filter(
            pk__in=VillageStat.objects.filter(year=year)
            .exclude(pk__in=VillageStat.objects.weak_in(year).values("pk"))
            .values("village_id")
        )


class Village(ChangeLoggedModel):
    """A village-level unit (村委会 or 居委会), keyed by its 12-digit statistical code."""

    code = models.CharField(_("statistical code"), max_length=12, primary_key=True)
    name = models.CharField(_("registered name"), max_length=100)
    short_name = models.CharField(_("name"), max_length=100, db_index=True)
    kind = models.CharField(_("kind"), max_length=10, choices=VillageKind.choices)
    township = models.ForeignKey(
        Region, on_delete=models.PROTECT, related_name="villages", verbose_name=_("township")
    )
    # Denormalised from the code (static reference data) so analytics group by county
    # without string functions.
    county = models.ForeignKey(
        Region, on_delete=models.PROTECT, related_name="+", verbose_name=_("county")
    )

    objects = VillageQuerySet.as_manager()
    scope_policy = ScopePolicy(village_path="")

    class Meta:
        verbose_name = _("village")
        verbose_name_plural = _("villages")
        ordering = ["code"]
        indexes = [
            # Region filters are code-prefix matches (LIKE '330482%'); PostgreSQL needs the
            # pattern opclass to use an index for them under a non-C collation.
            models.Index(
                fields=["code"],
                name="registry_village_code_prefix",
                opclasses=["varchar_pattern_ops"],
            ),
        ]

    def __str__(self) -> str:
        return self.short_name


class Organisation(ChangeLoggedModel):
    """强村公司, joint investment companies, enterprises, party branches, departments."""

    name = models.CharField(_("name"), max_length=200, unique=True)
    kind = models.CharField(_("kind"), max_length=20, choices=OrganisationKind.choices)
    region = models.ForeignKey(
        Region,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="organisations",
        verbose_name=_("region"),
    )
    villages = models.ManyToManyField(
        Village,
        blank=True,
        related_name="organisations",
        verbose_name=_("villages"),
        help_text=_("Villages that own or belong to this organisation."),
    )
    description = models.TextField(_("description"), blank=True)
    is_illustrative = models.BooleanField(
        _("illustrative (示例)"),
        default=False,
        help_text=_("Generated for the demo, not a published fact."),
    )

    objects = RestrictedQuerySet.as_manager()
    scope_policy = ScopePolicy(organisation_path="")

    class Meta:
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class VillageOrOrganisation(models.Model):
    """A village XOR an organisation: a venture's holder, a project partner, an alliance
    member, an attendee or a voter. One definition of the two columns and of their check."""

    village = models.ForeignKey(
        Village,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("village"),
    )
    organisation = models.ForeignKey(
        Organisation,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("organisation"),
    )

    class Meta:
        abstract = True

    @staticmethod
    def holder_check(
        name: str, village: str = "village", organisation: str = "organisation"
    ) -> models.CheckConstraint:
        """Exactly one of the two columns (named otherwise for e.g. a project's lead)."""
        return models.CheckConstraint(
            name=name,
            condition=Q(**{f"{village}__isnull": False, f"{organisation}__isnull": True})
            | Q(**{f"{village}__isnull": True, f"{organisation}__isnull": False}),
        )

    @property
    def holder(self) -> Village | Organisation | None:
        return self.village if self.village_id is not None else self.organisation


class VillageStatQuerySet(RestrictedQuerySet):
    def with_weak_status(
        self, *, years: Iterable[int] | None = None, under: str | None = None
    ) -> VillageStatQuerySet:
        """The rows annotated `is_weak`: True below the weak-village line in force for their
        village in their year, False above it, None when no line is in force. The one rule
        of the weak line: the village page, the village list, the API and analytics ask it.

        The line in force is the most specific threshold (longest region code) in force that
        year whose region contains the village, so a county's own line overrides the
        province's; where one region has several thresholds in force that year, the village
        is weak under any of them. `years` and `under` (a region or village code) keep only
        the rows of those years and of the villages under that code, and so only the
        thresholds that can judge them. One query reads those thresholds, here; the test
        itself runs in SQL with the rows.
        """
        rows, status = self._judged(years, under)
        return rows.annotate(
            is_weak=Value(None, output_field=models.BooleanField()) if status is None else status
        )

    def weak_in(self, year: int) -> VillageStatQuerySet:
        """Statistics rows of `year` below the weak-village line in force for their village
        (the rule of `with_weak_status`)."""
        rows, status = self._judged([year], None)
        if status is None:
            return rows.none()  # no line in force that year: nobody is weak
        return rows.alias(is_weak=status).filter(is_weak=True)

    def with_weak_margin(
        self, *, years: Iterable[int] | None = None, under: str | None = None
    ) -> VillageStatQuerySet:
        """The rows annotated `weak_margin` (fen) beside `is_weak`: by how much every income
        figure of the row may fall together before the village is weak — the same lines as
        `with_weak_status`, read the other way. With each figure lower by r, the village is
        weak exactly when r > weak_margin (so `is_weak` is weak_margin < 0); None where no
        line is in force. A test on a missing figure never judges, as in `weak_q`.

        Analytics asks it for "without the returns": a village whose margin is below the
        returns it received is weak without them.
        """
        rows, status, margin = self._judged(years, under, margin=True)
        none = Value(None, output_field=models.BooleanField())
        return rows.annotate(
            is_weak=none if status is None else status,
            weak_margin=Value(None, output_field=models.BigIntegerField())
            if margin is None
            else margin,
        )

    def _judged(self, years: Iterable[int] | None, under: str | None, *, margin: bool = False):
        """The rows of `years` under `under`, and the CASE judging them (None: no line);
        with `margin`, also the CASE of `with_weak_margin`."""
        rows = self
        thresholds = WeakVillageThreshold.objects.all()
        if years is not None:
            years = sorted(set(years))
            rows = rows.filter(year__in=years)
            if not years:
                return (rows, None, None) if margin else (rows, None)
            thresholds = thresholds.filter(valid_from__lte=years[-1]).filter(
                Q(valid_to__isnull=True) | Q(valid_to__gte=years[0])
            )
        if under is not None:
            rows = rows.filter(village__code__startswith=under)
            # The lines of the regions containing `under`, and of the regions below it.
            thresholds = thresholds.filter(
                Q(region_id__in=[under[:n] for n in range(1, len(under) + 1)])
                | Q(region__code__startswith=under)
            )
        by_region: dict[str, list[WeakVillageThreshold]] = {}
        for threshold in thresholds:
            by_region.setdefault(threshold.region_id, []).append(threshold)
        # One CASE, most specific region first: the first region that contains the village
        # and has a line in force in the row's year decides.
        cases, margins = [], []
        for region in sorted(by_region, key=lambda code: (-len(code), code)):
            lines = by_region[region]
            in_region = Q(village__code__startswith=region)
            weak = [line.in_force_q() & test for line in lines if (test := line.weak_q())]
            if weak:
                cases.append(When(in_region & reduce(or_, weak), then=Value(True)))
            in_force = reduce(or_, (line.in_force_q() for line in lines))
            cases.append(When(in_region & in_force, then=Value(False)))
            if margin:
                # Weak under any line in force: the least of the lines' margins.
                parts = [
                    Case(
                        When(line.in_force_q(), then=part),
                        default=Value(NO_MARGIN),
                        output_field=models.BigIntegerField(),
                    )
                    for line in lines
                    if (part := line.margin()) is not None
                ]
                if parts:
                    margins.append(When(in_region & in_force, then=_least(parts)))
        if not cases:
            return (rows, None, None) if margin else (rows, None)
        status = Case(*cases, default=Value(None), output_field=models.BooleanField())
        if not margin:
            return rows, status
        return (
            rows,
            status,
            Case(*margins, default=Value(None), output_field=models.BigIntegerField())
            if margins
            else None,
        )


class VillageStat(ChangeLoggedModel):
    """One village's statistics for one year. Money in integer fen."""

    village = models.ForeignKey(
        Village, on_delete=models.PROTECT, related_name="stats", verbose_name=_("village")
    )
    year = models.PositiveSmallIntegerField(_("year"))
    total_income = MoneyField(_("total collective income"), help_text=MONEY_HELP)
    operating_income = MoneyField(
        _("operating income"), null=True, blank=True, help_text=MONEY_HELP
    )
    recurring_income = MoneyField(
        _("recurring income"), null=True, blank=True, help_text=MONEY_HELP
    )
    population = models.PositiveIntegerField(_("registered population"), null=True, blank=True)
    households = models.PositiveIntegerField(_("households"), null=True, blank=True)
    per_capita_disposable_income = MoneyField(
        _("rural per-capita disposable income"), null=True, blank=True, help_text=MONEY_HELP
    )
    is_illustrative = models.BooleanField(
        _("illustrative (示例)"),
        default=False,
        help_text=_("Generated for the demo, not a published fact."),
    )

    objects = VillageStatQuerySet.as_manager()
    scope_policy = ScopePolicy(write_roles=frozenset({Role.VILLAGE_CLERK}), village_path="village")

    class Meta:
        verbose_name = _("village statistics")
        verbose_name_plural = _("village statistics")
        ordering = ["village_id", "year"]
        constraints = [
            models.UniqueConstraint(fields=["village", "year"], name="registry_stat_village_year"),
            models.CheckConstraint(
                name="registry_stat_money_not_negative",
                condition=Q(total_income__gte=0)
                & (Q(operating_income__isnull=True) | Q(operating_income__gte=0))
                & (Q(recurring_income__isnull=True) | Q(recurring_income__gte=0))
                & (
                    Q(per_capita_disposable_income__isnull=True)
                    | Q(per_capita_disposable_income__gte=0)
                ),
            ),
        ]
        indexes = [
            # Covering on PostgreSQL: the indicators read a year's figures of a region (the
            # whole country: 620,573 rows) by an index-only scan (analytics.selectors).
            models.Index(
                fields=["year", "village"],
                include=["total_income", "operating_income", "is_illustrative"],
                name="registry_stat_year_values",
            )
        ]

    def __str__(self) -> str:
        return f"{self.village_id} {self.year}"


class WeakVillageThresholdQuerySet(RestrictedQuerySet):
    def in_force(self, year: int) -> WeakVillageThresholdQuerySet:
        return self.filter(valid_from__lte=year).filter(
            Q(valid_to__isnull=True) | Q(valid_to__gte=year)
        )


class WeakVillageThreshold(ChangeLoggedModel):
    """A weak-village line (薄弱村标准) for a region and a span of years. Lines are data.

    A village is weak in year Y under the most specific threshold in force for Y whose
    region contains it; `rule` says whether any or all of the set tests must hold.
    """

    name = models.CharField(_("name"), max_length=200)
    region = models.ForeignKey(
        Region, on_delete=models.PROTECT, related_name="thresholds", verbose_name=_("region")
    )
    valid_from = models.PositiveSmallIntegerField(_("first year"))
    valid_to = models.PositiveSmallIntegerField(_("last year"), null=True, blank=True)
    total_income_below = MoneyField(
        _("total income below"), null=True, blank=True, help_text=MONEY_HELP
    )
    operating_income_below = MoneyField(
        _("operating income below"), null=True, blank=True, help_text=MONEY_HELP
    )
    recurring_income_below = MoneyField(
        _("recurring income below"), null=True, blank=True, help_text=MONEY_HELP
    )
    rule = models.CharField(
        _("rule"), max_length=3, choices=ThresholdRule.choices, default=ThresholdRule.ANY
    )
    source = models.TextField(_("source"), blank=True)

    objects = WeakVillageThresholdQuerySet.as_manager()
    scope_policy = ScopePolicy()  # thresholds are set by unscoped city admins only

    class Meta:
        verbose_name = _("weak-village threshold")
        verbose_name_plural = _("weak-village thresholds")
        ordering = ["region_id", "valid_from"]
        constraints = [
            models.CheckConstraint(
                name="registry_threshold_has_a_test",
                condition=Q(total_income_below__isnull=False)
                | Q(operating_income_below__isnull=False)
                | Q(recurring_income_below__isnull=False),
            ),
            models.CheckConstraint(
                name="registry_threshold_period_order",
                condition=Q(valid_to__isnull=True) | Q(valid_to__gte=models.F("valid_from")),
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def weak_q(self) -> Q | None:
        """The test on VillageStat fields; a missing figure never makes a village weak."""
        tests = [
            Q(**{f"{field}__lt": line})
            for field, line in (
                ("total_income", self.total_income_below),
                ("operating_income", self.operating_income_below),
                ("recurring_income", self.recurring_income_below),
            )
            if line is not None
        ]
        if not tests:
            return None
        combine = (lambda a, b: a | b) if self.rule == ThresholdRule.ANY else (lambda a, b: a & b)
        return reduce(combine, tests)

    def margin(self):
        """The expression of `VillageStatQuerySet.with_weak_margin` for this line: by how
        much the row's figures may all fall before this line judges the village weak (the
        least of field − line for "any", the greatest for "all"; a missing figure never
        judges: NO_MARGIN)."""
        parts = [
            Coalesce(
                F(field) - Value(line), Value(NO_MARGIN), output_field=models.BigIntegerField()
            )
            for field, line in (
                ("total_income", self.total_income_below),
                ("operating_income", self.operating_income_below),
                ("recurring_income", self.recurring_income_below),
            )
            if line is not None
        ]
        if not parts:
            return None
        return _least(parts) if self.rule == ThresholdRule.ANY else _greatest(parts)

    def in_force_q(self) -> Q:
        """The test on VillageStat.year: the line is in force in the row's year."""
        q = Q(year__gte=self.valid_from)
        return q if self.valid_to is None else q & Q(year__lte=self.valid_to)


class ImportJob(models.Model):
    """An import started from a web page (statistics; projects' progress and cooperation
    lists), with its file, progress and outcome: a job row as `core.jobs` describes, run by
    a worker (the Celery task named by `task`), swept when its heartbeat stops.

    The uploaded file is kept through Django's storage (`upload`, under MEDIA_ROOT by
    default) until the job has a result; a job that stopped without one (its worker died,
    an unexpected error) keeps it, so that it can be started again (`retryable`)."""

    created_by = models.ForeignKey(
        "accounts.User", on_delete=models.PROTECT, related_name="+", verbose_name=_("by")
    )
    created_at = models.DateTimeField(_("started"), auto_now_add=True)
    file_name = models.CharField(_("file"), max_length=255)
    upload = models.FileField(
        _("uploaded file"), upload_to="imports/%Y/%m/", max_length=300, blank=True
    )
    # The Celery task that runs the job, and the URL name of the page it was started from.
    task = models.CharField(max_length=100, default="registry.import_stats")
    page = models.CharField(max_length=100, blank=True)
    # The request that started (or last restarted) the job, for the change log: language,
    # request_id, path, ip.
    context = models.JSONField(default=dict, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    file_size = models.PositiveBigIntegerField(_("size"), default=0)
    dry_run = models.BooleanField(_("validate only"), default=False)
    status = models.CharField(
        _("status"), max_length=10, choices=ImportStatus.choices, default=ImportStatus.QUEUED
    )
    phase = models.CharField(_("phase"), max_length=50, blank=True)
    rows_total = models.PositiveIntegerField(default=0)
    rows_done = models.PositiveIntegerField(default=0)
    summary = models.JSONField(default=dict, blank=True)
    errors = models.JSONField(default=list, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    # Touched every few seconds by the process running the job (core.jobs.heartbeat): a
    # running job whose heartbeat stopped is failed by core.jobs.sweep_stale_jobs.
    heartbeat_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("import job")
        verbose_name_plural = _("import jobs")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.file_name

    @property
    def finished(self) -> bool:
        return self.status in (ImportStatus.SUCCEEDED, ImportStatus.FAILED)

    @property
    def retryable(self) -> bool:
        """Failed without a result (its file is still kept): it may be started again."""
        return self.status == ImportStatus.FAILED and bool(self.upload)

    @property
    def percent(self) -> int:
        if self.status in (ImportStatus.SUCCEEDED, ImportStatus.FAILED):
            return 100
        return int(100 * self.rows_done / self.rows_total) if self.rows_total else 0
