"""Who acts: every service takes an explicit actor and refuses a missing one.

A web request's actor is its signed-in user. Commands, the demo, migrations and scheduled
jobs act as `SYSTEM`: the only unscoped actor that is not a person. It reaches everything a
city administrator reaches, writes no user into foreign keys (`as_user` gives None), and the
change log names it ("system") on every change set it writes.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from core.errors import NotAllowed
from core.roles import Role

__all__ = ["SYSTEM", "SystemActor", "as_user", "is_system", "require_actor"]


@dataclass(frozen=True)
class _UnscopedGrant:
    """A grant-shaped value: a role with no region, village or organisation (everything)."""

    role: str
    region_id: None = None
    village_id: None = None
    organisation_id: None = None


class SystemActor:
    """The system actor. It quacks like a signed-in user to the scope functions, so no scope
    rule needs a special case for it."""

    pk = None
    id = None
    username = "system"
    display_name = "system"
    is_authenticated = True
    is_anonymous = False
    is_active = True
    is_staff = False
    is_superuser = False
    grant_list = (_UnscopedGrant(Role.CITY_ADMIN),)
    roles = frozenset({Role.CITY_ADMIN})

    def get_username(self) -> str:
        return self.username

    def __str__(self) -> str:
        return str(_("system"))

    def __repr__(self) -> str:
        return "SYSTEM"


SYSTEM = SystemActor()


def is_system(actor) -> bool:
    return isinstance(actor, SystemActor)


def require_actor(actor):
    """`actor`, if it is one; else refuse. A service calls this before reading anything."""
    if actor is None or not getattr(actor, "is_authenticated", False):
        raise NotAllowed(_("No one is acting: sign in, or run it as the system."))
    if not getattr(actor, "is_active", False):
        raise NotAllowed(_("This account is disabled."))
    return actor


def as_user(actor):
    """The user to store in a foreign key (prepared_by, computed_by, …): None for SYSTEM."""
    return None if actor is None or is_system(actor) else actor
