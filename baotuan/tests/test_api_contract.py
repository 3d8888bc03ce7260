"""The API answers as its schema says (issue 10 item 10): page_size bounded, ids in filters
bounded, unknown API URLs a JSON 404 in the error shape (each found by schemathesis first)."""

import pytest

from core.roles import Role
from tests.support import make_user


@pytest.fixture
def api(client_for, db):
    return client_for(make_user("api-admin", Role.CITY_ADMIN))


@pytest.mark.parametrize("junk", ["0", "501", "-1", "abc", "1.5", "", "١٢"])
def test_junk_page_size_answers_400_naming_it(api, junk):
    response = api.get("/api/v1/regions/", {"page_size": junk}, HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == 400
    assert response.json() == {
        "error": {
            "status": 400,
            "detail": {"page_size": ["Enter a whole number from 1 to 500."]},
        }
    }


@pytest.mark.parametrize(("sent", "size"), [(None, 50), ("1", 1), ("500", 500)])
def test_page_size_within_bounds_is_the_page_size(api, sent, size, monkeypatch):
    from core.api.handlers import PageNumberPagination

    seen = []
    original = PageNumberPagination.get_page_size
    monkeypatch.setattr(
        PageNumberPagination,
        "get_page_size",
        lambda self, request: seen.append(original(self, request)) or seen[-1],
    )
    response = api.get("/api/v1/regions/", {} if sent is None else {"page_size": sent})

    assert response.status_code == 200
    assert seen == [size]


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/notices/?run=-2.7387068898804893e%2B305",
        "/api/v1/notices/?run=1.5",
        "/api/v1/ledger/entries/?reverses=99999999999999999999",
        "/api/v1/ledger/accounts/?organisation=0",
        "/api/v1/stakes/?venture=-1",
        "/api/v1/changes/?user=-4.349605567077236e%2B102",
        "/api/v1/ledger/balances/?as_of=2022-01-01&account=1&account=36893488147419103231",
    ],
)
def test_an_id_filter_out_of_range_answers_400_not_500(api, url):
    response = api.get(url)

    assert response.status_code == 400
    assert response.json()["error"]["status"] == 400


@pytest.mark.parametrize(
    ("method", "url"),
    [
        ("get", "/api/v1/consortium-types/abc/"),
        ("put", "/api/v1/villages/not-a-code/"),
        ("delete", "/api/v1/no-such-list/"),
        ("get", "/api/v1/villages"),
    ],
)
def test_an_unknown_api_url_is_a_json_404(api, client_for, method, url):
    for client in (api, client_for(None)):
        response = getattr(client, method)(url)

        assert response.status_code == 404
        assert response["Content-Type"] == "application/json"
        assert response.json()["error"]["status"] == 404


def test_the_docs_and_schema_are_still_served(client, db):
    assert client.get("/api/v1/docs/").status_code == 200
    assert client.get("/api/v1/schema/").status_code == 200
