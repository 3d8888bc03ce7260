"""Households, people, grids (网格 / 微网格), 党员联户, grid matters and joint screening.

Personal data by design (个人信息保护法): a person's ID number and phone are stored only
sealed (`core.pii.seal`, AES-GCM), beside a keyed blind index (found, and duplicates across
villages caught, without decrypting) and a mask made at write time (`330482********1234`,
`138****5678`) that every screen shows. The clear value is read only by
`grids.services.reveal`, one record at a time, with a reason that is logged
(`PersonalDataReveal`). Nothing here is public; every model reads scoped
(`ScopePolicy.scoped_reads`), and the change log receives masks, never ciphertext or clear
values (`to_change_dict`).

A grid belongs to its home village and may span a village of another jurisdiction
(浙江 山塘村 ↔ 上海 山塘村): that side's users read the grid, its micro-grids and the
households in them, and act on its matters and screening, but never write the households.
"""

from __future__ import annotations

import secrets

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.models import AppendOnlyModel, AppendOnlyQuerySet, ChangeLoggedModel
from core.roles import Role
from core.scope import RestrictedQuerySet, ScopePolicy
from grids.choices import (
    EvaluationKind,
    Gender,
    HouseholdFlagKind,
    MatterCategory,
    MatterLevel,
    MatterStatus,
    Relation,
    RevealField,
    Satisfaction,
    ScreeningStatus,
    StepKind,
    Verdict,
    VisitKind,
    WorkerRole,
)
from lib.idcard import mask_name

__all__ = [
    "Evaluation",
    "Grid",
    "GridWorker",
    "Household",
    "HouseholdFlag",
    "Matter",
    "MatterStep",
    "MicroGrid",
    "PartyLink",
    "Person",
    "PersonMove",
    "PersonalDataReveal",
    "RecordImmutable",
    "ScreeningEntry",
    "ScreeningTask",
    "Visit",
]

READERS = frozenset(
    {Role.VILLAGE_CLERK, Role.GRID_MEMBER, Role.PARTNER, Role.AUDITOR, Role.CITY_ADMIN}
)
# Households and people: written by the village's clerk; read in the village and, for
# households in a shared grid, by the other side.
HOUSEHOLD_POLICY = ScopePolicy(
    write_roles=frozenset({Role.VILLAGE_CLERK}),
    village_path="village",
    also_read_paths=("micro_grid__grid__partner_village",),
    scoped_reads=True,
    view_roles=READERS,
)
PERSON_POLICY = ScopePolicy(
    write_roles=frozenset({Role.VILLAGE_CLERK}),
    village_path="household__village",
    also_read_paths=("household__micro_grid__grid__partner_village",),
    scoped_reads=True,
    view_roles=READERS,
)
GRID_POLICY = ScopePolicy(
    write_roles=frozenset({Role.VILLAGE_CLERK}),
    village_path="village",
    also_read_paths=("partner_village",),
    scoped_reads=True,
    view_roles=READERS,
)
MICRO_GRID_POLICY = ScopePolicy(
    write_roles=frozenset({Role.VILLAGE_CLERK}),
    village_path="grid__village",
    also_read_paths=("grid__partner_village",),
    scoped_reads=True,
    view_roles=READERS,
)
# Matters and screening are worked by both sides of a shared grid.
ACTORS = frozenset({Role.VILLAGE_CLERK, Role.GRID_MEMBER, Role.PARTNER})
MATTER_POLICY = ScopePolicy(
    write_roles=ACTORS,
    village_path="grid__village",
    also_village_paths=("grid__partner_village",),
    scoped_reads=True,
    view_roles=READERS,
)
SCREENING_POLICY = ScopePolicy(
    write_roles=ACTORS,
    village_path="task__grid__village",
    also_village_paths=("task__grid__partner_village",),
    scoped_reads=True,
    view_roles=READERS,
)
TASK_POLICY = ScopePolicy(
    write_roles=ACTORS,
    village_path="grid__village",
    also_village_paths=("grid__partner_village",),
    scoped_reads=True,
    view_roles=READERS,
)
LINK_POLICY = ScopePolicy(
    write_roles=frozenset({Role.VILLAGE_CLERK}),
    village_path="household__village",
    scoped_reads=True,
    view_roles=READERS,
)
VISIT_POLICY = ScopePolicy(
    write_roles=frozenset({Role.VILLAGE_CLERK}),
    village_path="link__household__village",
    scoped_reads=True,
    view_roles=READERS,
)
# Who may see a clear ID number or phone: the village's clerk (and the city), never the
# other side of a shared grid, an auditor or a grid member.
REVEAL_ROLES = frozenset({Role.VILLAGE_CLERK})
# The reveal log is for auditors (and the city): who saw whose data, when and why.
REVEAL_POLICY = ScopePolicy(
    village_path="village",
    scoped_reads=True,
    view_roles=frozenset({Role.AUDITOR, Role.CITY_ADMIN}),
)


class RecordImmutable(Exception):
    """An append-only record (a move, a step of a matter, a reveal) was to be changed."""


def new_token() -> str:
    """An unguessable key for a file link (a matter's photo)."""
    return secrets.token_urlsafe(24)


class SealedPersonalData(models.Model):
    """The ID number and phone of one person (or roster line): sealed, indexed, masked."""

    id_sealed = models.TextField(_("ID number (sealed)"), blank=True, default="", editable=False)
    id_hash = models.CharField(
        _("ID number index"), max_length=64, blank=True, default="", editable=False, db_index=True
    )
    id_masked = models.CharField(_("ID number"), max_length=18, blank=True, default="")
    phone_sealed = models.TextField(_("phone (sealed)"), blank=True, default="", editable=False)
    phone_hash = models.CharField(
        _("phone index"), max_length=64, blank=True, default="", editable=False, db_index=True
    )
    phone_masked = models.CharField(_("phone"), max_length=12, blank=True, default="")

    SEALED = ("id_sealed", "id_hash", "phone_sealed", "phone_hash")

    class Meta:
        abstract = True

    def to_change_dict(self) -> dict:
        # The change log keeps masks: never a sealed value or an index.
        data = super().to_change_dict()
        for name in self.SEALED:
            data.pop(name, None)
        if "name" in data:
            data["name"] = mask_name(data["name"])
        return data


class Household(ChangeLoggedModel):
    """户: a household of a village, numbered within it, in at most one micro-grid."""

    village = models.ForeignKey(
        "registry.Village",
        on_delete=models.PROTECT,
        related_name="households",
        verbose_name=_("village"),
    )
    number = models.CharField(_("household number"), max_length=20)
    group_name = models.CharField(_("villager group"), max_length=50, blank=True, default="")
    micro_grid = models.ForeignKey(
        "grids.MicroGrid",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="households",
        verbose_name=_("micro-grid"),
    )
    is_illustrative = models.BooleanField(_("illustrative"), default=False)

    objects = RestrictedQuerySet.as_manager()
    scope_policy = HOUSEHOLD_POLICY

    class Meta:
        verbose_name = _("household")
        verbose_name_plural = _("households")
        ordering = ["village_id", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["village", "number"], name="grids_household_number_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.village_id}-{self.number}"


class Person(SealedPersonalData, ChangeLoggedModel):
    """A member of a household (the head among them). A person moves by a `PersonMove`."""

    household = models.ForeignKey(
        Household, on_delete=models.PROTECT, related_name="members", verbose_name=_("household")
    )
    name = models.CharField(_("name"), max_length=50)
    gender = models.CharField(_("gender"), max_length=1, choices=Gender.choices)
    birth_year = models.PositiveSmallIntegerField(_("birth year"))
    relation = models.CharField(_("relation to the head"), max_length=12, choices=Relation.choices)
    is_party_member = models.BooleanField(_("party member"), default=False)
    is_shareholder = models.BooleanField(_("collective-economy member (股东)"), default=False)
    shares = models.PositiveIntegerField(_("shares"), default=0)

    objects = RestrictedQuerySet.as_manager()
    scope_policy = PERSON_POLICY

    class Meta:
        verbose_name = _("person")
        verbose_name_plural = _("people")
        ordering = ["household_id", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["household"],
                condition=Q(relation="head"),
                name="grids_one_head_per_household",
            ),
            models.UniqueConstraint(
                fields=["id_hash"], condition=~Q(id_hash=""), name="grids_person_id_unique"
            ),
            models.CheckConstraint(
                condition=Q(shares=0) | Q(is_shareholder=True),
                name="grids_shares_need_a_shareholder",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class PersonMove(AppendOnlyModel):
    """A person's move from one household to another: the history, never edited."""

    immutable_error = RecordImmutable
    edit_refused = "a move is history: record a new move instead"
    delete_refused = "a move is history and cannot be deleted"

    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="moves")
    from_household = models.ForeignKey(
        Household, on_delete=models.PROTECT, related_name="moves_out"
    )
    to_household = models.ForeignKey(Household, on_delete=models.PROTECT, related_name="moves_in")
    moved_on = models.DateField(_("moved on"))
    reason = models.CharField(_("reason"), max_length=200, blank=True, default="")
    recorded_at = models.DateTimeField(default=timezone.now)

    objects = AppendOnlyQuerySet.as_manager()
    scope_policy = ScopePolicy(
        write_roles=frozenset({Role.VILLAGE_CLERK}),
        village_path="to_household__village",
        also_village_paths=("from_household__village",),
        scoped_reads=True,
        view_roles=READERS,
    )

    class Meta:
        ordering = ["person_id", "moved_on", "pk"]


class HouseholdFlag(ChangeLoggedModel):
    """低收入农户 / 五保 / 低保 in a year (with the per-capita income where it was assessed)."""

    household = models.ForeignKey(Household, on_delete=models.CASCADE, related_name="flags")
    year = models.PositiveSmallIntegerField(_("year"))
    kind = models.CharField(_("kind"), max_length=12, choices=HouseholdFlagKind.choices)
    per_capita_income_fen = models.BigIntegerField(
        _("per-capita income (fen)"), null=True, blank=True
    )

    objects = RestrictedQuerySet.as_manager()
    scope_policy = LINK_POLICY

    class Meta:
        ordering = ["household_id", "year", "kind"]
        constraints = [
            models.UniqueConstraint(fields=["household", "year", "kind"], name="grids_flag_unique")
        ]


class Grid(ChangeLoggedModel):
    """网格: of a village, and across a border when it names a partner village."""

    village = models.ForeignKey(
        "registry.Village",
        on_delete=models.PROTECT,
        related_name="grids",
        verbose_name=_("village"),
    )
    partner_village = models.ForeignKey(
        "registry.Village",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="shared_grids",
        verbose_name=_("village on the other side"),
    )
    name = models.CharField(_("name"), max_length=100)

    objects = RestrictedQuerySet.as_manager()
    scope_policy = GRID_POLICY

    class Meta:
        verbose_name = _("grid")
        verbose_name_plural = _("grids")
        ordering = ["village_id", "name"]
        constraints = [
            models.UniqueConstraint(fields=["village", "name"], name="grids_grid_name_unique"),
            models.CheckConstraint(
                condition=~Q(partner_village=models.F("village")),
                name="grids_partner_is_another_village",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_shared(self) -> bool:
        return self.partner_village_id is not None

    @property
    def side_ids(self) -> tuple[str, ...]:
        return tuple(v for v in (self.village_id, self.partner_village_id) if v)


class MicroGrid(ChangeLoggedModel):
    """微网格 within a grid."""

    grid = models.ForeignKey(Grid, on_delete=models.CASCADE, related_name="micro_grids")
    name = models.CharField(_("name"), max_length=100)
    # The side of a shared grid this micro-grid lies on (its own village's people work it).
    side = models.ForeignKey(
        "registry.Village", on_delete=models.PROTECT, related_name="+", verbose_name=_("side")
    )

    objects = RestrictedQuerySet.as_manager()
    scope_policy = MICRO_GRID_POLICY

    class Meta:
        verbose_name = _("micro-grid")
        verbose_name_plural = _("micro-grids")
        ordering = ["grid_id", "name"]
        constraints = [
            models.UniqueConstraint(fields=["grid", "name"], name="grids_micro_name_unique")
        ]

    def __str__(self) -> str:
        return self.name


class GridWorker(ChangeLoggedModel):
    """A grid leader of one side (双网格长) or a grid member of a micro-grid (网格员)."""

    grid = models.ForeignKey(Grid, on_delete=models.CASCADE, related_name="workers")
    micro_grid = models.ForeignKey(
        MicroGrid, on_delete=models.CASCADE, null=True, blank=True, related_name="workers"
    )
    side = models.ForeignKey(
        "registry.Village", on_delete=models.PROTECT, related_name="+", verbose_name=_("side")
    )
    role = models.CharField(_("role"), max_length=10, choices=WorkerRole.choices)
    name = models.CharField(_("name"), max_length=50)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="grid_posts",
    )

    objects = RestrictedQuerySet.as_manager()
    scope_policy = MICRO_GRID_POLICY

    class Meta:
        verbose_name = _("grid worker")
        ordering = ["grid_id", "role", "side_id", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["grid", "side"],
                condition=Q(role="leader"),
                name="grids_one_leader_per_side",
            ),
            models.CheckConstraint(
                condition=Q(role="leader", micro_grid__isnull=True)
                | Q(role="member", micro_grid__isnull=False),
                name="grids_members_sit_on_micro_grids",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class PartyLink(ChangeLoggedModel):
    """党员联户: a party member linked to a household (one member per household at a time)."""

    member = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="links")
    household = models.ForeignKey(Household, on_delete=models.CASCADE, related_name="links")
    linked_on = models.DateField(_("linked on"))
    ended_on = models.DateField(_("ended on"), null=True, blank=True)

    objects = RestrictedQuerySet.as_manager()
    scope_policy = LINK_POLICY

    class Meta:
        ordering = ["member_id", "household_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["household"],
                condition=Q(ended_on__isnull=True),
                name="grids_one_member_per_household",
            )
        ]


class Visit(ChangeLoggedModel):
    link = models.ForeignKey(PartyLink, on_delete=models.CASCADE, related_name="visits")
    visited_on = models.DateField(_("visited on"))
    kind = models.CharField(_("kind"), max_length=12, choices=VisitKind.choices)
    note = models.CharField(_("note"), max_length=300, blank=True, default="")

    objects = RestrictedQuerySet.as_manager()
    scope_policy = VISIT_POLICY

    class Meta:
        ordering = ["link_id", "-visited_on", "pk"]


class Evaluation(ChangeLoggedModel):
    """四必评: the linked member's word on a household (honours, hardship aid, …)."""

    link = models.ForeignKey(PartyLink, on_delete=models.CASCADE, related_name="evaluations")
    year = models.PositiveSmallIntegerField(_("year"))
    kind = models.CharField(_("kind"), max_length=12, choices=EvaluationKind.choices)
    verdict = models.CharField(_("verdict"), max_length=8, choices=Verdict.choices)
    note = models.CharField(_("note"), max_length=300, blank=True, default="")

    objects = RestrictedQuerySet.as_manager()
    scope_policy = VISIT_POLICY

    class Meta:
        ordering = ["link_id", "-year", "kind"]
        constraints = [
            models.UniqueConstraint(
                fields=["link", "year", "kind"], name="grids_one_evaluation_per_kind"
            )
        ]


class Matter(ChangeLoggedModel):
    """网格事件: reported in a grid, worked through 受理 → 流转 → 处置 → 反馈 → 评价."""

    grid = models.ForeignKey(Grid, on_delete=models.PROTECT, related_name="matters")
    micro_grid = models.ForeignKey(
        MicroGrid, on_delete=models.SET_NULL, null=True, blank=True, related_name="matters"
    )
    category = models.CharField(_("category"), max_length=16, choices=MatterCategory.choices)
    place = models.CharField(_("place"), max_length=200)
    description = models.TextField(_("description"))
    household = models.ForeignKey(
        Household, on_delete=models.SET_NULL, null=True, blank=True, related_name="matters"
    )
    photo = models.FileField(_("photo"), upload_to="grids/matters/%Y/", blank=True)
    photo_token = models.CharField(max_length=40, default=new_token, unique=True, editable=False)
    # None: reported by the system (an import, the demo).
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    reported_at = models.DateTimeField(_("reported at"), default=timezone.now)
    status = models.CharField(
        _("status"), max_length=12, choices=MatterStatus.choices, default=MatterStatus.ACCEPTED
    )
    level = models.CharField(
        _("handled at"), max_length=12, choices=MatterLevel.choices, default=MatterLevel.GRID
    )
    due_at = models.DateTimeField(_("deadline"))
    handled_at = models.DateTimeField(_("handled at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)

    objects = RestrictedQuerySet.as_manager()
    scope_policy = MATTER_POLICY

    class Meta:
        verbose_name = _("grid matter")
        verbose_name_plural = _("grid matters")
        ordering = ["-reported_at", "pk"]
        indexes = [models.Index(fields=["grid", "status"], name="grids_matter_grid_status")]

    def __str__(self) -> str:
        return f"{self.get_category_display()} · {self.place}"

    @property
    def is_closed(self) -> bool:
        return self.status == MatterStatus.EVALUATED

    @property
    def is_overdue(self) -> bool:
        done = self.handled_at or timezone.now()
        return done > self.due_at


class MatterStep(AppendOnlyModel):
    """One step of a matter, with who and when: the loop's history, never edited."""

    immutable_error = RecordImmutable
    edit_refused = "a matter's step is history and cannot be edited"
    delete_refused = "a matter's step is history and cannot be deleted"

    matter = models.ForeignKey(Matter, on_delete=models.CASCADE, related_name="steps")
    kind = models.CharField(_("step"), max_length=10, choices=StepKind.choices)
    level = models.CharField(_("handled at"), max_length=12, choices=MatterLevel.choices)
    by = models.ForeignKey(  # None: the system
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    at = models.DateTimeField(default=timezone.now)
    note = models.CharField(_("note"), max_length=500, blank=True, default="")
    satisfaction = models.CharField(
        _("satisfaction"), max_length=12, choices=Satisfaction.choices, blank=True, default=""
    )

    objects = AppendOnlyQuerySet.as_manager()
    scope_policy = ScopePolicy(
        write_roles=ACTORS,
        village_path="matter__grid__village",
        also_village_paths=("matter__grid__partner_village",),
        scoped_reads=True,
        view_roles=READERS,
    )

    class Meta:
        ordering = ["matter_id", "at", "pk"]


class ScreeningTask(ChangeLoggedModel):
    """联防联控: a roster split across the micro-grids of both sides of a shared grid."""

    grid = models.ForeignKey(Grid, on_delete=models.PROTECT, related_name="screenings")
    name = models.CharField(_("name"), max_length=200)
    held_on = models.DateField(_("date"))
    status = models.CharField(
        _("status"), max_length=8, choices=ScreeningStatus.choices, default=ScreeningStatus.OPEN
    )
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)

    objects = RestrictedQuerySet.as_manager()
    scope_policy = TASK_POLICY

    class Meta:
        verbose_name = _("screening task")
        ordering = ["-held_on", "pk"]

    def __str__(self) -> str:
        return self.name


class ScreeningEntry(SealedPersonalData, ChangeLoggedModel):
    """One person of a screening roster: name, ID and phone sealed; checked off once."""

    SEALED = (*SealedPersonalData.SEALED, "name_sealed")

    task = models.ForeignKey(ScreeningTask, on_delete=models.CASCADE, related_name="entries")
    micro_grid = models.ForeignKey(MicroGrid, on_delete=models.PROTECT, related_name="+")
    line = models.PositiveIntegerField(_("line"))
    name_sealed = models.TextField(editable=False)
    name_masked = models.CharField(_("name"), max_length=50)
    checked_at = models.DateTimeField(_("checked at"), null=True, blank=True)
    checked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    note = models.CharField(_("note"), max_length=200, blank=True, default="")

    objects = RestrictedQuerySet.as_manager()
    scope_policy = SCREENING_POLICY

    class Meta:
        ordering = ["task_id", "line"]
        constraints = [
            models.UniqueConstraint(fields=["task", "line"], name="grids_roster_line_unique")
        ]

    def __str__(self) -> str:
        return f"{self.task_id}-{self.line}"


class PersonalDataReveal(AppendOnlyModel):
    """Who saw whose ID number or phone in full, when and why: for the auditor."""

    immutable_error = RecordImmutable
    edit_refused = "the reveal log cannot be edited"
    delete_refused = "the reveal log cannot be deleted"

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    village = models.ForeignKey("registry.Village", on_delete=models.PROTECT, related_name="+")
    person = models.ForeignKey(
        Person, on_delete=models.PROTECT, null=True, blank=True, related_name="reveals"
    )
    entry = models.ForeignKey(
        ScreeningEntry, on_delete=models.PROTECT, null=True, blank=True, related_name="reveals"
    )
    field = models.CharField(_("field"), max_length=10, choices=RevealField.choices)
    reason = models.CharField(_("reason"), max_length=300)
    at = models.DateTimeField(default=timezone.now)

    objects = AppendOnlyQuerySet.as_manager()
    scope_policy = REVEAL_POLICY

    class Meta:
        ordering = ["-at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(person__isnull=False, entry__isnull=True)
                | Q(person__isnull=True, entry__isnull=False),
                name="grids_reveal_names_one_record",
            )
        ]
