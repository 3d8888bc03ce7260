import pytest

from grids.models import Matter, PersonalDataReveal
from grids.tests.conftest import make_id

pytestmark = pytest.mark.django_db


@pytest.fixture
def api(client_for):
    def as_user(user):
        return client_for(user)

    return as_user


def test_anonymous_gets_401(shared, client):
    for path in ("households/", "people/", "grids/", "grid-matters/"):
        response = client.get(f"/api/v1/{path}")
        assert response.status_code == 401, path


def test_people_are_masked_and_scoped(shared, api, js_partner):
    response = api(js_partner).get("/api/v1/people/")
    assert response.status_code == 200
    body = response.content.decode()
    assert make_id() not in body
    assert "13812345678" not in body
    rows = response.json()["results"]
    assert [r["name"] for r in rows] == ["张三"]
    assert rows[0]["id_masked"] == "330482********" + make_id()[-4:]
    assert "id_sealed" not in rows[0]
    assert "id_hash" not in rows[0]


def test_reveal_through_the_api_is_logged_and_not_cached(shared, api, st_clerk, js_partner):
    pk = shared["head"].pk
    refused = api(js_partner).post(
        f"/api/v1/people/{pk}/reveal/", {"field": "phone", "reason": "联系"}
    )
    assert refused.status_code == 403
    response = api(st_clerk).post(
        f"/api/v1/people/{pk}/reveal/", {"field": "phone", "reason": "联系户主"}
    )
    assert response.status_code == 200
    assert response.json()["value"] == "13812345678"
    assert response["Cache-Control"] == "no-store"
    assert PersonalDataReveal.objects.count() == 1


def test_find_by_id_number_is_a_post(shared, api, st_clerk, other_clerk):
    found = api(st_clerk).post("/api/v1/people/find/", {"id_number": make_id()})
    assert found.status_code == 200
    assert found.json()["id"] == shared["head"].pk
    assert (
        api(other_clerk).post("/api/v1/people/find/", {"id_number": make_id()}).status_code == 404
    )


def test_a_matter_is_reported_and_stepped(shared, api, st_member, other_clerk):
    grid = shared["grid"].pk
    created = api(st_member).post(
        "/api/v1/grid-matters/",
        {"grid": grid, "category": "environment", "place": "桥头", "description": "垃圾"},
    )
    assert created.status_code == 201, created.content
    pk = created.json()["id"]
    step = api(st_member).post(
        f"/api/v1/grid-matters/{pk}/step/", {"kind": "handle", "note": "清理了"}
    )
    assert step.status_code == 200
    assert step.json()["status"] == "handled"
    assert (
        api(other_clerk).post(f"/api/v1/grid-matters/{pk}/step/", {"kind": "feed_back"}).status_code
        == 404
    )
    refused = api(other_clerk).post(
        "/api/v1/grid-matters/",
        {"grid": grid, "category": "environment", "place": "桥头", "description": "垃圾"},
    )
    assert refused.status_code == 404
    assert Matter.objects.count() == 1
