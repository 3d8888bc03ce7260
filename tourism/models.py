"""Scenic villages (景区村庄): spots, grades, the scenic-village assessment, operators and
their associations, routes, and monthly visitors and revenue.

A spot belongs to a village and is written by that village's clerk; grades and assessments
come from the tourism authority (unscoped city admins): a village never grades itself. The
assessment's sheet (parts, maxima, thresholds) is `lib.scenic`, the one place for it; the
database repeats each maximum as a check. Routes belong to the consortium that runs them
(景区村庄共富体) and are written by city admins. A monthly figure names a spot XOR an
operator, carries its village (for scope and sums), its method and whether it is
illustrative; `is_collective_income` says that its revenue is already inside the village's
collective income (registry statistics): it is shown beside that figure, never added to it.
Nothing here is personal data: an operator is a business (its rooms and seats), not a person.
"""

from __future__ import annotations

import uuid
from pathlib import PurePath

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from core.fields import MoneyField
from core.models import ChangeLoggedModel
from core.roles import Role
from core.scope import RestrictedQuerySet, ScopePolicy
from lib import scenic
from tourism.choices import CountMethod, Grade, GradeScheme, OperatorKind, Premises, SpotKind

__all__ = [
    "Assessment",
    "Association",
    "CumulativeFigure",
    "GradeAward",
    "MonthlyFigure",
    "Operator",
    "Route",
    "RouteStop",
    "Spot",
    "SpotPhoto",
]

ILLUSTRATIVE_HELP = _("Generated for the demo, not a published fact.")
# Spots, operators and figures: the village's clerk writes; every signed-in user reads.
VILLAGE_POLICY = ScopePolicy(write_roles=frozenset({Role.VILLAGE_CLERK}), village_path="village")
SPOT_CHILD_POLICY = ScopePolicy(
    write_roles=frozenset({Role.VILLAGE_CLERK}), village_path="spot__village"
)
# Grades, assessments, associations and routes: unscoped city admins write.
ADMIN_POLICY = ScopePolicy()


class Spot(ChangeLoggedModel):
    """A scenic spot of a village: a scenic area (景区), an attraction, a venue, a farm
    restaurant or a homestay; its place (WGS 84 degrees) draws the route map."""

    village = models.ForeignKey(
        "registry.Village",
        on_delete=models.PROTECT,
        related_name="spots",
        verbose_name=_("village"),
    )
    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("kind"), max_length=20, choices=SpotKind.choices)
    latitude = models.DecimalField(_("latitude"), max_digits=8, decimal_places=5)
    longitude = models.DecimalField(_("longitude"), max_digits=8, decimal_places=5)
    description = models.TextField(_("description"), blank=True)
    is_illustrative = models.BooleanField(
        _("illustrative (示例)"), default=False, help_text=ILLUSTRATIVE_HELP
    )

    objects = RestrictedQuerySet.as_manager()
    scope_policy = VILLAGE_POLICY

    class Meta:
        verbose_name = _("scenic spot")
        verbose_name_plural = _("scenic spots")
        ordering = ["village_id", "name"]
        constraints = [
            models.UniqueConstraint(fields=["village", "name"], name="tourism_spot_unique_name"),
            models.CheckConstraint(
                condition=Q(latitude__gte=-90, latitude__lte=90)
                & Q(longitude__gte=-180, longitude__lte=180),
                name="tourism_spot_coordinates",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class SpotPhoto(ChangeLoggedModel):
    """A photo of a spot, sent by a view at its random token (never its id)."""

    spot = models.ForeignKey(
        Spot, on_delete=models.CASCADE, related_name="photos", verbose_name=_("spot")
    )
    file = models.ImageField(_("photo"), upload_to="tourism/%Y/")
    token = models.UUIDField(_("token"), default=uuid.uuid4, unique=True, editable=False)
    caption = models.CharField(_("caption"), max_length=200, blank=True)

    objects = RestrictedQuerySet.as_manager()
    scope_policy = SPOT_CHILD_POLICY

    class Meta:
        verbose_name = _("spot photo")
        verbose_name_plural = _("spot photos")
        ordering = ["spot_id", "pk"]

    def __str__(self) -> str:
        return self.caption or PurePath(self.file.name).name


def _part_checks() -> list[models.CheckConstraint]:
    """Each part's score within 0..its maximum, from the one sheet (lib.scenic)."""
    checks = [
        models.CheckConstraint(
            condition=Q(**{f"{part.key}__gte": 0, f"{part.key}__lte": part.maximum}),
            name=f"tourism_assessment_{part.key}_max",
        )
        for part in scenic.SHEET
    ]
    checks.append(
        models.CheckConstraint(
            condition=Q(bonus__gte=0, bonus__lte=scenic.BONUS_MAX),
            name="tourism_assessment_bonus_max",
        )
    )
    return checks


class Assessment(ChangeLoggedModel):
    """One scoring of a scenic village on the Zhejiang sheet (`lib.scenic.SHEET`): the score
    of each part, the bonus, and the total and grade derived from them (never typed)."""

    spot = models.ForeignKey(
        Spot, on_delete=models.PROTECT, related_name="assessments", verbose_name=_("spot")
    )
    assessed_on = models.DateField(_("assessed on"))
    transport = models.PositiveSmallIntegerField(_("transport (交通)"))
    sanitation = models.PositiveSmallIntegerField(_("environment and sanitation (环境卫生)"))
    facilities = models.PositiveSmallIntegerField(_("facilities and services (基础设施与服务)"))
    activities = models.PositiveSmallIntegerField(_("featured activities (特色活动)"))
    management = models.PositiveSmallIntegerField(_("overall management (综合管理)"))
    satisfaction = models.PositiveSmallIntegerField(_("visitor satisfaction (游客满意度)"))
    bonus = models.PositiveSmallIntegerField(_("bonus"), default=0)
    total = models.PositiveSmallIntegerField(_("total"), editable=False)
    grade = models.CharField(
        _("grade"), max_length=5, choices=Grade.choices, blank=True, editable=False
    )
    assessor = models.CharField(_("assessed by"), max_length=200, blank=True)
    is_illustrative = models.BooleanField(
        _("illustrative (示例)"), default=False, help_text=ILLUSTRATIVE_HELP
    )

    objects = RestrictedQuerySet.as_manager()
    scope_policy = ADMIN_POLICY

    class Meta:
        verbose_name = _("scenic-village assessment")
        verbose_name_plural = _("scenic-village assessments")
        ordering = ["spot_id", "-assessed_on"]
        constraints = _part_checks()

    def __str__(self) -> str:
        return f"{self.spot} {self.assessed_on} {self.total}"

    @property
    def scores(self) -> dict[str, int]:
        return {part.key: getattr(self, part.key) for part in scenic.SHEET}


class GradeAward(ChangeLoggedModel):
    """A grade given to a spot on a day (its history: every award, newest first). A
    scenic-village grade comes from an assessment; a national grade from its own body."""

    spot = models.ForeignKey(
        Spot, on_delete=models.PROTECT, related_name="grades", verbose_name=_("spot")
    )
    scheme = models.CharField(_("scheme"), max_length=20, choices=GradeScheme.choices)
    grade = models.CharField(_("grade"), max_length=5, choices=Grade.choices)
    awarded_on = models.DateField(_("awarded on"))
    assessment = models.OneToOneField(
        Assessment,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="award",
        verbose_name=_("assessment"),
    )
    note = models.CharField(_("note"), max_length=200, blank=True)
    is_illustrative = models.BooleanField(
        _("illustrative (示例)"), default=False, help_text=ILLUSTRATIVE_HELP
    )

    objects = RestrictedQuerySet.as_manager()
    scope_policy = ADMIN_POLICY

    class Meta:
        verbose_name = _("grade award")
        verbose_name_plural = _("grade awards")
        ordering = ["spot_id", "-awarded_on", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["spot", "scheme", "awarded_on"], name="tourism_grade_once_a_day"
            ),
            models.CheckConstraint(
                condition=~Q(scheme=GradeScheme.SCENIC_VILLAGE)
                | Q(grade__in=["A", "AA", "AAA"], assessment__isnull=False),
                name="tourism_scenic_village_grade_assessed",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.spot} {self.grade} ({self.awarded_on})"


class Association(ChangeLoggedModel):
    """An industry association (行业协会) of operators, led by an organisation (the
    浙沪山塘联合党支部 leads one)."""

    name = models.CharField(_("name"), max_length=200, unique=True)
    lead = models.ForeignKey(
        "registry.Organisation",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="associations_led",
        verbose_name=_("led by"),
    )
    description = models.TextField(_("description"), blank=True)
    is_illustrative = models.BooleanField(
        _("illustrative (示例)"), default=False, help_text=ILLUSTRATIVE_HELP
    )

    objects = RestrictedQuerySet.as_manager()
    scope_policy = ADMIN_POLICY

    class Meta:
        verbose_name = _("industry association")
        verbose_name_plural = _("industry associations")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Operator(ChangeLoggedModel):
    """A farm restaurant (农家乐) or homestay (民宿) of a village: its capacity, its premises
    (owned or rented) and the association it belongs to."""

    village = models.ForeignKey(
        "registry.Village",
        on_delete=models.PROTECT,
        related_name="tourism_operators",
        verbose_name=_("village"),
    )
    spot = models.ForeignKey(
        Spot,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="operators",
        verbose_name=_("at spot"),
    )
    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("kind"), max_length=20, choices=OperatorKind.choices)
    rooms = models.PositiveIntegerField(_("rooms"), default=0)
    beds = models.PositiveIntegerField(_("beds"), default=0)
    seats = models.PositiveIntegerField(_("dining seats"), default=0)
    staff = models.PositiveIntegerField(_("staff"), default=0)
    premises = models.CharField(_("premises"), max_length=10, choices=Premises.choices)
    association = models.ForeignKey(
        Association,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="members",
        verbose_name=_("association"),
    )
    is_illustrative = models.BooleanField(
        _("illustrative (示例)"), default=False, help_text=ILLUSTRATIVE_HELP
    )

    objects = RestrictedQuerySet.as_manager()
    scope_policy = VILLAGE_POLICY

    class Meta:
        verbose_name = _("operator")
        verbose_name_plural = _("operators")
        ordering = ["village_id", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["village", "name"], name="tourism_operator_unique_name"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Route(ChangeLoggedModel):
    """A tourism route (旅游线路) of a consortium: an ordered list of stops."""

    consortium = models.ForeignKey(
        "alliances.Consortium",
        on_delete=models.PROTECT,
        related_name="routes",
        verbose_name=_("consortium"),
    )
    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    is_public = models.BooleanField(_("on the public showcase"), default=True)
    is_illustrative = models.BooleanField(
        _("illustrative (示例)"), default=False, help_text=ILLUSTRATIVE_HELP
    )

    objects = RestrictedQuerySet.as_manager()
    scope_policy = ADMIN_POLICY

    class Meta:
        verbose_name = _("route")
        verbose_name_plural = _("routes")
        ordering = ["consortium_id", "name"]
        constraints = [
            models.UniqueConstraint(fields=["consortium", "name"], name="tourism_route_unique"),
        ]

    def __str__(self) -> str:
        return self.name


class RouteStop(ChangeLoggedModel):
    """One stop of a route, at its position (1, 2, …)."""

    route = models.ForeignKey(
        Route, on_delete=models.CASCADE, related_name="stops", verbose_name=_("route")
    )
    position = models.PositiveSmallIntegerField(_("position"))
    spot = models.ForeignKey(
        Spot, on_delete=models.PROTECT, related_name="route_stops", verbose_name=_("spot")
    )

    objects = RestrictedQuerySet.as_manager()
    scope_policy = ADMIN_POLICY

    class Meta:
        verbose_name = _("route stop")
        verbose_name_plural = _("route stops")
        ordering = ["route_id", "position"]
        constraints = [
            models.UniqueConstraint(fields=["route", "position"], name="tourism_stop_position"),
        ]

    def __str__(self) -> str:
        return f"{self.route} {self.position}. {self.spot}"


class MonthlyFigure(ChangeLoggedModel):
    """Visitors and revenue of one spot XOR one operator in one month (its first day)."""

    village = models.ForeignKey(
        "registry.Village",
        on_delete=models.PROTECT,
        related_name="tourism_figures",
        verbose_name=_("village"),
        db_index=False,  # the (village, month) index serves it
    )
    spot = models.ForeignKey(
        Spot,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="figures",
        verbose_name=_("spot"),
        db_index=False,  # the unique (spot, month) index serves it
    )
    operator = models.ForeignKey(
        Operator,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="figures",
        verbose_name=_("operator"),
        db_index=False,  # the unique (operator, month) index serves it
    )
    month = models.DateField(_("month"), help_text=_("The first day of the month."))
    visitors = models.PositiveIntegerField(_("visitors"))
    revenue = MoneyField(_("tourism revenue"), default=0)
    method = models.CharField(_("counted by"), max_length=10, choices=CountMethod.choices)
    is_illustrative = models.BooleanField(
        _("illustrative (示例)"), default=False, help_text=ILLUSTRATIVE_HELP
    )
    is_collective_income = models.BooleanField(
        _("part of the village's collective income"),
        default=False,
        help_text=_(
            "The revenue is already counted in the village's collective income (its "
            "statistics): shown beside it, never added to it."
        ),
    )

    objects = RestrictedQuerySet.as_manager()
    scope_policy = VILLAGE_POLICY

    class Meta:
        verbose_name = _("monthly tourism figure")
        verbose_name_plural = _("monthly tourism figures")
        ordering = ["village_id", "month"]
        constraints = [
            models.CheckConstraint(
                condition=Q(spot__isnull=False, operator__isnull=True)
                | Q(spot__isnull=True, operator__isnull=False),
                name="tourism_figure_spot_xor_operator",
            ),
            models.CheckConstraint(condition=Q(revenue__gte=0), name="tourism_figure_revenue"),
            models.UniqueConstraint(
                fields=["spot", "month"],
                condition=Q(spot__isnull=False),
                name="tourism_figure_spot_month",
            ),
            models.UniqueConstraint(
                fields=["operator", "month"],
                condition=Q(operator__isnull=False),
                name="tourism_figure_operator_month",
            ),
        ]
        indexes = [models.Index(fields=["village", "month"], name="tourism_figure_village")]

    def __str__(self) -> str:
        return f"{self.spot or self.operator} {self.month:%Y-%m}"


class CumulativeFigure(ChangeLoggedModel):
    """A published cumulative total of a spot as of a day (明月山塘: 1.82 million visitors and
    120 million yuan "so far"), with its source: shown as 累计, beside — never merged with —
    the sum of the monthly figures."""

    spot = models.ForeignKey(
        Spot, on_delete=models.PROTECT, related_name="cumulative", verbose_name=_("spot")
    )
    as_of = models.DateField(_("as of"))
    since = models.DateField(_("counted since"), null=True, blank=True)
    visitors = models.PositiveBigIntegerField(_("visitors"))
    revenue = MoneyField(_("tourism revenue"), default=0)
    source = models.CharField(_("source"), max_length=300)
    is_illustrative = models.BooleanField(
        _("illustrative (示例)"), default=False, help_text=ILLUSTRATIVE_HELP
    )

    objects = RestrictedQuerySet.as_manager()
    scope_policy = SPOT_CHILD_POLICY

    class Meta:
        verbose_name = _("published cumulative figure")
        verbose_name_plural = _("published cumulative figures")
        ordering = ["spot_id", "-as_of"]
        constraints = [
            models.UniqueConstraint(fields=["spot", "as_of"], name="tourism_cumulative_once"),
            models.CheckConstraint(condition=Q(revenue__gte=0), name="tourism_cumulative_revenue"),
        ]

    def __str__(self) -> str:
        return f"{self.spot} {self.as_of}"
