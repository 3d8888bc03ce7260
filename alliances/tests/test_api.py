"""The alliances REST API: signed-in users read, city admins write, clerks and anonymous
visitors cannot; memberships go through join/leave; list queries do not grow with rows."""

import json

import pytest

from alliances import services
from alliances.choices import MembershipRole
from alliances.models import Alliance, Consortium, Membership
from alliances.tests.conftest import D
from core.actors import SYSTEM

API = "/api/v1/"


@pytest.fixture
def call(client_for):
    def _call(user, method, url, body=None):
        client = client_for(user)
        kwargs = {"HTTP_ACCEPT_LANGUAGE": "en"}
        if body is not None:
            kwargs.update(data=json.dumps(body), content_type="application/json")
        return getattr(client, method)(url, **kwargs)

    return _call


@pytest.fixture
def members(alliance, consortium, tree):
    services.join(alliance, tree["徐家埭村"], MembershipRole.CORE, D("2022-01-01"), actor=SYSTEM)
    services.join(alliance, tree["山塘村"], MembershipRole.CORE, D("2022-01-01"), actor=SYSTEM)
    services.join(consortium, tree["山塘村"], MembershipRole.MEMBER, D("2022-01-01"), actor=SYSTEM)
    return Membership.objects.all()


def test_a_signed_in_user_reads_an_alliance_with_its_mechanisms(call, clerk, alliance):
    response = call(clerk, "get", f"{API}alliances/{alliance.pk}/")
    assert response.status_code == 200
    body = response.json()
    assert body["name"] == "金平湖“抱团富”联盟"
    assert body["region"] == "330482"
    assert [m["name"] for m in body["mechanisms"]] == [
        "联盟责任清单制",
        "联席会议共商制",
        "共富项目合伙制",
    ]


@pytest.mark.parametrize(
    ("case", "path", "queries"),
    [
        ("alliances", "alliances/", 5),
        ("consortia", "consortia/", 4),
        ("memberships", "memberships/", 4),
    ],
)
def test_lists_run_a_fixed_number_of_queries(
    case, path, queries, client_for, clerk, members, tree, django_assert_num_queries
):
    client = client_for(clerk)
    client.get(f"{API}{path}")  # warm the session
    with django_assert_num_queries(queries):
        response = client.get(f"{API}{path}")
    assert response.status_code == 200
    first = response.json()["count"]
    kind = Consortium.objects.first().type
    for n in range(3):
        more = Alliance.objects.create(name=f"联盟{n}")
        more.mechanisms.create(name="圆桌会")
        services.join(
            Consortium.objects.create(alliance=more, name=f"共富体{n}", type=kind),
            tree["峰山村"],
            MembershipRole.MEMBER,
            D("2022-01-01"),
            actor=SYSTEM,
        )
    with django_assert_num_queries(queries):
        response = client.get(f"{API}{path}")
    assert response.json()["count"] == first + 3


def test_memberships_filtered_by_day(call, clerk, members, tree):
    gone = Membership.objects.get(alliance__isnull=False, village=tree["山塘村"])
    services.leave(gone, D("2022-06-30"), actor=SYSTEM)
    response = call(clerk, "get", f"{API}memberships/?on=2022-07-01&alliance={gone.alliance_id}")
    assert [m["member_name"] for m in response.json()["results"]] == ["徐家埭村"]


def test_anonymous_visitors_are_refused(call, alliance):
    # Not signed in: 401.
    assert call(None, "get", f"{API}alliances/").status_code == 401
    assert call(None, "get", f"{API}memberships/").status_code == 401
    response = call(None, "post", f"{API}alliances/", {"name": "x"})
    assert response.status_code == 401
    assert Alliance.objects.count() == 1


def test_a_clerk_cannot_write_and_nothing_changes(call, clerk, alliance, xujiadai):
    assert call(clerk, "post", f"{API}alliances/", {"name": "另一联盟"}).status_code == 403
    response = call(clerk, "patch", f"{API}alliances/{alliance.pk}/", {"name": "改名"})
    assert response.status_code == 403
    body = {"alliance": alliance.pk, "village": xujiadai.pk, "joined_on": "2022-01-01"}
    assert call(clerk, "post", f"{API}memberships/", body).status_code == 403
    alliance.refresh_from_db()
    assert alliance.name == "金平湖“抱团富”联盟"
    assert Alliance.objects.count() == 1
    assert not Membership.objects.exists()


def test_an_admin_creates_an_alliance_a_type_and_a_consortium(call, admin, tree):
    response = call(
        admin,
        "post",
        f"{API}alliances/",
        {
            "name": "测试联盟",
            "region": "330482",
            "agreement_signed_on": "2021-05-01",
        },
    )
    assert response.status_code == 201, response.json()
    alliance_pk = response.json()["id"]
    kind = call(admin, "post", f"{API}consortium-types/", {"name": "农房盘活"}).json()["id"]
    response = call(
        admin,
        "post",
        f"{API}consortia/",
        {
            "alliance": alliance_pk,
            "name": "农房盘活共富体",
            "type": kind,
        },
    )
    assert response.status_code == 201, response.json()
    assert response.json()["type_name"] == "农房盘活"
    response = call(
        admin,
        "post",
        f"{API}mechanisms/",
        {
            "alliance": alliance_pk,
            "name": "圆桌会",
            "order": 4,
        },
    )
    assert response.status_code == 201, response.json()


def test_an_admin_joins_and_a_member_leaves_through_the_api(call, admin, alliance, xujiadai):
    body = {
        "alliance": alliance.pk,
        "village": xujiadai.pk,
        "role": "core",
        "joined_on": "2022-01-01",
    }
    response = call(admin, "post", f"{API}memberships/", body)
    assert response.status_code == 201, response.json()
    pk = response.json()["id"]
    assert response.json()["member_name"] == "徐家埭村"

    response = call(admin, "post", f"{API}memberships/", {**body, "joined_on": "2022-05-01"})
    assert response.status_code == 400
    assert Membership.objects.count() == 1

    response = call(admin, "post", f"{API}memberships/{pk}/leave/", {"left_on": "2022-06-30"})
    assert response.status_code == 200, response.json()
    assert response.json()["left_on"] == "2022-06-30"
    assert Membership.objects.get().left_on == D("2022-06-30")


@pytest.mark.parametrize(
    ("case", "body"),
    [
        ("two_groups", {"consortium": "consortium"}),
        ("no_member", {"village": None}),
        ("left_on_read_only", {"left_on": "2022-02-01"}),
    ],
)
def test_a_malformed_membership_is_refused(case, body, call, admin, alliance, consortium, xujiadai):
    data = {"alliance": alliance.pk, "village": xujiadai.pk, "joined_on": "2022-01-01"}
    data.update({k: consortium.pk if v == "consortium" else v for k, v in body.items()})
    response = call(admin, "post", f"{API}memberships/", data)
    assert response.status_code == 400
    assert not Membership.objects.exists()


def test_a_clerk_cannot_end_a_membership(call, clerk, members):
    membership = members.first()
    response = call(
        clerk, "post", f"{API}memberships/{membership.pk}/leave/", {"left_on": "2022-06-30"}
    )
    assert response.status_code in (403, 404)
    membership.refresh_from_db()
    assert membership.left_on is None
