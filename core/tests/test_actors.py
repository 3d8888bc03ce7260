"""The explicit actor: a missing one is refused; the system actor is the only unscoped actor
that is not a person, reaches what an unscoped city admin reaches, and is named in the log."""

import pytest
from django.contrib.auth.models import AnonymousUser

from audit.context import change_context
from audit.models import ChangeSet
from core.actors import SYSTEM, as_user, require_actor
from core.errors import NotAllowed
from core.roles import Role
from core.scope import holds_role, is_unscoped_admin, may_write, restrict
from registry.models import Village, VillageStat
from tests.support import make_user


@pytest.mark.parametrize("actor", [None, AnonymousUser()])
def test_a_missing_actor_is_refused(actor):
    with pytest.raises(NotAllowed):
        require_actor(actor)


@pytest.mark.django_db
def test_a_disabled_account_is_refused():
    user = make_user("gone", Role.CITY_ADMIN)
    user.is_active = False
    with pytest.raises(NotAllowed):
        require_actor(user)


def test_the_system_actor_acts_and_stores_no_user():
    assert require_actor(SYSTEM) is SYSTEM
    assert as_user(SYSTEM) is None
    assert is_unscoped_admin(SYSTEM)


def test_system_reaches_everything(xujiadai, fengshan):
    assert may_write(SYSTEM, VillageStat, village=fengshan)
    assert holds_role(SYSTEM, {Role.FINANCE}, village=xujiadai)
    assert set(restrict(Village.objects.all(), SYSTEM, "change")) == {*Village.objects.all()}


def test_holds_role_follows_the_grants(xujiadai, fengshan, clerk, auditor):
    assert holds_role(clerk, {Role.VILLAGE_CLERK}, village=xujiadai)
    assert not holds_role(clerk, {Role.VILLAGE_CLERK}, village=fengshan)
    assert not holds_role(clerk, {Role.FINANCE}, village=xujiadai)
    # Auditors read; they never act, whatever role set is asked for.
    assert not holds_role(auditor, {Role.AUDITOR}, village=xujiadai)


def test_the_change_log_names_the_system(xujiadai):
    with change_context(user=SYSTEM, source="cli", path="test"):
        VillageStat.objects.create(village=xujiadai, year=2022, total_income=1)
    changeset = ChangeSet.objects.get(path="test")
    assert changeset.user_id is None
    assert changeset.user_name == "system"
    assert changeset.source == "cli"
