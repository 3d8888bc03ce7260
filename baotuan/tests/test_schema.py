"""The OpenAPI schema of /api/v1/: generated and validated with no warnings."""

import re
from io import StringIO

import pytest
import yaml
from django.core.management import call_command

EXPECTED_PATHS = {
    "/api/v1/changes/": {"get"},
    "/api/v1/ledger/accounts/": {"get"},
    "/api/v1/ledger/accounts/{id}/": {"get"},
    "/api/v1/ledger/entries/": {"get"},
    "/api/v1/ledger/entries/{id}/": {"get"},
    "/api/v1/ledger/trial-balance/": {"get"},
    "/api/v1/ledger/balances/": {"get"},
    "/api/v1/changes/{id}/": {"get"},
    "/api/v1/organisations/": {"get", "post"},
    "/api/v1/organisations/{id}/": {"get", "put", "patch", "delete"},
    "/api/v1/regions/": {"get", "post"},
    "/api/v1/regions/{code}/": {"get", "put", "patch", "delete"},
    "/api/v1/stats/": {"get", "post"},
    "/api/v1/stats/{id}/": {"get", "put", "patch", "delete"},
    "/api/v1/thresholds/": {"get", "post"},
    "/api/v1/thresholds/weak/": {"get"},
    "/api/v1/thresholds/{id}/": {"get", "put", "patch", "delete"},
    "/api/v1/villages/": {"get", "post"},
    "/api/v1/villages/{code}/": {"get", "put", "patch", "delete"},
    "/api/v1/ventures/": {"get", "post"},
    "/api/v1/ventures/{id}/": {"get", "put", "patch", "delete"},
    "/api/v1/ventures/{id}/statement/": {"get"},
    "/api/v1/stakes/": {"get", "post"},
    "/api/v1/stakes/{id}/": {"get", "patch"},
    "/api/v1/contributions/": {"get", "post"},
    "/api/v1/contributions/{id}/": {"get"},
    "/api/v1/income-receipts/": {"get", "post"},
    "/api/v1/income-receipts/{id}/": {"get"},
    "/api/v1/assets/": {"get", "post"},
    "/api/v1/assets/{id}/": {"get", "put", "patch", "delete"},
    "/api/v1/tenants/": {"get", "post"},
    "/api/v1/tenants/{id}/": {"get", "put", "patch", "delete"},
    "/api/v1/runs/": {"get", "post"},
    "/api/v1/runs/{id}/": {"get"},
    "/api/v1/runs/{id}/approve/": {"post"},
    "/api/v1/runs/{id}/post/": {"post"},
    "/api/v1/runs/{id}/publish/": {"post"},
    "/api/v1/runs/{id}/reverse/": {"post"},
    "/api/v1/runs/{id}/discard/": {"post"},
    "/api/v1/distribution-lines/": {"get"},
    "/api/v1/distribution-lines/{id}/": {"get"},
    "/api/v1/notices/": {"get"},
    "/api/v1/notices/{id}/": {"get"},
    "/api/v1/indicators/": {"get"},
    "/api/v1/programmes/{code}/": {"get"},
    "/api/v1/ranking-schemes/": {"get"},
    "/api/v1/ranking-schemes/{id}/": {"get"},
    "/api/v1/ranking-snapshots/": {"get"},
    "/api/v1/ranking-snapshots/{id}/": {"get"},
    "/api/v1/scenarios/": {"get", "post"},
    "/api/v1/scenarios/compare/": {"get"},
    "/api/v1/scenarios/{id}/": {"get", "put", "patch", "delete"},
    "/api/v1/alliances/": {"get", "post"},
    "/api/v1/alliances/{id}/": {"get", "put", "patch", "delete"},
    "/api/v1/consortium-types/": {"get", "post"},
    "/api/v1/consortium-types/{id}/": {"get", "put", "patch", "delete"},
    "/api/v1/consortia/": {"get", "post"},
    "/api/v1/consortia/{id}/": {"get", "put", "patch", "delete"},
    "/api/v1/mechanisms/": {"get", "post"},
    "/api/v1/mechanisms/{id}/": {"get", "put", "patch", "delete"},
    "/api/v1/memberships/": {"get", "post"},
    "/api/v1/memberships/{id}/": {"get"},
    "/api/v1/memberships/{id}/leave/": {"post"},
    "/api/v1/meeting-series/": {"get", "post"},
    "/api/v1/meeting-series/{id}/": {"get", "put", "patch", "delete"},
    "/api/v1/meeting-series/{id}/schedule/": {"post"},
    "/api/v1/meetings/": {"get", "post"},
    "/api/v1/meetings/{id}/": {"get", "put", "patch", "delete"},
    "/api/v1/meetings/{id}/quorum/": {"get"},
    "/api/v1/agenda-items/": {"get", "post"},
    "/api/v1/agenda-items/{id}/": {"get", "put", "patch", "delete"},
    "/api/v1/attendance/": {"get", "post"},
    "/api/v1/attendance/{id}/": {"get"},
    "/api/v1/minutes/": {"get", "post"},
    "/api/v1/minutes/{id}/": {"get", "patch"},
    "/api/v1/minutes/{id}/sign-off/": {"post"},
    "/api/v1/decisions/": {"get", "post"},
    "/api/v1/decisions/{id}/": {"get"},
    "/api/v1/decisions/{id}/vote/": {"post"},
    "/api/v1/decisions/{id}/close/": {"post"},
    "/api/v1/decisions/{id}/duties/": {"post"},
    "/api/v1/votes/": {"get"},
    "/api/v1/votes/{id}/": {"get"},
    "/api/v1/duties/": {"get", "post"},
    "/api/v1/duties/{id}/": {"get"},
    "/api/v1/duties/{id}/updates/": {"get", "post"},
    "/api/v1/duties/{id}/verify/": {"post"},
    "/api/v1/duties/{id}/evidence/": {"get", "post"},
    "/api/v1/projects/": {"get", "post"},
    "/api/v1/projects/{id}/": {"get", "put", "patch", "delete"},
    "/api/v1/project-partners/": {"get", "post"},
    "/api/v1/project-partners/{id}/": {"get", "put", "patch", "delete"},
    "/api/v1/annual-plans/": {"get", "post"},
    "/api/v1/annual-plans/{id}/": {"get", "put", "patch", "delete"},
    "/api/v1/milestones/": {"get", "post"},
    "/api/v1/milestones/{id}/": {"get", "put", "patch", "delete"},
    "/api/v1/income-records/": {"get", "post"},
    "/api/v1/income-records/{id}/": {"get", "put", "patch", "delete"},
    "/api/v1/cooperation-lists/": {"get", "post"},
    "/api/v1/cooperation-lists/{id}/": {"get", "put", "patch", "delete"},
    "/api/v1/cooperation-projects/": {"get", "post"},
    "/api/v1/cooperation-projects/{id}/": {"get", "put", "patch", "delete"},
    "/api/v1/progress-reports/": {"get", "post"},
    "/api/v1/progress-reports/{id}/": {"get"},
    "/api/v1/project-attachments/": {"get", "post"},
    "/api/v1/project-attachments/{id}/": {"get"},
    # grids: reads are masked; every write goes through a service (no PUT/PATCH/DELETE).
    "/api/v1/households/": {"get", "post"},
    "/api/v1/households/{id}/": {"get"},
    "/api/v1/people/": {"get", "post"},
    "/api/v1/people/{id}/": {"get"},
    "/api/v1/people/{id}/reveal/": {"post"},
    "/api/v1/people/find/": {"post"},
    "/api/v1/grids/": {"get"},
    "/api/v1/grids/{id}/": {"get"},
    "/api/v1/micro-grids/": {"get"},
    "/api/v1/micro-grids/{id}/": {"get"},
    "/api/v1/grid-workers/": {"get"},
    "/api/v1/grid-workers/{id}/": {"get"},
    "/api/v1/grid-matters/": {"get", "post"},
    "/api/v1/grid-matters/{id}/": {"get"},
    "/api/v1/grid-matters/{id}/step/": {"post"},
    "/api/v1/screening-tasks/": {"get"},
    "/api/v1/screening-tasks/{id}/": {"get"},
    "/api/v1/screening-entries/": {"get"},
    "/api/v1/screening-entries/{id}/": {"get"},
    "/api/v1/screening-entries/{id}/check/": {"post"},
    "/api/v1/personal-data-reveals/": {"get"},
    "/api/v1/personal-data-reveals/{id}/": {"get"},
    # tourism: every write goes through a service; a spot is changed by PATCH only.
    "/api/v1/tourism/spots/": {"get", "post"},
    "/api/v1/tourism/spots/{id}/": {"get", "patch"},
    "/api/v1/tourism/grades/": {"get", "post"},
    "/api/v1/tourism/grades/{id}/": {"get"},
    "/api/v1/tourism/assessments/": {"get", "post"},
    "/api/v1/tourism/assessments/{id}/": {"get"},
    "/api/v1/tourism/associations/": {"get", "post"},
    "/api/v1/tourism/associations/{id}/": {"get"},
    "/api/v1/tourism/operators/": {"get", "post"},
    "/api/v1/tourism/operators/{id}/": {"get"},
    "/api/v1/tourism/routes/": {"get", "post"},
    "/api/v1/tourism/routes/{id}/": {"get"},
    "/api/v1/tourism/routes/{id}/stops/": {"post"},
    "/api/v1/tourism/monthly-figures/": {"get", "post"},
    "/api/v1/tourism/monthly-figures/{id}/": {"get"},
    "/api/v1/tourism/cumulative-figures/": {"get"},
    "/api/v1/tourism/cumulative-figures/{id}/": {"get"},
    "/api/v1/points-schemes/": {"get"},
    "/api/v1/points-schemes/{id}/": {"get"},
    "/api/v1/points-schemes/{id}/balances/": {"get"},
    "/api/v1/points-schemes/{id}/publish/": {"post"},
    "/api/v1/points-entries/": {"get", "post"},
    "/api/v1/points-entries/{id}/": {"get"},
    "/api/v1/points-entries/{id}/verify/": {"post"},
    "/api/v1/points-entries/{id}/reject/": {"post"},
    "/api/v1/points-entries/{id}/reverse/": {"post"},
    "/api/v1/points-entries/{id}/appeal/": {"post"},
    "/api/v1/points-appeals/": {"get"},
    "/api/v1/points-appeals/{id}/": {"get"},
    "/api/v1/points-appeals/{id}/decide/": {"post"},
    "/api/v1/points-notices/": {"get"},
    "/api/v1/points-notices/{id}/": {"get"},
    "/api/v1/points-store-items/": {"get"},
    "/api/v1/points-store-items/{id}/": {"get"},
    "/api/v1/points-store-items/{id}/redeem/": {"post"},
    "/api/v1/points-redemptions/": {"get"},
    "/api/v1/points-redemptions/{id}/": {"get"},
}


@pytest.fixture(scope="module")
def schema(tmp_path_factory):
    out = tmp_path_factory.mktemp("schema") / "schema.yaml"
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
    return yaml.safe_load(out.read_text())


def test_the_schema_has_every_endpoint_and_only_its_methods(schema):
    paths = {path: set(operations) - {"parameters"} for path, operations in schema["paths"].items()}

    assert paths == EXPECTED_PATHS


@pytest.mark.parametrize(
    ("component", "field"),
    [
        ("VillageStat", "total_income"),
        ("VillageStat", "operating_income"),
        ("VillageStat", "recurring_income"),
        ("VillageStat", "per_capita_disposable_income"),
        ("WeakVillageThreshold", "total_income_below"),
        ("WeakVillageThreshold", "operating_income_below"),
        ("WeakVillageThreshold", "recurring_income_below"),
    ],
)
def test_money_is_documented_as_integer_fen(schema, component, field):
    prop = schema["components"]["schemas"][component]["properties"][field]

    assert (prop["type"], prop["format"], prop["minimum"], prop["description"]) == (
        "integer",
        "int64",
        0,
        "In fen (1/100 yuan).",
    )


def test_the_weak_action_documents_its_query_and_paginated_villages(schema):
    operation = schema["paths"]["/api/v1/thresholds/weak/"]["get"]

    parameters = {p["name"]: p for p in operation["parameters"]}
    assert set(parameters) == {"page", "page_size", "year", "region"}
    assert parameters["year"]["required"] is True
    assert operation["responses"]["200"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/PaginatedVillageList"
    }


def test_the_schema_is_served(client, db):
    response = client.get("/api/v1/schema/?format=json")

    assert response.status_code == 200
    assert response.json()["info"]["title"] == "Baotuan API"


def test_the_api_docs_page_loads_nothing_from_the_internet(client, db):
    response = client.get("/api/v1/docs/")

    assert response.status_code == 200
    assert re.findall(r"https?://[^\"' ]+", response.content.decode()) == []


def test_schema_generation_is_warning_free():
    """`manage.py spectacular --validate --fail-on-warn` passes and says nothing."""
    stdout, stderr = StringIO(), StringIO()

    call_command(
        "spectacular", "--validate", "--fail-on-warn", "--lang", "en", stdout=stdout, stderr=stderr
    )

    assert stderr.getvalue() == ""
    assert yaml.safe_load(stdout.getvalue())["openapi"].startswith("3.")


# --- What the API says it answers (issue 10 item 10) ------------------------------------------

WRITES = {"post", "put", "patch", "delete"}


def _operations(schema):
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            if method != "parameters":
                yield path, method, operation


def test_every_operation_documents_its_errors_with_the_error_body(schema):
    missing = []
    for path, method, operation in _operations(schema):
        expected = {"401", "403", "404", "429"}
        if method in WRITES:
            expected.add("409")
        if method in {"post", "put", "patch"}:
            expected.add("400")
        if operation.get("parameters") and any(
            p["in"] == "query" for p in operation["parameters"]
        ):
            expected.add("400")
        for code in sorted(expected):
            response = operation["responses"].get(code)
            body = response and response.get("content", {}).get("application/json", {})
            if not body or body["schema"] != {"$ref": "#/components/schemas/Error"}:
                missing.append(f"{method.upper()} {path} {code}")
    assert missing == []
    error = schema["components"]["schemas"]["Error"]
    assert error["required"] == ["error"]
    body = schema["components"]["schemas"]["ErrorBody"]
    assert set(body["properties"]) == {"status", "detail"}


def test_a_401_documents_the_challenge_header(schema):
    response = schema["paths"]["/api/v1/villages/"]["get"]["responses"]["401"]
    assert "WWW-Authenticate" in response["headers"]


def test_reads_document_no_conflict(schema):
    """A GET never answers 409: it is documented on writes only."""
    assert not [
        path
        for path, method, operation in _operations(schema)
        if method == "get" and "409" in operation["responses"]
    ]


@pytest.mark.parametrize(
    ("path", "component"),
    [("/api/v1/ledger/trial-balance/", "TrialBalance"), ("/api/v1/ledger/balances/", "Balances")],
)
def test_the_ledger_reports_are_one_object_not_a_list(schema, path, component):
    body = schema["paths"][path]["get"]["responses"]["200"]["content"]["application/json"]
    assert body["schema"] == {"$ref": f"#/components/schemas/{component}"}
    assert schema["components"]["schemas"][component]["type"] == "object"


def test_nullable_fields_are_declared(schema):
    entry = schema["components"]["schemas"]["JournalEntry"]["properties"]
    assert entry["reversed_by"]["nullable"] is True
    assert entry["reverses"]["nullable"] is True


def test_the_evidence_file_is_uploaded_and_read_at_its_download_link(schema):
    evidence = schema["components"]["schemas"]["DutyEvidence"]["properties"]
    assert evidence["file"]["writeOnly"] is True
    assert (evidence["download"]["type"], evidence["download"]["format"]) == ("string", "uri")


def test_page_size_is_bounded_in_the_schema(schema):
    parameters = {p["name"]: p for p in schema["paths"]["/api/v1/villages/"]["get"]["parameters"]}
    assert parameters["page_size"]["schema"] == {
        "type": "integer", "minimum": 1, "maximum": 500, "default": 50
    }
    assert parameters["page"]["schema"]["minimum"] == 1
