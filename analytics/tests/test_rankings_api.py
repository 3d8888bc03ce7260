"""The rankings API: read-only, public for published schemes."""

import pytest
from rest_framework.test import APIClient

from analytics import services
from analytics.models import RankingScheme
from core.actors import SYSTEM


@pytest.fixture
def ranked(scheme):
    services.compute_snapshot(scheme, 2022, actor=SYSTEM)
    hidden = RankingScheme.objects.create(name="内部试算", alliance=scheme.alliance)
    hidden.kpis.create(key="collective_income", weight=1)
    services.compute_snapshot(hidden, 2022, actor=SYSTEM)
    return scheme, hidden


def test_anonymous_clients_read_published_schemes_and_snapshots(ranked):
    scheme, hidden = ranked
    api = APIClient()

    schemes = api.get("/api/v1/ranking-schemes/").json()["results"]
    assert [s["name"] for s in schemes] == ["比拼晾晒"]
    assert [(k["key"], k["weight"]) for k in schemes[0]["kpis"]] == [
        ("collective_income", "50.00"),
        ("income_growth", "50.00"),
    ]
    snapshots = api.get("/api/v1/ranking-snapshots/").json()["results"]
    assert [(s["scheme"], s["period"], s["version"]) for s in snapshots] == [(scheme.pk, 2022, 1)]
    assert "entries" not in snapshots[0]

    detail = api.get(f"/api/v1/ranking-snapshots/{snapshots[0]['id']}/").json()
    assert [(e["village_name"], e["rank"], e["score"]) for e in detail["entries"]][:2] == [
        ("广陈村", 1, "76.92"),
        ("林埭村", 2, "56.25"),
    ]
    hidden_snapshot = hidden.snapshots.get()
    assert api.get(f"/api/v1/ranking-snapshots/{hidden_snapshot.pk}/").status_code == 404
    assert api.get(f"/api/v1/ranking-schemes/{hidden.pk}/").status_code == 404


def test_signed_in_users_also_see_unpublished_schemes(ranked, clerk):
    api = APIClient()
    api.force_authenticate(clerk)
    names = [s["name"] for s in api.get("/api/v1/ranking-schemes/").json()["results"]]
    assert sorted(names) == ["内部试算", "比拼晾晒"]


def test_the_api_writes_nothing(ranked, admin):
    scheme, _hidden = ranked
    api = APIClient()
    api.force_authenticate(admin)
    assert api.post("/api/v1/ranking-schemes/", {"name": "x"}).status_code == 405
    snapshot = scheme.snapshots.get()
    assert api.delete(f"/api/v1/ranking-snapshots/{snapshot.pk}/").status_code == 405
    assert scheme.snapshots.count() == 1
