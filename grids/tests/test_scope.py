"""The permission matrix: who reads and who writes what in a shared grid. Every refused
write changes nothing."""

import datetime as dt

import pytest

from core.errors import NotAllowed
from grids import selectors, services
from grids.models import (
    Grid,
    Household,
    Matter,
    MicroGrid,
    PartyLink,
    Person,
    ScreeningEntry,
)

pytestmark = pytest.mark.django_db


def counts():
    return [
        m.objects.count()
        for m in (Household, Person, Grid, MicroGrid, Matter, PartyLink, ScreeningEntry)
    ]


def test_the_other_side_reads_the_shared_grid_and_its_households_only(shared, js_partner):
    assert list(Grid.objects.restrict(js_partner)) == [shared["grid"]]
    assert list(Household.objects.restrict(js_partner)) == [shared["in_grid"]]
    assert list(Person.objects.restrict(js_partner)) == [shared["head"]]


def test_a_clerk_of_another_village_reads_nothing(shared, other_clerk):
    for model in (Grid, Household, Person, Matter):
        assert not model.objects.restrict(other_clerk).exists()


def test_the_home_clerk_reads_every_household_of_the_village(shared, st_clerk):
    assert Household.objects.restrict(st_clerk).count() == 2


def test_an_auditor_reads_masked_and_writes_nothing(shared, auditor):
    assert Household.objects.restrict(auditor).count() == 2
    assert Household.objects.restrict(auditor, "change").count() == 0
    page = selectors.grid_page(shared["grid"], auditor)
    households = [h for m in page["micro_grids"] for h in m.households.all()]
    assert [(h.head_name, h.head_phone_masked) for h in households] == [("张三", "138****5678")]
    assert not any(hasattr(h, "head_phone_sealed") for h in households)


def test_anonymous_reads_nothing(shared):
    from django.contrib.auth.models import AnonymousUser

    assert not Household.objects.restrict(AnonymousUser()).exists()


WRITES = {
    "create_household": lambda s: services.create_household(
        actor=s["actor"], village=s["in_grid"].village, number="777"
    ),
    "add_person": lambda s: services.add_person(
        actor=s["actor"],
        household=s["in_grid"],
        name="赵六",
        gender="M",
        birth_year=1990,
        relation="child",
    ),
    "create_grid": lambda s: services.create_grid(
        actor=s["actor"], village=s["in_grid"].village, name="新网格"
    ),
    "add_micro_grid": lambda s: services.add_micro_grid(
        actor=s["actor"], grid=s["grid"], name="新微网格"
    ),
    "assign_household": lambda s: services.assign_household(
        actor=s["actor"], household=s["outside"], micro_grid=s["zj"]
    ),
    "link_household": lambda s: services.link_household(
        actor=s["actor"], member=s["head"], household=s["outside"], linked_on=dt.date(2022, 1, 1)
    ),
    "report_matter": lambda s: services.report_matter(
        actor=s["actor"], grid=s["grid"], category="safety", place="河边", description="护栏坏了"
    ),
    "create_screening": lambda s: services.create_screening(
        actor=s["actor"],
        grid=s["grid"],
        name="排查",
        held_on=dt.date(2022, 3, 1),
        roster=[{"name": "王五", "micro_grid": "第二微网格"}],
    ),
}


@pytest.mark.parametrize("who", [None, "other_clerk", "auditor"])
@pytest.mark.parametrize("write", sorted(WRITES))
def test_every_write_is_refused_outside_its_scope(shared, who, write, request):
    actor = request.getfixturevalue(who) if who else None
    before = counts()
    with pytest.raises(NotAllowed):
        WRITES[write]({**shared, "actor": actor})
    assert counts() == before


@pytest.mark.parametrize(
    "write", ["create_household", "add_person", "create_grid", "assign_household", "link_household"]
)
def test_the_other_side_never_writes_households(shared, js_partner, write):
    before = counts()
    with pytest.raises(NotAllowed):
        WRITES[write]({**shared, "actor": js_partner})
    assert counts() == before


@pytest.mark.parametrize("write", ["report_matter", "create_screening"])
def test_both_sides_work_the_shared_grid(shared, js_partner, st_member, write):
    for actor in (js_partner, st_member):
        WRITES[write]({**shared, "actor": actor})


def test_a_partner_outside_the_shared_grid_is_refused(shared, fengshan):
    from core.roles import Role
    from tests.support import make_user

    stranger = make_user("stranger", Role.PARTNER, village=fengshan)
    before = counts()
    with pytest.raises(NotAllowed):
        WRITES["report_matter"]({**shared, "actor": stranger})
    assert counts() == before
    assert not Household.objects.restrict(stranger).exists()
