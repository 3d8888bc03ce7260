"""The ventures REST API (/api/v1/): scoped reads, service-backed writes, the run workflow
as POST actions, public notices, statements, and a schema with no warnings."""

import json
from io import StringIO

import pytest
import yaml
from django.core.management import call_command

from core.roles import Role
from registry.choices import OrganisationKind
from registry.models import Organisation
from tests.support import D, make_user
from ventures import services
from ventures.choices import RunStatus
from ventures.models import DistributionRun, Stake, Venture
from ventures.tests.support import FENGSHAN, SHANTANG, XUJIADAI, snapshot

API = "/api/v1/"


@pytest.fixture
def call(client_for):
    """call(user, method, url, body=None) -> response; JSON in, English messages out."""

    def _call(user, method, url, body=None):
        client = client_for(user)
        kwargs = {"HTTP_ACCEPT_LANGUAGE": "en"}
        if body is not None:
            kwargs.update(data=json.dumps(body), content_type="application/json")
        return getattr(client, method)(url, **kwargs)

    return _call


@pytest.fixture
def outsider(tree):
    other = Organisation.objects.create(
        name="平湖市强村公司", kind=OrganisationKind.VILLAGE_COMPANY, region_id="330482"
    )
    return {
        "finance": make_user("other_finance", Role.FINANCE, organisation=other),
        "approver": make_user("other_approver", Role.APPROVER, organisation=other),
    }


def detail(response):
    body = response.json()
    assert body["error"]["status"] == response.status_code
    return body["error"]["detail"]


# --- Reading ----------------------------------------------------------------------------------


def test_signed_in_users_read_ventures_stakes_and_runs(call, posted, clerk):
    ventures = call(clerk, "get", f"{API}ventures/").json()
    stakes = call(clerk, "get", f"{API}stakes/?venture={posted.venture_id}").json()
    run = call(clerk, "get", f"{API}runs/{posted.pk}/").json()

    assert [v["name"] for v in ventures["results"]] == ["平湖—青田山海协作消薄飞地产业园"]
    assert [(s["holder"], s["holder_name"], s["units"]) for s in stakes["results"]] == [
        (f"village:{FENGSHAN}", "峰山村", 600),
        (f"village:{XUJIADAI}", "徐家埭村", 300),
        (f"village:{SHANTANG}", "山塘村", 100),
    ]
    assert (run["status"], run["total"], run["distributed_amount"]) == (
        "posted",
        100_000_000,
        100_000_000,
    )


def test_anonymous_visitors_read_no_ventures_but_read_notices(call, posted, finance):
    notice = services.publish_run(posted, actor=finance)

    assert call(None, "get", f"{API}ventures/").status_code == 401  # not signed in
    listed = call(None, "get", f"{API}notices/").json()
    one = call(None, "get", f"{API}notices/{notice.pk}/").json()

    assert [n["content_hash"] for n in listed["results"]] == [notice.content_hash]
    assert "payload" not in listed["results"][0]
    assert one["payload"]["totals"]["distributed"] == 100_000_000


def test_lines_are_listed_by_run(call, posted, auditor):
    lines = call(auditor, "get", f"{API}distribution-lines/?run={posted.pk}").json()["results"]

    assert [(line["holder"], line["amount"]) for line in lines] == [
        (f"village:{FENGSHAN}", 60_000_000),
        (f"village:{XUJIADAI}", 30_000_000),
        (f"village:{SHANTANG}", 10_000_000),
    ]


def test_a_holder_statement(call, posted, auditor, venture):
    response = call(
        auditor, "get", f"{API}ventures/{venture.pk}/statement/?holder=village:{XUJIADAI}"
    )

    body = response.json()
    assert response.status_code == 200
    assert (body["holder_name"], body["total_contributed"], body["total_returned"]) == (
        "徐家埭村",
        0,
        30_000_000,
    )
    assert body["years"] == [
        {
            "year": 2023,
            "contributed": {"cash": 0, "land_quota": 0, "subsidy_equity": 0},
            "returned": 30_000_000,
        }
    ]
    assert [(r["run"], r["amount"], r["net"], r["status"]) for r in body["returns"]] == [
        (posted.pk, 30_000_000, 30_000_000, "posted")
    ]


@pytest.mark.parametrize("holder", ["nobody", "village:1"])
def test_a_statement_refuses_a_malformed_holder(call, venture, auditor, holder):
    response = call(auditor, "get", f"{API}ventures/{venture.pk}/statement/?holder={holder}")

    assert response.status_code == 400


# --- Writing the register and money -----------------------------------------------------------

WRITES = {
    "stakes": lambda v: {
        "venture": v,
        "holder": f"village:{XUJIADAI}",
        "units": 5,
        "effective_from": "2030-01-01",
    },
    "contributions": lambda v: {
        "venture": v,
        "holder": f"village:{FENGSHAN}",
        "kind": "land_quota",
        "amount": 30_000_000,
        "contributed_on": "2018-01-10",
    },
    "income-receipts": lambda v: {
        "venture": v,
        "kind": "rent",
        "amount": 100,
        "received_on": "2023-12-21",
    },
}


@pytest.mark.parametrize("endpoint", WRITES)
@pytest.mark.parametrize("persona", [None, "auditor", "clerk", "other_finance"])
def test_writes_are_refused_without_finance_in_scope_and_change_nothing(
    call, venture, tree, request, outsider, endpoint, persona
):
    user = (
        outsider["finance"]
        if persona == "other_finance"
        else (request.getfixturevalue(persona) if persona else None)
    )
    before = snapshot()

    response = call(user, "post", f"{API}{endpoint}/", WRITES[endpoint](venture.pk))

    assert response.status_code == (401 if persona is None else 403)
    assert snapshot() == before


@pytest.mark.parametrize("endpoint", WRITES)
def test_finance_writes_through_the_services(call, venture, tree, finance, endpoint):
    response = call(finance, "post", f"{API}{endpoint}/", WRITES[endpoint](venture.pk))

    assert response.status_code == 201, response.json()
    body = response.json()
    if endpoint != "stakes":
        assert body["entry"] is not None


def test_an_overlapping_stake_is_a_400_and_changes_nothing(call, register, finance, venture):
    before = snapshot()

    response = call(
        finance,
        "post",
        f"{API}stakes/",
        {
            "venture": venture.pk,
            "holder": f"village:{FENGSHAN}",
            "units": 1,
            "effective_from": "2020-01-01",
        },
    )

    assert response.status_code == 400
    assert "already holds a stake" in detail(response)["non_field_errors"][0]
    assert snapshot() == before


def test_a_stake_is_ended_with_patch(call, register, finance):
    stake = register[FENGSHAN]

    response = call(finance, "patch", f"{API}stakes/{stake.pk}/", {"effective_to": "2022-12-31"})

    assert response.status_code == 200
    assert Stake.objects.get(pk=stake.pk).effective_to == D("2022-12-31")


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"amount": -5}, "amount"),
        ({"amount": 0}, "amount"),
        ({"amount": 12.5}, "amount"),
        ({"amount": "100.00"}, "amount"),
        ({"colour": "red"}, "colour"),
        ({"entry": 1}, "entry"),
    ],
)
def test_bad_income_is_refused_and_changes_nothing(call, venture, finance, body, field):
    before = snapshot()

    response = call(
        finance, "post", f"{API}income-receipts/", {**WRITES["income-receipts"](venture.pk), **body}
    )

    assert response.status_code == 400
    assert field in detail(response)
    assert snapshot() == before


def test_finance_of_the_company_creates_a_venture(call, finance, enclave_company):
    response = call(
        finance,
        "post",
        f"{API}ventures/",
        {
            "name": "青田强村公司",
            "kind": "village_company",
            "organisation": enclave_company.pk,
        },
    )

    assert response.status_code == 201
    assert Venture.objects.get(name="青田强村公司").organisation == enclave_company


# --- The run workflow -------------------------------------------------------------------------


def test_the_whole_workflow_through_the_api(call, venture, income_2023, finance, approver):
    prepared = call(
        finance,
        "post",
        f"{API}runs/",
        {
            "venture": venture.pk,
            "period_start": "2023-01-01",
            "period_end": "2023-12-31",
            "policy": "floor_pro_rata",
            "params": {"floor": 20_000_000, "reserve_rate": "10%"},
        },
    )
    assert prepared.status_code == 201, prepared.json()
    run = prepared.json()["id"]

    approved = call(approver, "post", f"{API}runs/{run}/approve/")
    posted = call(finance, "post", f"{API}runs/{run}/post/", {"date": "2024-01-15"})
    published = call(approver, "post", f"{API}runs/{run}/publish/")
    reversed_ = call(
        approver,
        "post",
        f"{API}runs/{run}/reverse/",
        {"reason": "wrong register", "date": "2024-02-01"},
    )

    assert [r.status_code for r in (approved, posted, published, reversed_)] == [200, 200, 201, 200]
    assert prepared.json()["reserve_amount"] == 10_000_000
    assert posted.json()["posted_entry"] is not None
    assert published.json()["payload"]["totals"]["distributed"] == 90_000_000
    assert reversed_.json()["status"] == "reversed"
    assert DistributionRun.objects.get(pk=run).notices.count() == 2


def test_self_approval_is_a_403_and_changes_nothing(call, prepared, finance, enclave_company):
    from accounts.models import Grant

    Grant.objects.create(user=finance, role=Role.APPROVER, organisation=enclave_company)
    before = snapshot()

    response = call(finance, "post", f"{API}runs/{prepared.pk}/approve/")

    assert response.status_code == 403
    assert "another person must approve" in detail(response)["detail"]
    assert snapshot() == before


@pytest.mark.parametrize("persona", [None, "auditor", "other_approver"])
def test_approval_out_of_scope_is_refused_and_changes_nothing(
    call, prepared, request, outsider, persona
):
    user = (
        outsider["approver"]
        if persona == "other_approver"
        else (request.getfixturevalue(persona) if persona else None)
    )
    before = snapshot()

    response = call(user, "post", f"{API}runs/{prepared.pk}/approve/")

    assert response.status_code in (401, 403, 404)
    expected = {None: 401, "other_approver": 404}.get(persona, 403)
    assert response.status_code == expected
    assert snapshot() == before


def test_posting_twice_is_a_409_and_changes_nothing(call, posted, finance):
    before = snapshot()

    response = call(finance, "post", f"{API}runs/{posted.pk}/post/", {})

    assert response.status_code == 409
    assert "posted already" in detail(response)["detail"]
    assert snapshot() == before


def test_posting_an_unapproved_run_is_a_409(call, prepared, finance):
    response = call(finance, "post", f"{API}runs/{prepared.pk}/post/", {})

    assert response.status_code == 409
    assert DistributionRun.objects.get(pk=prepared.pk).status == RunStatus.PREPARED


def test_a_bad_preparation_is_a_400_and_changes_nothing(call, venture, register, finance):
    before = snapshot()

    response = call(
        finance,
        "post",
        f"{API}runs/",
        {
            "venture": venture.pk,
            "period_start": "2023-01-01",
            "period_end": "2023-12-31",
            "policy": "pro_rata",
            "params": {},
            "extra": 1,
        },
    )
    nothing = call(
        finance,
        "post",
        f"{API}runs/",
        {
            "venture": venture.pk,
            "period_start": "2023-01-01",
            "period_end": "2023-12-31",
            "policy": "pro_rata",
        },
    )

    assert response.status_code == 400
    assert "extra" in detail(response)
    assert nothing.status_code == 400
    assert "Nothing to distribute" in detail(nothing)["non_field_errors"][0]
    assert snapshot() == before


def test_runs_and_lines_cannot_be_edited_through_the_api(call, posted, finance, admin):
    for user in (finance, admin):
        assert call(user, "patch", f"{API}runs/{posted.pk}/", {"total": 1}).status_code == 405
        assert call(user, "delete", f"{API}runs/{posted.pk}/").status_code == 405
        assert call(user, "post", f"{API}distribution-lines/", {}).status_code == 405
        assert call(user, "delete", f"{API}notices/1/").status_code == 405


def test_discarding_a_prepared_run(call, prepared, finance):
    response = call(finance, "post", f"{API}runs/{prepared.pk}/discard/")

    assert response.status_code == 204
    assert not DistributionRun.objects.exists()


# --- Schema -----------------------------------------------------------------------------------


def test_the_schema_with_the_ventures_api_has_no_warnings(tmp_path, db):
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
    paths = yaml.safe_load(out.read_text())["paths"]
    ventures = {
        path: set(ops) - {"parameters"}
        for path, ops in paths.items()
        if path.split("/")[3]
        in {
            "ventures",
            "stakes",
            "contributions",
            "income-receipts",
            "assets",
            "tenants",
            "runs",
            "distribution-lines",
            "notices",
        }
    }
    assert ventures == {
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
    }
