"""Membership rules: one group, one member, ordered dates, no overlaps; join and leave."""

import pytest
from django.db import IntegrityError, transaction

from alliances import services
from alliances.choices import MembershipRole
from alliances.models import Membership
from alliances.tests.conftest import D
from core.actors import SYSTEM
from registry.choices import OrganisationKind
from registry.models import Organisation


@pytest.fixture
def company(tree):
    return Organisation.objects.create(
        name="平湖市强村公司", kind=OrganisationKind.VILLAGE_COMPANY, region_id="330482"
    )


@pytest.mark.parametrize(
    ("case", "fields"),
    [
        ("no_group", {"alliance": None, "consortium": None}),
        ("two_groups", {}),
        ("no_member", {"village": None, "organisation": None}),
        ("two_members", {"organisation": "company"}),
        ("left_before_joined", {"left_on": D("2021-12-31")}),
    ],
)
def test_the_database_refuses_a_malformed_membership(
    case, fields, alliance, consortium, xujiadai, company
):
    values = {
        "alliance": alliance,
        "consortium": consortium if case == "two_groups" else None,
        "village": xujiadai,
        "organisation": None,
        "joined_on": D("2022-01-01"),
    }
    values.update({k: company if v == "company" else v for k, v in fields.items()})
    with pytest.raises(IntegrityError), transaction.atomic():
        Membership.objects.create(**values)
    assert not Membership.objects.exists()


def test_a_village_and_an_organisation_can_join(alliance, consortium, xujiadai, company):
    core = services.join(alliance, xujiadai, MembershipRole.CORE, D("2022-01-01"), actor=SYSTEM)
    org = services.join(consortium, company, MembershipRole.MEMBER, D("2022-03-01"), actor=SYSTEM)
    assert (core.alliance, core.village, core.role) == (alliance, xujiadai, "core")
    assert (org.consortium, org.organisation, org.left_on) == (consortium, company, None)
    assert core.member == xujiadai
    assert org.group == consortium


@pytest.mark.parametrize(
    ("case", "second_joined_on"),
    [("same_day", "2022-01-01"), ("later", "2022-06-01"), ("earlier", "2021-06-01")],
)
def test_an_overlapping_membership_is_refused_and_nothing_changes(
    case, second_joined_on, alliance, xujiadai
):
    first = services.join(alliance, xujiadai, MembershipRole.MEMBER, D("2022-01-01"), actor=SYSTEM)
    with pytest.raises(services.MembershipError):
        services.join(alliance, xujiadai, MembershipRole.CORE, D(second_joined_on), actor=SYSTEM)
    assert list(Membership.objects.values_list("pk", "role", "left_on")) == [
        (first.pk, "member", None)
    ]


def test_the_same_village_may_be_in_the_alliance_and_a_consortium(alliance, consortium, xujiadai):
    services.join(alliance, xujiadai, MembershipRole.CORE, D("2022-01-01"), actor=SYSTEM)
    services.join(consortium, xujiadai, MembershipRole.MEMBER, D("2022-01-01"), actor=SYSTEM)
    assert Membership.objects.count() == 2


def test_leave_sets_the_last_day_and_a_later_rejoin_is_allowed(alliance, xujiadai):
    first = services.join(alliance, xujiadai, MembershipRole.MEMBER, D("2022-01-01"), actor=SYSTEM)
    services.leave(first, D("2022-06-30"), actor=SYSTEM)
    first.refresh_from_db()
    assert first.left_on == D("2022-06-30")
    with pytest.raises(services.MembershipError):
        services.join(alliance, xujiadai, MembershipRole.MEMBER, D("2022-06-30"), actor=SYSTEM)
    again = services.join(alliance, xujiadai, MembershipRole.CORE, D("2022-07-01"), actor=SYSTEM)
    assert again.left_on is None
    assert Membership.objects.count() == 2


@pytest.mark.parametrize(
    ("case", "left_on"), [("before_joining", "2021-12-31"), ("twice", "2022-08-01")]
)
def test_a_wrong_leave_is_refused_and_nothing_changes(case, left_on, alliance, xujiadai):
    membership = services.join(
        alliance, xujiadai, MembershipRole.MEMBER, D("2022-01-01"), actor=SYSTEM
    )
    if case == "twice":
        services.leave(membership, D("2022-06-30"), actor=SYSTEM)
    expected = membership.left_on
    with pytest.raises(services.MembershipError):
        services.leave(membership, D(left_on), actor=SYSTEM)
    membership.refresh_from_db()
    assert membership.left_on == expected


def test_members_on_a_day_before_and_after_leaving(alliance, tree):
    stays = services.join(
        alliance, tree["徐家埭村"], MembershipRole.CORE, D("2022-01-01"), actor=SYSTEM
    )
    goes = services.join(
        alliance, tree["山塘村"], MembershipRole.CORE, D("2022-01-01"), actor=SYSTEM
    )
    services.leave(goes, D("2022-06-30"), actor=SYSTEM)
    on = Membership.objects.members_on
    assert set(on(D("2021-12-31"))) == set()
    assert set(on(D("2022-06-30"))) == {stays, goes}
    assert set(on(D("2022-07-01"))) == {stays}


def test_a_clerk_cannot_join_or_leave_and_nothing_changes(alliance, xujiadai, clerk, admin):
    with pytest.raises(services.NotAllowed):
        services.join(alliance, xujiadai, MembershipRole.CORE, D("2022-01-01"), actor=clerk)
    assert not Membership.objects.exists()
    membership = services.join(
        alliance, xujiadai, MembershipRole.CORE, D("2022-01-01"), actor=admin
    )
    with pytest.raises(services.NotAllowed):
        services.leave(membership, D("2022-06-30"), actor=clerk)
    membership.refresh_from_db()
    assert membership.left_on is None
