"""The points API: the workflow through it, and the permission matrix: every write refused
for the anonymous, a clerk of another village, a partner outside the shared grid and an
auditor, with nothing changed."""

import datetime as dt

import pytest

from core.roles import Role
from points import services
from points.models import StoreItem
from points.tests.test_rules import snapshot
from tests.support import make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def outsider(xujiadai):
    """A partner, but of a village outside the shared grid."""
    return make_user("outsider", Role.PARTNER, village=xujiadai)


@pytest.fixture
def world(scheme, grid_scheme, shared, member, scorer, today):
    hh = shared["outside"]
    published = services.propose_entry(
        actor=member, scheme=scheme, household=hh, item_code="B01", occurred_on=dt.date(2025, 3, 3)
    )
    services.verify_entry(actor=scorer, entry=published)
    services.publish_notice(actor=scorer, scheme=scheme, published_on=dt.date(2025, 3, 10))
    proposed = services.propose_entry(
        actor=member, scheme=scheme, household=hh, item_code="A01", occurred_on=dt.date(2025, 3, 4)
    )
    appeal_entry = services.propose_entry(
        actor=member, scheme=scheme, household=hh, item_code="B01", occurred_on=dt.date(2025, 3, 5)
    )
    services.verify_entry(actor=scorer, entry=appeal_entry)
    services.publish_notice(actor=scorer, scheme=scheme, published_on=dt.date(2025, 3, 10))
    appeal = services.file_appeal(actor=scorer, entry=appeal_entry, reason="未参加")
    item = services.add_store_item(actor=scorer, scheme=scheme, name="毛巾", price=1, stock=5)
    return {
        "scheme": scheme,
        "grid_scheme": grid_scheme,
        "hh": hh,
        "published": published,
        "proposed": proposed,
        "appeal": appeal,
        "item": item,
        "in_grid": shared["in_grid"],
    }


def writes(w):
    return [
        (
            "/api/v1/points-entries/",
            {
                "scheme": w["scheme"].pk,
                "household": w["hh"].pk,
                "item_code": "B01",
                "occurred_on": "2025-03-06",
            },
        ),
        (
            "/api/v1/points-entries/",
            {
                "scheme": w["grid_scheme"].pk,
                "household": w["in_grid"].pk,
                "item_code": "B01",
                "occurred_on": "2025-03-06",
            },
        ),
        (f"/api/v1/points-entries/{w['proposed'].pk}/verify/", {}),
        (f"/api/v1/points-entries/{w['proposed'].pk}/reject/", {"reason": "不符"}),
        (f"/api/v1/points-entries/{w['published'].pk}/reverse/", {"reason": "更正"}),
        (f"/api/v1/points-entries/{w['published'].pk}/appeal/", {"reason": "有误"}),
        (
            f"/api/v1/points-appeals/{w['appeal'].pk}/decide/",
            {"outcome": "upheld", "reason": "属实"},
        ),
        (f"/api/v1/points-schemes/{w['scheme'].pk}/publish/", {}),
        (f"/api/v1/points-store-items/{w['item'].pk}/redeem/", {"household": w["hh"].pk}),
    ]


@pytest.mark.parametrize("who", ["anonymous", "other_clerk", "outsider", "auditor"])
def test_every_write_is_refused_and_changes_nothing(world, who, client_for, request):
    user = None if who == "anonymous" else request.getfixturevalue(who)
    api = client_for(user)
    for path, body in writes(world):
        before = snapshot(), StoreItem.objects.get().stock
        response = api.post(path, body, content_type="application/json")
        assert response.status_code in (401, 403, 404), (who, path, response.status_code)
        assert (snapshot(), StoreItem.objects.get().stock) == before, (who, path)


def test_the_workflow_through_the_api(
    world, client_for, member, scorer, reviewer, js_partner, today
):
    w = world
    api = client_for(member)
    r = api.post(
        "/api/v1/points-entries/",
        {
            "scheme": w["scheme"].pk,
            "household": w["hh"].pk,
            "item_code": "B01",
            "occurred_on": "2025-03-06",
        },
        content_type="application/json",
    )
    assert r.status_code == 201, r.content
    pk = r.json()["id"]
    # The proposer cannot verify; the error is in Chinese.
    own = client_for(member).post(f"/api/v1/points-entries/{pk}/verify/")
    assert own.status_code == 403
    assert (
        client_for(scorer).post(f"/api/v1/points-entries/{pk}/verify/").json()["state"]
        == "verified"
    )
    bad = client_for(member).post(
        "/api/v1/points-entries/",
        {
            "scheme": w["scheme"].pk,
            "household": w["hh"].pk,
            "item_code": "ZZZ",
            "occurred_on": "2025-03-06",
        },
        content_type="application/json",
    )
    assert bad.status_code == 400
    assert "不在" in bad.content.decode()
    # The other side of the shared grid proposes for the grid's scheme.
    side = client_for(js_partner).post(
        "/api/v1/points-entries/",
        {
            "scheme": w["grid_scheme"].pk,
            "household": w["in_grid"].pk,
            "item_code": "B01",
            "occurred_on": "2025-03-06",
        },
        content_type="application/json",
    )
    assert side.status_code == 201, side.content
    d = client_for(reviewer).post(
        f"/api/v1/points-appeals/{w['appeal'].pk}/decide/",
        {"outcome": "rejected", "reason": "核实"},
        content_type="application/json",
    )
    assert d.status_code == 200
    assert d.json()["outcome"] == "rejected"
    balances = client_for(scorer).get(
        f"/api/v1/points-schemes/{w['scheme'].pk}/balances/?as_of=2025-03-31"
    )
    assert balances.status_code == 200


def test_reads_are_scoped(world, client_for, other_clerk, js_partner):
    assert client_for(other_clerk).get("/api/v1/points-entries/").json()["results"] == []
    assert client_for(None).get("/api/v1/points-entries/").status_code == 401
    # The other side reads the grid's scheme, not the village's own.
    names = [
        s["name"] for s in client_for(js_partner).get("/api/v1/points-schemes/").json()["results"]
    ]
    assert names == ["浙沪山塘积分"]


def test_the_schema_documents_the_api(client_for, admin):
    body = client_for(admin).get("/api/v1/schema/").content.decode()
    for path in (
        "/api/v1/points-entries/{id}/verify/",
        "/api/v1/points-appeals/{id}/decide/",
        "/api/v1/points-store-items/{id}/redeem/",
    ):
        assert path in body
