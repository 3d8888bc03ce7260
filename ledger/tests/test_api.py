"""The ledger API (/api/v1/ledger/…): read-only, for signed-in users, money in fen."""

from io import StringIO

import pytest
import yaml
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from core.actors import SYSTEM
from ledger.models import JournalEntry, Posting
from ledger.services import get_account, lock_period, post_entry, reverse_entry
from tests.support import D

API = "/api/v1/ledger/"


@pytest.fixture
def books(chart):
    """
    2024-01-10 * "Rent"      Cash 1,000.00 / Income -1,000.00        source ventures.income:1
    2024-02-20 * "Dividend"  Income 600.00 / Owed 徐家埭村 -400.00 / Owed 峰山村 -200.00
    2024-02-21 * "Reversal of entry 2: Dividend"
    locked: 2024-01
    """
    rent = post_entry(
        date=D("2024-01-10"),
        description="Rent",
        source="ventures.income:1",
        idempotency_key="rent-1",
        lines=[(chart["cash"], 100_000), (chart["income"], -100_000)],
        actor=SYSTEM,
    )
    lock_period(2024, 1, actor=SYSTEM)
    dividend = post_entry(
        date=D("2024-02-20"),
        description="Dividend",
        lines=[
            (chart["income"], 60_000),
            (chart["owed_xujiadai"], -40_000),
            (chart["owed_fengshan"], -20_000),
        ],
        actor=SYSTEM,
    )
    reversal = reverse_entry(dividend, date=D("2024-02-21"), actor=SYSTEM)
    return {"rent": rent, "dividend": dividend, "reversal": reversal, **chart}


def get(client_for, user, url):
    return client_for(user).get(url, HTTP_ACCEPT_LANGUAGE="en")


@pytest.mark.parametrize(
    "path",
    ["accounts/", "entries/", "trial-balance/?as_of=2024-02-29", "balances/?as_of=2024-02-29"],
)
def test_anonymous_visitors_read_nothing(client_for, books, path):
    response = get(client_for, None, API + path)

    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Token"


@pytest.mark.parametrize("persona", ["clerk", "auditor", "finance", "admin"])
def test_signed_in_users_read_the_ledger(client_for, request, books, persona):
    response = get(client_for, request.getfixturevalue(persona), API + "entries/")

    assert response.status_code == 200
    assert response.json()["count"] == 3


@pytest.mark.parametrize("method", ["post", "put", "patch", "delete"])
@pytest.mark.parametrize(
    "path",
    ["accounts/", "accounts/{cash}/", "entries/", "entries/{rent}/", "trial-balance/", "balances/"],
)
def test_there_are_no_write_routes(client_for, admin, books, method, path):
    before = (list(JournalEntry.objects.values()), list(Posting.objects.values()))
    url = API + path.format(cash=books["cash"].pk, rent=books["rent"].pk)

    response = getattr(client_for(admin), method)(url, data={}, content_type="application/json")

    assert response.status_code == 405
    assert (list(JournalEntry.objects.values()), list(Posting.objects.values())) == before


def test_an_entry_comes_with_its_postings_and_links(client_for, auditor, books):
    dividend = books["dividend"]

    response = get(client_for, auditor, f"{API}entries/{dividend.pk}/")

    body = response.json()
    postings = list(dividend.postings.order_by("pk"))
    assert body == {
        "id": dividend.pk,
        "date": "2024-02-20",
        "description": "Dividend",
        "source": "",
        "idempotency_key": None,
        "reverses": None,
        "reversed_by": books["reversal"].pk,
        "created_at": body["created_at"],
        "created_by": None,
        "postings": [
            {
                "id": postings[0].pk,
                "account": books["income"].pk,
                "amount": 60_000,
                "currency": "CNY",
            },
            {
                "id": postings[1].pk,
                "account": books["owed_xujiadai"].pk,
                "amount": -40_000,
                "currency": "CNY",
            },
            {
                "id": postings[2].pk,
                "account": books["owed_fengshan"].pk,
                "amount": -20_000,
                "currency": "CNY",
            },
        ],
    }


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        pytest.param("date_after=2024-02-01", ["dividend", "reversal"], id="date_after_case"),
        pytest.param("date_before=2024-02-20", ["rent", "dividend"], id="date_before_case"),
        pytest.param("account={owed_fengshan}", ["dividend", "reversal"], id="account_case"),
        pytest.param("source=ventures.income:1", ["rent"], id="source_case"),
        pytest.param("reverses={dividend}", ["reversal"], id="reverses_case"),
        pytest.param("idempotency_key=rent-1", ["rent"], id="idempotency_key_case"),
    ],
)
def test_entries_filter(client_for, auditor, books, query, expected):
    ids = {name: obj.pk for name, obj in books.items()}

    response = get(client_for, auditor, f"{API}entries/?" + query.format(**ids))

    assert [row["id"] for row in response.json()["results"]] == [ids[n] for n in expected]


def test_the_entry_list_takes_the_same_queries_for_more_entries(client_for, auditor, books):
    url = f"{API}entries/"
    client = client_for(auditor)
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    for day in range(1, 11):
        post_entry(
            date=D(f"2024-03-{day:02d}"),
            description="More",
            lines=[(books["cash"], day), (books["income"], -day)],
            actor=SYSTEM,
        )
    with CaptureQueriesContext(connection) as many:
        response = client.get(url)

    assert response.json()["count"] == 13
    assert len(many) == len(few)


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        pytest.param("kind=cash", ["cash", "xujiadai_cash", "fengshan_cash"], id="kind_case"),
        pytest.param("village=330482107208", ["xujiadai_cash"], id="village_case"),
        pytest.param(
            "organisation={org}&kind=distribution_payable",
            ["owed_xujiadai", "owed_fengshan"],
            id="organisation_case",
        ),
        pytest.param("currency=USD", [], id="currency_case"),
    ],
)
def test_accounts_filter_by_owner_and_kind(
    client_for, clerk, books, enclave_company, query, expected
):
    response = get(client_for, clerk, f"{API}accounts/?" + query.format(org=enclave_company.pk))

    assert [row["id"] for row in response.json()["results"]] == [books[n].pk for n in expected]


def test_an_account_shows_its_beancount_name(client_for, clerk, books, xujiadai):
    response = get(client_for, clerk, f"{API}accounts/{books['xujiadai_cash'].pk}/")

    assert response.json() == {
        "id": books["xujiadai_cash"].pk,
        "kind": "cash",
        "name": "",
        "currency": "CNY",
        "village": "330482107208",
        "organisation": None,
        "beancount_name": "Assets:Village:330482107208:Cash",
    }


def test_the_trial_balance_sums_to_zero(client_for, auditor, books):
    response = get(client_for, auditor, f"{API}trial-balance/?as_of=2024-02-20")

    body = response.json()
    assert body["as_of"] == "2024-02-20"
    assert body["totals"] == [
        {"currency": "CNY", "debit": 100_000, "credit": 100_000, "balance": 0}
    ]
    assert {row["account"]: row["balance"] for row in body["rows"]} == {
        books["cash"].pk: 100_000,
        books["income"].pk: -40_000,
        books["owed_xujiadai"].pk: -40_000,
        books["owed_fengshan"].pk: -20_000,
    }


@pytest.mark.parametrize(
    ("query", "error"),
    [
        pytest.param("", {"as_of": ["This field is required."]}, id="missing_case"),
        pytest.param(
            "as_of=yesterday",
            {"as_of": ["Date has wrong format. Use one of these formats instead: YYYY-MM-DD."]},
            id="malformed_case",
        ),
    ],
)
def test_the_trial_balance_needs_a_date(client_for, auditor, books, query, error):
    response = get(client_for, auditor, f"{API}trial-balance/?{query}")

    assert response.status_code == 400
    assert response.json() == {"error": {"status": 400, "detail": error}}


def test_balances_of_chosen_accounts(client_for, auditor, books):
    url = (
        f"{API}balances/?as_of=2024-02-20&account={books['owed_xujiadai'].pk}"
        f"&account={books['xujiadai_cash'].pk}"
    )

    response = get(client_for, auditor, url)

    assert response.json() == {
        "as_of": "2024-02-20",
        "currency": "CNY",
        "balances": [
            {"account": books["owed_xujiadai"].pk, "balance": -40_000},
            {"account": books["xujiadai_cash"].pk, "balance": 0},
        ],
    }


def test_balances_of_all_accounts_in_a_currency(client_for, auditor, books, enclave_company):
    usd = get_account(kind="cash", organisation=enclave_company, currency="USD", actor=SYSTEM)
    usd_income = get_account(
        kind="income", organisation=enclave_company, currency="USD", actor=SYSTEM
    )
    post_entry(
        date=D("2024-02-01"), description="USD", lines=[(usd, 5), (usd_income, -5)], actor=SYSTEM
    )

    response = get(client_for, auditor, f"{API}balances/?as_of=2024-02-29&currency=USD")

    assert response.json()["balances"] == [
        {"account": usd.pk, "balance": 5},
        {"account": usd_income.pk, "balance": -5},
    ]


def test_balances_refuse_a_malformed_account(client_for, auditor, books):
    response = get(client_for, auditor, f"{API}balances/?as_of=2024-02-20&account=cash")

    assert response.status_code == 400
    assert response.json() == {
        "error": {"status": 400, "detail": {"account": {"0": ["A valid integer is required."]}}}
    }


def test_the_schema_documents_the_ledger_endpoints_without_warnings(db, tmp_path):
    out = tmp_path / "schema.yaml"
    stderr = StringIO()

    call_command(
        "spectacular",
        "--validate",
        "--fail-on-warn",
        "--lang",
        "en",
        "--file",
        str(out),
        stderr=stderr,
    )

    assert stderr.getvalue() == ""
    schema = yaml.safe_load(out.read_text())
    ledger_paths = {
        path: set(operations) - {"parameters"}
        for path, operations in schema["paths"].items()
        if path.startswith("/api/v1/ledger/")
    }
    assert ledger_paths == {
        "/api/v1/ledger/accounts/": {"get"},
        "/api/v1/ledger/accounts/{id}/": {"get"},
        "/api/v1/ledger/entries/": {"get"},
        "/api/v1/ledger/entries/{id}/": {"get"},
        "/api/v1/ledger/trial-balance/": {"get"},
        "/api/v1/ledger/balances/": {"get"},
    }
    amount = schema["components"]["schemas"]["Posting"]["properties"]["amount"]
    assert (amount["type"], amount["format"]) == ("integer", "int64")
