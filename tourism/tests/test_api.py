"""The tourism API: reads for signed-in users, the OpenAPI schema, every write refused to
the anonymous, another village's clerk, a partner and an auditor with nothing changed, and
each bad input a 400 that names the problem."""

import datetime as dt

import pytest
from django.apps import apps
from django.utils import timezone

from core.actors import SYSTEM
from tourism import services
from tourism.choices import CountMethod

pytestmark = pytest.mark.django_db
API = "/api/v1/tourism"
GOOD_SCORES = {
    "transport": 70,
    "sanitation": 80,
    "facilities": 100,
    "activities": 90,
    "management": 70,
    "satisfaction": 25,
}


def _counts():
    return {
        m._meta.label: m._base_manager.count() for m in apps.get_app_config("tourism").get_models()
    }


@pytest.fixture
def writes(consortium, mingyue, yujiabang, route, shantang):
    """Every write of the API: (method, path, body)."""
    operator = services.register_operator(
        actor=SYSTEM,
        village=shantang,
        name="山塘人家",
        kind="farm_restaurant",
        premises="owned",
        seats=20,
    )
    return [
        (
            "post",
            f"{API}/spots/",
            {
                "village": shantang.pk,
                "name": "新景点",
                "kind": "attraction",
                "latitude": "30.8",
                "longitude": "121.1",
            },
        ),
        ("patch", f"{API}/spots/{mingyue.pk}/", {"description": "改"}),
        (
            "post",
            f"{API}/grades/",
            {"spot": mingyue.pk, "grade": "AAA", "awarded_on": "2021-01-01"},
        ),
        (
            "post",
            f"{API}/assessments/",
            {"spot": mingyue.pk, "assessed_on": "2023-01-01", "scores": GOOD_SCORES},
        ),
        ("post", f"{API}/associations/", {"name": "协会"}),
        (
            "post",
            f"{API}/operators/",
            {
                "village": shantang.pk,
                "name": "新民宿",
                "kind": "homestay",
                "premises": "rented",
                "rooms": 2,
                "beds": 3,
            },
        ),
        (
            "post",
            f"{API}/routes/",
            {"consortium": consortium.pk, "name": "新线路", "stops": [yujiabang.pk, mingyue.pk]},
        ),
        ("post", f"{API}/routes/{route.pk}/stops/", {"stops": [yujiabang.pk, mingyue.pk]}),
        (
            "post",
            f"{API}/monthly-figures/",
            {
                "spot": mingyue.pk,
                "month": "2023-03-01",
                "visitors": 10,
                "revenue": 100,
                "method": "tickets",
            },
        ),
        (
            "post",
            f"{API}/monthly-figures/",
            {
                "operator": operator.pk,
                "month": "2023-03-01",
                "visitors": 10,
                "revenue": 100,
                "method": "estimate",
            },
        ),
    ]


@pytest.mark.parametrize("who", ["anonymous", "other_clerk", "partner", "auditor"])
def test_every_write_is_refused_and_nothing_changes(who, writes, request, client_for):
    user = None if who == "anonymous" else request.getfixturevalue(who)
    client = client_for(user)
    before = _counts()
    for method, path, body in writes:
        response = getattr(client, method)(path, body, content_type="application/json")
        expected = {401} if user is None else {403, 404}
        assert response.status_code in expected, (who, method, path, response.content)
    assert _counts() == before


def test_the_villages_clerk_writes_its_own_spots_and_figures(writes, st_clerk, client_for):
    client = client_for(st_clerk)
    allowed = {f"{API}/spots/", f"{API}/operators/", f"{API}/monthly-figures/"}
    for method, path, body in writes:
        response = getattr(client, method)(path, body, content_type="application/json")
        if path in allowed or (method == "patch" and "/spots/" in path):
            assert response.status_code in (200, 201), (path, response.content)
        else:  # grades, assessments, associations, routes: the city's tourism administrators
            assert response.status_code == 403, (path, response.content)


def test_the_city_admin_writes_everything(writes, admin, client_for):
    client = client_for(admin)
    for method, path, body in writes:
        response = getattr(client, method)(path, body, content_type="application/json")
        assert response.status_code in (200, 201), (path, response.content)


def test_bad_input_is_a_400_naming_the_problem_and_changes_nothing(
    admin, client_for, consortium, mingyue, yujiabang, shantang
):
    client = client_for(admin)
    before = _counts()
    future = (timezone.localdate().replace(day=1) + dt.timedelta(days=40)).replace(day=1)
    cases = [
        (
            f"{API}/routes/",
            {"consortium": consortium.pk, "name": "x", "stops": [mingyue.pk, 999_999]},
            "2",
        ),
        (
            f"{API}/routes/",
            {
                "consortium": consortium.pk,
                "name": "x",
                "stops": [mingyue.pk, mingyue.pk, yujiabang.pk],
            },
            "明月山塘",
        ),
        (
            f"{API}/monthly-figures/",
            {
                "spot": mingyue.pk,
                "month": "2023-01-01",
                "visitors": -1,
                "revenue": 0,
                "method": "gate",
            },
            "",
        ),
        (
            f"{API}/monthly-figures/",
            {
                "spot": mingyue.pk,
                "month": future.isoformat(),
                "visitors": 1,
                "revenue": 0,
                "method": "gate",
            },
            f"{future:%Y-%m}",
        ),
        (
            f"{API}/assessments/",
            {
                "spot": mingyue.pk,
                "assessed_on": "2023-01-01",
                "scores": {**GOOD_SCORES, "transport": 95},
            },
            "80",
        ),
        (
            f"{API}/assessments/",
            {
                "spot": mingyue.pk,
                "assessed_on": "2023-01-01",
                "scores": GOOD_SCORES,
                "claimed_grade": "AAA",
            },
            "435",
        ),
    ]
    for path, body, needle in cases:
        response = client.post(path, body, content_type="application/json")
        assert response.status_code == 400, (path, body, response.content)
        assert needle in response.content.decode(), response.content.decode()
    assert _counts() == before


def test_reads_and_the_schema(client_for, clerk, route, mingyue):
    services.record_figure(
        actor=SYSTEM,
        spot=mingyue,
        month=dt.date(2023, 1, 1),
        visitors=5,
        revenue=123,
        method=CountMethod.TICKETS,
    )
    client = client_for(clerk)
    routes = client.get(f"{API}/routes/").json()["results"]
    assert [s["spot_name"] for s in routes[0]["stops"]] == ["明月山塘", "俞家浜景区"]
    figures = client.get(f"{API}/monthly-figures/?spot={mingyue.pk}").json()["results"]
    assert figures[0]["revenue"] == 123
    schema = client.get("/api/v1/schema/").content.decode()
    for path in (
        "/api/v1/tourism/spots/",
        "/api/v1/tourism/routes/",
        "/api/v1/tourism/monthly-figures/",
    ):
        assert path in schema


def test_anonymous_reads_get_401(client, route):
    assert client.get(f"{API}/spots/").status_code == 401
    assert client.get(f"{API}/routes/").status_code == 401
