"""The one entry point for "what may this user do with these rows".

Every model that holds writable domain data declares a `ScopePolicy` (which roles may write,
and the lookup path from the model to the village and/or organisation that owns a row).
`restrict(queryset, user, action)` — also available as `Model.objects.restrict(user, action)`,
modelled on NetBox's RestrictedQuerySet — turns the user's grants into one WHERE clause.
Views, the API and services all call it; nothing else decides scope.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import reduce
from operator import or_
from typing import Protocol

from django.db import models
from django.db.models import Q
from rest_framework import permissions

from core.roles import Role


class Grant(Protocol):
    """What scope reads of a grant (accounts.Grant, or the system actor's): core stands below
    accounts, so it names the shape, not the model."""

    role: str
    region_id: str | None
    village_id: str | None
    organisation_id: int | None


__all__ = [
    "READ_ACTIONS",
    "WRITE_ACTIONS",
    "RestrictedQuerySet",
    "ScopePolicy",
    "ScopedPermission",
    "holds_role",
    "is_unscoped_admin",
    "may_read",
    "may_write",
    "may_write_any",
    "restrict",
    "restrict_reads",
    "scope_q",
]

READ_ACTIONS = frozenset({"view"})
WRITE_ACTIONS = frozenset({"add", "change", "delete"})


@dataclass(frozen=True)
class ScopePolicy:
    """How rows of one model are scoped.

    village_path / organisation_path: ORM lookup from the model to the owning Village /
    Organisation ("" means the model *is* that Village or Organisation; None means rows are
    not owned that way). write_roles: roles that may add, change and delete rows in scope.
    City admins with an unscoped grant may always write; auditors never do.
    """

    write_roles: frozenset[str] = field(default_factory=frozenset)
    village_path: str | None = None
    organisation_path: str | None = None
    # Whether anonymous visitors may read (public showcase data only; never personal data).
    public: bool = False
    # Roles that may read; None means every signed-in user (non-personal registry data).
    view_roles: frozenset[str] | None = None
    # Reads scoped like writes: a reader sees only the rows its grants (in view_roles, the
    # auditor's included) reach. For personal data (households, people).
    scoped_reads: bool = False
    # Further lookups to a village that also own a row (a shared grid's other side): a grant
    # reaching any of them reaches the row.
    also_village_paths: tuple[str, ...] = ()
    # The same, for reads only (the other side of a shared grid reads its households but
    # writes them never).
    also_read_paths: tuple[str, ...] = ()

    def village_paths(self, *, reading: bool = False) -> tuple[str, ...]:
        paths = () if self.village_path is None else (self.village_path,)
        return paths + self.also_village_paths + (self.also_read_paths if reading else ())
    # Further owners whose scope reads a row through `restrict_reads` (files), beside the
    # owner above: (village_path, organisation_path) pairs, e.g. a project's partners.
    reader_paths: tuple[tuple[str | None, str | None], ...] = ()


def _path(prefix: str, lookup: str) -> str:
    return f"{prefix}__{lookup}" if prefix else lookup


def scope_q(grants: list[Grant], policy: ScopePolicy, *, reading: bool = False) -> Q | bool:
    """The WHERE clause covering the rows these grants reach: True (all), False (none) or Q."""
    q = Q()
    reached = False
    for grant in grants:
        if _is_unscoped(grant):
            return True
        if grant.region_id is not None:
            for path in policy.village_paths(reading=reading):
                q |= Q(**{_path(path, "code__startswith"): grant.region_id})
                reached = True
            if policy.organisation_path is not None:
                q |= Q(
                    **{_path(policy.organisation_path, "region__code__startswith"): grant.region_id}
                )
                reached = True
        if grant.village_id is not None:
            for path in policy.village_paths(reading=reading):
                q |= Q(**{_path(path, "pk"): grant.village_id})
                reached = True
        if grant.organisation_id is not None and policy.organisation_path is not None:
            q |= Q(**{_path(policy.organisation_path, "pk"): grant.organisation_id})
            reached = True
    return q if reached else False


def _is_unscoped(grant) -> bool:
    return grant.region_id is None and grant.village_id is None and grant.organisation_id is None


def is_unscoped_admin(user) -> bool:
    """Whether `user` is a city admin over everything (or the system actor)."""
    if user is None or not user.is_authenticated or not user.is_active:
        return False
    return any(g.role == Role.CITY_ADMIN and _is_unscoped(g) for g in user.grant_list)


def _role_grants(user, roles) -> list[Grant]:
    """The grants through which `user` acts in one of `roles` (city admins always, auditors
    never); an unscoped city admin's grant alone when there is one."""
    grants = user.grant_list
    unscoped_admin = [g for g in grants if g.role == Role.CITY_ADMIN and _is_unscoped(g)]
    allowed = set(roles) | {Role.CITY_ADMIN}
    allowed.discard(Role.AUDITOR)
    return unscoped_admin or [g for g in grants if g.role in allowed]


def _write_grants(user, policy: ScopePolicy) -> list[Grant]:
    return _role_grants(user, policy.write_roles)


def _grant_reaches(grant, village, organisation) -> bool:
    """Whether one grant covers this village or organisation (an unsaved target never)."""
    if _is_unscoped(grant):
        return True
    if village is not None:
        if grant.region_id is not None and village.pk and village.pk.startswith(grant.region_id):
            return True
        # An unsaved target's pk is None, and None == None must never grant anything.
        if village.pk is not None and grant.village_id == village.pk:
            return True
    if organisation is not None:
        if organisation.pk is not None and grant.organisation_id == organisation.pk:
            return True
        if (
            grant.region_id is not None
            and organisation.region_id
            and organisation.region_id.startswith(grant.region_id)
        ):
            return True
    return False


def holds_role(user, roles, *, village=None, organisation=None) -> bool:
    """Whether `user` acts in one of `roles` (or as city admin; auditors never) for this
    village or organisation. From the cached grants: no query beyond `user.grant_list`."""
    if user is None or not user.is_authenticated or not user.is_active:
        return False
    return any(_grant_reaches(g, village, organisation) for g in _role_grants(user, roles))


def restrict(queryset: models.QuerySet, user, action: str = "view") -> models.QuerySet:
    """Rows of `queryset` that `user` may perform `action` on."""
    policy: ScopePolicy = queryset.model.scope_policy
    if action in READ_ACTIONS:
        if policy.public:
            return queryset
        if user is None or not user.is_authenticated:
            return queryset.none()
        if policy.scoped_reads:
            return _filtered(queryset, scope_q(_read_grants(user, policy), policy, reading=True))
        if policy.view_roles is None or policy.view_roles & user.roles:
            return queryset
        return queryset.none()
    if action not in WRITE_ACTIONS:
        raise ValueError(f"unknown action {action!r}")
    if user is None or not user.is_authenticated or not user.is_active:
        return queryset.none()
    return _filtered(queryset, scope_q(_write_grants(user, policy), policy))


def _filtered(queryset: models.QuerySet, clause: Q | bool) -> models.QuerySet:
    if clause is True:
        return queryset
    if clause is False:
        return queryset.none()
    return queryset.filter(clause)


def _read_grants(user, policy: ScopePolicy) -> list[Grant]:
    """The grants through which `user` reads scoped rows: an unscoped city admin's alone, or
    every grant in the policy's view roles (auditors included: they read, never write)."""
    grants = user.grant_list
    unscoped_admin = [g for g in grants if g.role == Role.CITY_ADMIN and _is_unscoped(g)]
    if unscoped_admin:
        return unscoped_admin
    roles = policy.view_roles
    return [g for g in grants if roles is None or g.role in roles or g.role == Role.CITY_ADMIN]


def may_write_any(user, model: type[models.Model]) -> bool:
    """Whether `user` may write some rows of `model` (which rows: `restrict`/`may_write`).

    For showing an entry point (a menu item, an import page); no query beyond the grants.
    """
    if user is None or not user.is_authenticated or not user.is_active:
        return False
    return bool(_write_grants(user, model.scope_policy))


def may_write(user, model: type[models.Model], *, village=None, organisation=None) -> bool:
    """Whether `user` may create a `model` row owned by this village / organisation.

    Evaluated in Python from the cached grants, so checking many rows costs no queries.
    """
    if user is None or not user.is_authenticated or not user.is_active:
        return False
    policy: ScopePolicy = model.scope_policy
    village = village if policy.village_path is not None else None
    organisation = organisation if policy.organisation_path is not None else None
    return any(_grant_reaches(g, village, organisation) for g in _write_grants(user, policy))


# --- Per-object reads: files and statements ----------------------------------------------------
#
# Lists and pages of non-personal data are read by every signed-in user (`restrict(..., "view")`
# and `view_roles`). A file (a project's attachment, a duty's evidence) or a holder's statement
# is read only by a user one of whose grants reaches the row's owner, by the same rule as
# writes (a region covers what lies in it, a village or organisation grant itself), but
# whatever the grant's role:
#
#   city admin     unscoped: everything; scoped: its region / village / organisation
#   village clerk  its own village(s)
#   finance, approver  its organisation (a venture's company reads every holder's statement)
#   auditor        per its grant (unscoped: everything, as ARCHITECTURE.md says; else its scope)
#   partner        per its grant: its own villages / organisations and what they partner in
#                  (a project's partners, a venture's holders: their own statement)
#   anonymous      nothing
#
# Out of scope answers 404 (as `restrict`): the row's existence is not confirmed.


def _active(user) -> bool:
    return user is not None and user.is_authenticated and user.is_active


def restrict_reads(queryset: models.QuerySet, user) -> models.QuerySet:
    """Rows of `queryset` whose owner (the policy's paths, or one of its `reader_paths`) one
    of `user`'s grants reaches, whatever its role (see the table above)."""
    if not _active(user):
        return queryset.none()
    policy: ScopePolicy = queryset.model.scope_policy
    clauses = []
    for village_path, organisation_path in (
        (policy.village_path, policy.organisation_path),
        *policy.reader_paths,
    ):
        clause = scope_q(
            user.grant_list,
            ScopePolicy(village_path=village_path, organisation_path=organisation_path),
        )
        if clause is True:
            return queryset
        if clause is not False:
            clauses.append(clause)
    if not clauses:
        return queryset.none()
    clause = reduce(or_, clauses)
    if not policy.reader_paths:
        return queryset.filter(clause)
    # Reader paths run through to-many relations: a subquery keeps each row once.
    return queryset.filter(pk__in=queryset.model._base_manager.filter(clause).values("pk"))


def may_read(user, *, villages=(), organisations=()) -> bool:
    """Whether one of `user`'s grants, whatever its role, reaches one of these villages or
    organisations (None entries are skipped). From the cached grants: no query."""
    if not _active(user):
        return False
    villages = [v for v in villages if v is not None]
    organisations = [o for o in organisations if o is not None]
    for grant in user.grant_list:
        if _is_unscoped(grant):
            return True
        if any(_grant_reaches(grant, v, None) for v in villages):
            return True
        if any(_grant_reaches(grant, None, o) for o in organisations):
            return True
    return False


class RestrictedQuerySet(models.QuerySet):
    def restrict(self, user, action: str = "view") -> models.QuerySet:
        return restrict(self, user, action)

    def restrict_reads(self, user) -> models.QuerySet:
        return restrict_reads(self, user)


class ScopedPermission(permissions.BasePermission):
    """DRF: reads need a login (or a public model); writes need a write grant for the model.

    Which *rows* may be written is decided by the viewset's queryset (`restrict`) and, for
    creation, by `may_write` in the viewset; a row out of scope answers 404, as NetBox does.
    """

    def has_permission(self, request, view) -> bool:
        model = view.get_queryset().model
        policy: ScopePolicy = model.scope_policy
        if request.method in permissions.SAFE_METHODS:
            if policy.public:
                return True
            if not (request.user and request.user.is_authenticated):
                return False
            return policy.view_roles is None or bool(policy.view_roles & request.user.roles)
        if not (request.user and request.user.is_authenticated):
            return False
        return bool(_write_grants(request.user, policy))
