import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from analytics.selectors import indicators
from analytics.tests.conftest import add_stats
from registry.choices import VillageKind
from registry.models import Village

URL = "/api/v1/indicators/"


def test_anonymous_is_refused(stats, client_for):
    assert client_for(None).get(URL, {"region": "330482", "year": 2022}).status_code == 401


def test_signed_in_user_gets_the_service_dict(stats, client_for, clerk):
    response = client_for(clerk).get(URL, {"region": "330482", "year": 2022})
    assert response.status_code == 200
    assert response.json() == indicators("330482", 2022)


@pytest.mark.parametrize(
    "query",
    [
        {"region": "330499", "year": 2022},  # unknown region
        {"region": "330482", "year": 2015},  # no statistics
        {"region": "abc", "year": 2022},
        {"region": "330482", "year": "x"},
    ],
)
def test_bad_query_is_400(stats, client_for, clerk, query):
    response = client_for(clerk).get(URL, query)
    assert response.status_code == 400


def test_post_is_not_allowed(stats, client_for, admin):
    assert client_for(admin).post(URL, {"region": "330482", "year": 2022}).status_code == 405


@pytest.fixture(autouse=True)
def _empty_cache():
    cache.clear()  # the API reads through the cache; test databases reuse change-log ids


def _queries(client):
    cache.clear()  # measure the computation, not a cache hit
    with CaptureQueriesContext(connection) as captured:
        assert client.get(URL, {"region": "330482", "year": 2022}).status_code == 200
    return len(captured)


def test_query_count_does_not_grow_with_villages(stats, client_for, clerk):
    client = client_for(clerk)
    client.get(URL, {"region": "330482", "year": 2022})  # warm the session
    few = _queries(client)
    for i in range(30):
        code = f"330482107{300 + i}"
        Village.objects.create(
            code=code,
            name=f"测试{i}村村民委员会",
            short_name=f"测试{i}村",
            kind=VillageKind.VILLAGE,
            township_id="330482107",
            county_id="330482",
        )
        add_stats(code, 2021, 500_000 + i)
        add_stats(code, 2022, 600_000 + 1000 * i)
    assert _queries(client) == few
    assert few == QUERIES


def test_a_second_request_is_served_from_the_cache_until_data_changes(stats, client_for, clerk):
    client = client_for(clerk)
    first = _queries(client)
    with CaptureQueriesContext(connection) as captured:
        again = client.get(URL, {"region": "330482", "year": 2022})
    assert len(captured) == CACHED_QUERIES
    add_stats("330482106209", 2020, 1)  # a write to the statistics (change-logged)
    with CaptureQueriesContext(connection) as captured:
        after = client.get(URL, {"region": "330482", "year": 2022})
    assert len(captured) == first
    assert again.json() == after.json() == indicators("330482", 2022)


# session, user, grants, data version, region, its village-level units and rows per year
# (coverage), statistics, thresholds in force in Y−1–Y, weak rows, group names, returns
QUERIES = 11
CACHED_QUERIES = 3  # session, user, data version
