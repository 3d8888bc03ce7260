import datetime as dt

import pytest
from django.test import override_settings

from core.actors import SYSTEM
from core.errors import Conflict, Invalid
from grids import selectors, services

pytestmark = pytest.mark.django_db


def test_links_visits_and_the_gaps(shared, st_clerk):
    link = services.link_household(
        actor=st_clerk,
        member=shared["head"],
        household=shared["outside"],
        linked_on=dt.date(2022, 1, 1),
    )
    services.record_visit(
        actor=st_clerk, link=link, visited_on=dt.date(2022, 2, 1), kind="hardship", note="慰问"
    )
    with pytest.raises(Invalid):
        services.record_visit(
            actor=st_clerk, link=link, visited_on=dt.date(2021, 2, 1), kind="routine"
        )
    with pytest.raises(Conflict):
        services.link_household(
            actor=st_clerk,
            member=shared["head"],
            household=shared["outside"],
            linked_on=dt.date(2022, 1, 1),
        )
    report = selectors.link_report(shared["in_grid"].village)
    assert [h.number for h in report["unlinked"]] == ["001"]
    assert [m.linked for m in report["members"]] == [1]
    assert report["under"] == report["members"]  # 1 < 5


@override_settings(PARTY_LINK_MAX=1)
def test_a_member_over_the_limit_is_refused(shared, st_clerk):
    services.link_household(
        actor=st_clerk,
        member=shared["head"],
        household=shared["outside"],
        linked_on=dt.date(2022, 1, 1),
    )
    with pytest.raises(Conflict):
        services.link_household(
            actor=st_clerk,
            member=shared["head"],
            household=shared["in_grid"],
            linked_on=dt.date(2022, 1, 1),
        )


def test_only_a_party_member_links(shared, st_clerk):
    other = shared["outside"].members.get()
    with pytest.raises(Invalid):
        services.link_household(
            actor=st_clerk, member=other, household=shared["in_grid"], linked_on=dt.date(2022, 1, 1)
        )


def test_a_move_is_kept_as_history(shared, st_clerk):
    child = services.add_person(
        actor=st_clerk,
        household=shared["in_grid"],
        name="张小",
        gender="F",
        birth_year=2000,
        relation="child",
    )
    move = services.move_person(
        actor=st_clerk,
        person=child,
        to_household=shared["outside"],
        moved_on=dt.date(2023, 1, 1),
        reason="婚嫁",
    )
    child.refresh_from_db()
    assert child.household == shared["outside"]
    assert (move.from_household, move.to_household) == (shared["in_grid"], shared["outside"])
    with pytest.raises(Conflict):
        services.move_person(
            actor=SYSTEM,
            person=shared["head"],
            to_household=shared["outside"],
            moved_on=dt.date(2023, 1, 1),
        )
