"""The registry REST API (/api/v1/): scope on every write, strict input, logged changes.

Every write endpoint is tried four ways (NetBox's view tests): anonymous, without a write
role, with a write role but the wrong scope, and in scope. A refused write must leave the
database exactly as it was, change log included.
"""

import json

import pytest

from accounts.models import Grant, User
from audit.models import ObjectChange
from core.roles import Role
from registry.choices import OrganisationKind, RegionLevel, VillageKind
from registry.models import Organisation, Region, Village, VillageStat, WeakVillageThreshold

XUJIADAI, SHANTANG, FENGSHAN = "330482107208", "330482106209", "331121201201"
API = "/api/v1/"


@pytest.fixture
def world(tree, enclave_company):
    """The conftest tree plus an empty township, two 2023 rows, a line and two companies."""
    Region.objects.create(
        code="330482108", name="独山港镇", level=RegionLevel.TOWNSHIP, parent_id="330482"
    )
    xujiadai_stat = VillageStat.objects.create(
        village_id=XUJIADAI,
        year=2023,
        total_income=1_000_000_00,
        operating_income=600_000_00,
        population=3200,
    )
    # 峰山村: 300,000 yuan a year (FACTS.md).
    fengshan_stat = VillageStat.objects.create(
        village_id=FENGSHAN, year=2023, total_income=300_000_00
    )
    threshold = WeakVillageThreshold.objects.create(
        name="测试薄弱村标准", region_id="33", valid_from=2021, total_income_below=500_000_00
    )
    pinghu_org = Organisation.objects.create(
        name="平湖市强村公司", kind=OrganisationKind.VILLAGE_COMPANY, region_id="330482"
    )
    return {
        "xujiadai_stat": xujiadai_stat.pk,
        "fengshan_stat": fengshan_stat.pk,
        "threshold": threshold.pk,
        "enclave": enclave_company.pk,
        "pinghu_org": pinghu_org.pk,
    }


@pytest.fixture
def personas(world, admin, clerk, other_clerk, auditor, finance):
    pinghu_admin = User.objects.create_user(username="pinghu_admin", password="pw")
    Grant.objects.create(user=pinghu_admin, role=Role.CITY_ADMIN, region_id="330482")
    return {
        "anonymous": None,
        "admin": admin,
        "pinghu_admin": pinghu_admin,
        "clerk": clerk,
        "other_clerk": other_clerk,
        "auditor": auditor,
        "finance": finance,
    }


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


def snapshot() -> dict:
    """Every registry row and the size of the change log: what a refused write must keep."""
    rows = {
        model.__name__: list(model.objects.order_by("pk").values())
        for model in (Region, Village, VillageStat, WeakVillageThreshold, Organisation)
    }
    rows["changes"] = ObjectChange.objects.count()
    return rows


def errors(response) -> dict:
    body = response.json()
    assert body["error"]["status"] == response.status_code
    return body["error"]["detail"]


# --- The write matrix -----------------------------------------------------------------------

# endpoint: (list url, detail url, body for POST, body for PUT, body for PATCH)
ENDPOINTS = {
    "regions": (
        "regions/",
        "regions/330482107/",
        {"code": "330482109", "name": "新仓镇"},
        {"code": "330482107", "name": "林埭镇（新）"},
        {"name": "林埭镇（新）"},
    ),
    "villages": (
        "villages/",
        f"villages/{XUJIADAI}/",
        {"code": "330482107299", "name": "新建村村民委员会"},
        {"code": XUJIADAI, "name": "徐家埭村村民委员会", "short_name": "徐家埭", "kind": "village"},
        {"short_name": "徐家埭"},
    ),
    "stats": (
        "stats/",
        "stats/{xujiadai_stat}/",
        {"village": XUJIADAI, "year": 2024, "total_income": 1_200_000_00},
        {"village": XUJIADAI, "year": 2023, "total_income": 1_100_000_00},
        {"total_income": 1_100_000_00},
    ),
    "thresholds": (
        "thresholds/",
        "thresholds/{threshold}/",
        {"name": "平湖标准", "region": "330482", "valid_from": 2024, "total_income_below": 1},
        {"name": "测试薄弱村标准", "region": "33", "valid_from": 2022, "total_income_below": 1},
        {"valid_to": 2025},
    ),
    "organisations": (
        "organisations/",
        "organisations/{enclave}/",
        {"name": "新公司", "kind": "enterprise", "region": "331121"},
        {"name": "青田强村公司", "kind": "joint_investment", "region": "331121"},
        {"description": "飞地"},
    ),
}


def _all_methods(persona, endpoints, status):
    for endpoint in endpoints:
        list_url, detail_url, post, put, patch = ENDPOINTS[endpoint]
        for method, url, body in (
            ("post", list_url, post),
            ("put", detail_url, put),
            ("patch", detail_url, patch),
            ("delete", detail_url, None),
        ):
            yield pytest.param(
                persona, method, url, body, status, id=f"{persona}_{method}_{endpoint}_case"
            )


REFUSED = [
    # Anonymous visitors and auditors write nothing; nor do roles without a write role here.
    # (Anonymous: 401, "sign in first", with WWW-Authenticate.)
    *_all_methods("anonymous", ENDPOINTS, 401),
    *_all_methods("auditor", ENDPOINTS, 403),
    *_all_methods("finance", ENDPOINTS, 403),
    *_all_methods("clerk", ["regions", "villages", "thresholds", "organisations"], 403),
    # Wrong scope: rows outside it are not found; creating outside it is forbidden.
    pytest.param(
        "other_clerk",
        "post",
        "stats/",
        ENDPOINTS["stats"][2],
        403,
        id="other_clerk_post_stats_for_another_village_case",
    ),
    *[
        pytest.param(
            "other_clerk",
            method,
            "stats/{xujiadai_stat}/",
            body,
            404,
            id=f"other_clerk_{method}_stats_of_another_village_case",
        )
        for method, body in (
            ("put", ENDPOINTS["stats"][3]),
            ("patch", ENDPOINTS["stats"][4]),
            ("delete", None),
        )
    ],
    pytest.param(
        "other_clerk",
        "patch",
        "stats/{fengshan_stat}/",
        {"village": XUJIADAI, "year": 2022},
        403,
        id="other_clerk_moves_own_stats_to_another_village_case",
    ),
    pytest.param(
        "other_clerk",
        "put",
        "stats/{fengshan_stat}/",
        {"village": XUJIADAI, "year": 2022, "total_income": 1},
        403,
        id="other_clerk_puts_own_stats_into_another_village_case",
    ),
    pytest.param(
        "pinghu_admin",
        "post",
        "regions/",
        ENDPOINTS["regions"][2],
        403,
        id="region_admin_post_regions_case",
    ),
    *[
        pytest.param(
            "pinghu_admin",
            method,
            "regions/330482107/",
            body,
            404,
            id=f"region_admin_{method}_regions_case",
        )
        for method, body in (
            ("put", ENDPOINTS["regions"][3]),
            ("patch", ENDPOINTS["regions"][4]),
            ("delete", None),
        )
    ],
    pytest.param(
        "pinghu_admin",
        "post",
        "villages/",
        {"code": "331121201299", "name": "新峰村村委会"},
        403,
        id="region_admin_post_village_outside_region_case",
    ),
    *[
        pytest.param(
            "pinghu_admin",
            method,
            f"villages/{FENGSHAN}/",
            body,
            404,
            id=f"region_admin_{method}_village_outside_region_case",
        )
        for method, body in (
            (
                "put",
                {"code": FENGSHAN, "name": "峰山村村委会", "short_name": "峰山", "kind": "village"},
            ),
            ("patch", {"short_name": "峰山"}),
            ("delete", None),
        )
    ],
    pytest.param(
        "pinghu_admin",
        "post",
        "thresholds/",
        ENDPOINTS["thresholds"][2],
        403,
        id="region_admin_post_thresholds_case",
    ),
    *[
        pytest.param(
            "pinghu_admin",
            method,
            "thresholds/{threshold}/",
            body,
            404,
            id=f"region_admin_{method}_thresholds_case",
        )
        for method, body in (
            ("put", ENDPOINTS["thresholds"][3]),
            ("patch", ENDPOINTS["thresholds"][4]),
            ("delete", None),
        )
    ],
    pytest.param(
        "pinghu_admin",
        "post",
        "organisations/",
        ENDPOINTS["organisations"][2],
        403,
        id="region_admin_post_organisation_outside_region_case",
    ),
    *[
        pytest.param(
            "pinghu_admin",
            method,
            "organisations/{enclave}/",
            body,
            404,
            id=f"region_admin_{method}_organisation_outside_region_case",
        )
        for method, body in (
            ("put", ENDPOINTS["organisations"][3]),
            ("patch", ENDPOINTS["organisations"][4]),
            ("delete", None),
        )
    ],
    pytest.param(
        "pinghu_admin",
        "patch",
        "organisations/{pinghu_org}/",
        {"region": "331121"},
        403,
        id="region_admin_moves_organisation_out_of_region_case",
    ),
]


@pytest.mark.parametrize(("persona", "method", "url", "body", "status"), REFUSED)
def test_a_refused_write_changes_nothing(call, personas, world, persona, method, url, body, status):
    before = snapshot()

    response = call(personas[persona], method, API + url.format(**world), body)

    assert response.status_code == status
    assert snapshot() == before


def test_an_anonymous_write_is_refused_in_the_error_shape(call, personas):
    response = call(None, "post", API + "stats/", ENDPOINTS["stats"][2])

    assert response["WWW-Authenticate"] == "Token"
    assert response.json() == {
        "error": {
            "status": 401,
            "detail": {"detail": "Authentication credentials were not provided."},
        }
    }


def test_a_row_outside_the_scope_is_not_found(call, personas, world):
    response = call(
        personas["other_clerk"],
        "patch",
        API + f"stats/{world['xujiadai_stat']}/",
        {"total_income": 1},
    )

    assert response.json() == {
        "error": {"status": 404, "detail": {"detail": "No VillageStat matches the given query."}}
    }


# (persona, method, url, body, status, model, the changed row's pk or None when created)
ACCEPTED = [
    *[
        pytest.param(
            "clerk",
            method,
            url,
            body,
            status,
            VillageStat,
            pk,
            id=f"clerk_{method}_own_stats_case",
        )
        for method, url, body, status, pk in (
            ("post", "stats/", ENDPOINTS["stats"][2], 201, None),
            ("put", "stats/{xujiadai_stat}/", ENDPOINTS["stats"][3], 200, "{xujiadai_stat}"),
            ("patch", "stats/{xujiadai_stat}/", ENDPOINTS["stats"][4], 200, "{xujiadai_stat}"),
            ("delete", "stats/{xujiadai_stat}/", None, 204, "{xujiadai_stat}"),
        )
    ],
    pytest.param(
        "admin",
        "patch",
        "stats/{fengshan_stat}/",
        {"population": 1480},
        200,
        VillageStat,
        "{fengshan_stat}",
        id="admin_patch_any_stats_case",
    ),
    pytest.param(
        "other_clerk",
        "patch",
        "stats/{fengshan_stat}/",
        {"year": 2022},
        200,
        VillageStat,
        "{fengshan_stat}",
        id="other_clerk_patch_own_stats_case",
    ),
    *[
        pytest.param(
            "admin", method, url, body, status, Village, pk, id=f"admin_{method}_villages_case"
        )
        for method, url, body, status, pk in (
            ("post", "villages/", ENDPOINTS["villages"][2], 201, None),
            ("put", f"villages/{XUJIADAI}/", ENDPOINTS["villages"][3], 200, XUJIADAI),
            ("patch", f"villages/{XUJIADAI}/", ENDPOINTS["villages"][4], 200, XUJIADAI),
            ("delete", f"villages/{SHANTANG}/", None, 204, SHANTANG),
        )
    ],
    pytest.param(
        "pinghu_admin",
        "patch",
        f"villages/{SHANTANG}/",
        {"short_name": "明月山塘"},
        200,
        Village,
        SHANTANG,
        id="region_admin_patch_village_in_region_case",
    ),
    pytest.param(
        "pinghu_admin",
        "post",
        "villages/",
        ENDPOINTS["villages"][2],
        201,
        Village,
        None,
        id="region_admin_post_village_in_region_case",
    ),
    *[
        pytest.param(
            "admin", method, url, body, status, Region, pk, id=f"admin_{method}_regions_case"
        )
        for method, url, body, status, pk in (
            ("post", "regions/", ENDPOINTS["regions"][2], 201, None),
            ("put", "regions/330482107/", ENDPOINTS["regions"][3], 200, "330482107"),
            ("patch", "regions/330482107/", ENDPOINTS["regions"][4], 200, "330482107"),
            ("delete", "regions/330482108/", None, 204, "330482108"),
        )
    ],
    *[
        pytest.param(
            "admin",
            method,
            url,
            body,
            status,
            WeakVillageThreshold,
            pk,
            id=f"admin_{method}_thresholds_case",
        )
        for method, url, body, status, pk in (
            ("post", "thresholds/", ENDPOINTS["thresholds"][2], 201, None),
            ("put", "thresholds/{threshold}/", ENDPOINTS["thresholds"][3], 200, "{threshold}"),
            ("patch", "thresholds/{threshold}/", ENDPOINTS["thresholds"][4], 200, "{threshold}"),
            ("delete", "thresholds/{threshold}/", None, 204, "{threshold}"),
        )
    ],
    *[
        pytest.param(
            "admin",
            method,
            url,
            body,
            status,
            Organisation,
            pk,
            id=f"admin_{method}_organisations_case",
        )
        for method, url, body, status, pk in (
            ("post", "organisations/", ENDPOINTS["organisations"][2], 201, None),
            ("put", "organisations/{enclave}/", ENDPOINTS["organisations"][3], 200, "{enclave}"),
            ("patch", "organisations/{enclave}/", ENDPOINTS["organisations"][4], 200, "{enclave}"),
            # 平湖市强村公司: nobody holds a grant on it (the enclave company's grants PROTECT it).
            ("delete", "organisations/{pinghu_org}/", None, 204, "{pinghu_org}"),
        )
    ],
    pytest.param(
        "pinghu_admin",
        "post",
        "organisations/",
        {"name": "广陈强村公司", "kind": "village_company", "region": "330482106"},
        201,
        Organisation,
        None,
        id="region_admin_post_organisation_in_region_case",
    ),
    pytest.param(
        "pinghu_admin",
        "patch",
        "organisations/{pinghu_org}/",
        {"region": "330482107"},
        200,
        Organisation,
        "{pinghu_org}",
        id="region_admin_moves_organisation_within_region_case",
    ),
]


@pytest.mark.parametrize(("persona", "method", "url", "body", "status", "model", "pk"), ACCEPTED)
def test_a_write_in_scope_is_done_and_logged_with_before_and_after(
    call, personas, world, persona, method, url, body, status, model, pk
):
    user = personas[persona]
    url = API + url.format(**world)
    pk = pk.format(**world) if pk else None
    before = model.objects.get(pk=pk).to_change_dict() if pk else None
    logged = ObjectChange.objects.count()

    response = call(user, method, url, body)

    assert response.status_code == status, response.content
    assert ObjectChange.objects.count() == logged + 1
    change = ObjectChange.objects.order_by("-pk").first()
    if pk is None:
        pk = response.json()[model._meta.pk.name]
    row = model.objects.filter(pk=pk).first()
    after = row.to_change_dict() if row is not None else None
    expected_action = {"post": "create", "put": "update", "patch": "update", "delete": "delete"}
    assert (change.action, change.object_pk) == (expected_action[method], str(pk))
    assert change.content_type.model_class() is model
    assert (change.user, change.user_name, change.source, change.path) == (
        user,
        user.username,
        "api",
        url,
    )
    assert (change.prechange_data, change.postchange_data) == (before, after)
    if method == "delete":
        assert row is None
    else:
        assert after != before
        assert {k: response.json()[k] for k in body if k in response.json()} == body


def test_a_clerks_update_is_logged_field_by_field(call, personas, world):
    pk = world["xujiadai_stat"]

    response = call(
        personas["clerk"],
        "patch",
        API + f"stats/{pk}/",
        {"total_income": "110000000", "households": 1050},
    )

    assert response.status_code == 200
    assert response.json() == {
        "id": pk,
        "village": XUJIADAI,
        "village_name": "徐家埭村",
        "year": 2023,
        "total_income": 110_000_000,
        "operating_income": 60_000_000,
        "recurring_income": None,
        "population": 3200,
        "households": 1050,
        "per_capita_disposable_income": None,
        "is_illustrative": False,
    }
    change = ObjectChange.objects.get(object_pk=str(pk), action="update")
    unchanged = {
        "id": pk,
        "village_id": XUJIADAI,
        "year": 2023,
        "operating_income": 60_000_000,
        "recurring_income": None,
        "population": 3200,
        "per_capita_disposable_income": None,
        "is_illustrative": False,
    }
    assert change.prechange_data == {**unchanged, "total_income": 100_000_000, "households": None}
    assert change.postchange_data == {**unchanged, "total_income": 110_000_000, "households": 1050}
    assert change.changed_fields == ["households", "total_income"]
    assert (change.user, change.source) == (personas["clerk"], "api")


def test_a_write_with_nothing_changed_logs_nothing(call, personas, world):
    logged = ObjectChange.objects.count()

    response = call(
        personas["clerk"],
        "patch",
        API + f"stats/{world['xujiadai_stat']}/",
        {"total_income": 100_000_000},
    )

    assert response.status_code == 200
    assert ObjectChange.objects.count() == logged


# --- Conflicts ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "name"),
    [
        pytest.param(f"villages/{XUJIADAI}/", "徐家埭村", id="village_with_statistics_case"),
        pytest.param("regions/330482107/", "林埭镇", id="township_with_villages_case"),
        pytest.param("regions/330482/", "平湖市", id="county_with_townships_case"),
    ],
)
def test_deleting_a_unit_still_in_use_is_a_conflict(call, personas, world, url, name):
    before = snapshot()

    response = call(personas["admin"], "delete", API + url)

    assert response.status_code == 409
    assert errors(response) == {
        "detail": f"“{name}” is still referred to by other data and cannot be deleted."
    }
    assert snapshot() == before


# --- Strict input ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "body", "expected"),
    [
        pytest.param(
            "stats/",
            {"village": XUJIADAI, "year": 2024, "total_income": 1, "totl_income": 2},
            {"totl_income": ["Unknown field."]},
            id="unknown_field_case",
        ),
        pytest.param(
            "stats/",
            {"village": XUJIADAI, "year": 2024, "total_income": 1, "village_name": "徐家埭村"},
            {"village_name": ["This field is read-only."]},
            id="read_only_field_case",
        ),
        pytest.param(
            "stats/",
            {"year": 2024, "total_income": -1, "bogus": True},
            {
                "village": ["This field is required."],
                "total_income": ["Ensure this value is greater than or equal to 0."],
                "bogus": ["Unknown field."],
            },
            id="unknown_field_reported_with_other_errors_case",
        ),
        pytest.param(
            "stats/",
            [{"village": XUJIADAI}],
            {"non_field_errors": ["Invalid data. Expected a dictionary, but got list."]},
            id="not_an_object_case",
        ),
        pytest.param(
            "villages/",
            {"code": "330482107299", "name": "新建村", "township": {"code": "330482107"}},
            {"township": ["This field is read-only."]},
            id="nested_read_only_field_case",
        ),
    ],
)
def test_unexpected_keys_are_refused(call, personas, world, url, body, expected):
    before = snapshot()

    response = call(personas["admin"], "post", API + url, body)

    assert response.status_code == 400
    assert errors(response) == expected
    assert snapshot() == before


FEN_ERROR = ["Enter a whole number of fen (1/100 yuan), without a decimal point."]


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        pytest.param(12.5, FEN_ERROR, id="float_case"),
        pytest.param(12.0, FEN_ERROR, id="whole_float_case"),
        pytest.param("12.50", FEN_ERROR, id="decimal_string_case"),
        pytest.param("1e3", FEN_ERROR, id="exponent_string_case"),
        pytest.param(True, FEN_ERROR, id="boolean_case"),
        pytest.param(-1, ["Ensure this value is greater than or equal to 0."], id="negative_case"),
        pytest.param(
            2**63,
            ["Ensure this value is less than or equal to 9223372036854775807."],
            id="beyond_bigint_case",
        ),
    ],
)
def test_money_must_be_a_whole_non_negative_number_of_fen(call, personas, world, value, expected):
    before = snapshot()

    response = call(
        personas["clerk"],
        "post",
        API + "stats/",
        {"village": XUJIADAI, "year": 2024, "total_income": value},
    )

    assert response.status_code == 400
    assert errors(response) == {"total_income": expected}
    assert snapshot() == before


@pytest.mark.parametrize(
    ("value", "stored"),
    [
        pytest.param(120_000_000, 120_000_000, id="integer_case"),
        pytest.param("120000000", 120_000_000, id="digit_string_case"),
        pytest.param(0, 0, id="zero_case"),
    ],
)
def test_money_is_stored_as_given_in_fen(call, personas, world, value, stored):
    response = call(
        personas["clerk"],
        "post",
        API + "stats/",
        {"village": XUJIADAI, "year": 2024, "total_income": value},
    )

    assert response.status_code == 201
    assert response.json()["total_income"] == stored
    assert VillageStat.objects.get(village_id=XUJIADAI, year=2024).total_income == stored


def test_a_second_row_for_the_same_village_and_year_is_a_clean_400(call, personas, world):
    before = snapshot()

    response = call(
        personas["clerk"],
        "post",
        API + "stats/",
        {"village": XUJIADAI, "year": 2023, "total_income": 1},
    )

    assert response.status_code == 400
    assert errors(response) == {
        "non_field_errors": ["The fields village, year must make a unique set."]
    }
    assert snapshot() == before


def test_moving_a_row_onto_an_existing_village_year_is_a_clean_400(call, personas, world):
    VillageStat.objects.create(village_id=XUJIADAI, year=2022, total_income=1)
    before = snapshot()

    response = call(
        personas["clerk"], "patch", API + f"stats/{world['xujiadai_stat']}/", {"year": 2022}
    )

    assert response.status_code == 400
    assert errors(response) == {
        "non_field_errors": ["The fields village, year must make a unique set."]
    }
    assert snapshot() == before


@pytest.mark.parametrize(
    ("method", "url", "body", "expected"),
    [
        pytest.param(
            "post",
            "regions/",
            {"code": "33048210", "name": "x"},
            {"code": ["A region code has 2, 4, 6 or 9 digits."]},
            id="region_code_length_case",
        ),
        pytest.param(
            "post",
            "regions/",
            {"code": "330483101", "name": "x"},
            {"code": ["No parent region with code 330483."]},
            id="region_without_parent_case",
        ),
        pytest.param(
            "post",
            "regions/",
            {"code": "330482107", "name": "x"},
            {"code": ["region with this code already exists."]},
            id="region_duplicate_case",
        ),
        pytest.param(
            "put",
            "regions/330482107/",
            {"code": "330482109", "name": "x"},
            {"code": ["The code of an existing unit cannot be changed."]},
            id="region_code_change_case",
        ),
        pytest.param(
            "post",
            "villages/",
            {"code": "33048210729", "name": "x"},
            {"code": ["A village code has 12 digits."]},
            id="village_code_length_case",
        ),
        pytest.param(
            "post",
            "villages/",
            {"code": "330482199201", "name": "x"},
            {"code": ["No township with code 330482199."]},
            id="village_without_township_case",
        ),
        pytest.param(
            "patch",
            f"villages/{XUJIADAI}/",
            {"code": "330482107299"},
            {"code": ["The code of an existing unit cannot be changed."]},
            id="village_code_change_case",
        ),
        pytest.param(
            "post",
            "villages/",
            {"code": "330482107299", "name": "x", "kind": "hamlet"},
            {"kind": ['"hamlet" is not a valid choice.']},
            id="village_kind_case",
        ),
        pytest.param(
            "post",
            "stats/",
            {"village": "330482107299", "year": 2024, "total_income": 1},
            {"village": ['Invalid pk "330482107299" - object does not exist.']},
            id="stats_unknown_village_case",
        ),
        pytest.param(
            "post",
            "stats/",
            {"village": XUJIADAI, "year": 1900, "total_income": 1},
            {"year": ["Ensure this value is greater than or equal to 1949."]},
            id="stats_year_case",
        ),
        pytest.param(
            "post",
            "thresholds/",
            {"name": "x", "region": "33", "valid_from": 2024},
            {"non_field_errors": ["Set at least one of the income lines."]},
            id="threshold_without_line_case",
        ),
        pytest.param(
            "patch",
            "thresholds/{threshold}/",
            {"total_income_below": None},
            {"non_field_errors": ["Set at least one of the income lines."]},
            id="threshold_line_removed_case",
        ),
        pytest.param(
            "patch",
            "thresholds/{threshold}/",
            {"valid_to": 2020},
            {"valid_to": ["The last year cannot be before the first year."]},
            id="threshold_period_order_case",
        ),
        pytest.param(
            "post",
            "organisations/",
            {"name": "平湖市强村公司", "kind": "village_company"},
            {"name": ["organisation with this name already exists."]},
            id="organisation_duplicate_case",
        ),
        pytest.param(
            "patch",
            "organisations/{enclave}/",
            {"villages": [XUJIADAI]},
            {"villages": ["This field is read-only."]},
            id="organisation_villages_case",
        ),
    ],
)
def test_invalid_input_is_refused_with_field_errors(
    call, personas, world, method, url, body, expected
):
    before = snapshot()

    response = call(personas["admin"], method, API + url.format(**world), body)

    assert response.status_code == 400
    assert errors(response) == expected
    assert snapshot() == before


def test_a_new_village_takes_township_county_name_and_kind_from_code_and_name(
    call, personas, world
):
    response = call(
        personas["admin"],
        "post",
        API + "villages/",
        {"code": "330482106299", "name": "新港社区居民委员会"},
    )

    assert response.status_code == 201
    assert response.json() == {
        "code": "330482106299",
        "name": "新港社区居民委员会",
        "short_name": "新港社区",
        "kind": "community",
        "township": {"code": "330482106", "name": "广陈镇"},
        "county": {"code": "330482", "name": "平湖市"},
    }


def test_a_new_region_takes_level_and_parent_from_its_code(call, personas, world):
    response = call(
        personas["admin"], "post", API + "regions/", {"code": "330482109", "name": "新仓镇"}
    )

    assert response.status_code == 201
    assert response.json() == {
        "code": "330482109",
        "name": "新仓镇",
        "level": 9,
        "parent": "330482",
        "children_count": 0,
    }


# --- Reading --------------------------------------------------------------------------------


def test_anonymous_visitors_cannot_read_the_registry(call, personas):
    response = call(None, "get", API + "villages/")

    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Token"


def test_a_region_shows_its_children_count(call, personas, world):
    response = call(personas["clerk"], "get", API + "regions/330482/")

    assert response.status_code == 200
    assert response.json() == {
        "code": "330482",
        "name": "平湖市",
        "level": 6,
        "parent": "3304",
        "children_count": 3,
    }


@pytest.mark.parametrize(
    ("query", "codes"),
    [
        pytest.param(
            "level=9", ["330482106", "330482107", "330482108", "331121201"], id="level_case"
        ),
        pytest.param("parent=33", ["3304", "3311"], id="parent_case"),
        pytest.param("under=3311", ["331121", "331121201"], id="under_case"),
        pytest.param("under=3311&level=6", ["331121"], id="combined_case"),
    ],
)
def test_regions_filter_by_level_parent_and_code_prefix(call, personas, world, query, codes):
    response = call(personas["clerk"], "get", API + "regions/?" + query)

    assert response.status_code == 200
    assert [r["code"] for r in response.json()["results"]] == codes


def test_a_village_lists_with_its_township_and_county(call, personas, world):
    response = call(personas["clerk"], "get", API + f"villages/?region={FENGSHAN[:6]}")

    assert response.json() == {
        "count": 1,
        "next": None,
        "previous": None,
        "results": [
            {
                "code": FENGSHAN,
                "name": "峰山村村委会",
                "short_name": "峰山村",
                "kind": "village",
                "township": {"code": "331121201", "name": "黄垟乡"},
                "county": {"code": "331121", "name": "青田县"},
            }
        ],
    }


@pytest.mark.parametrize(
    ("query", "codes"),
    [
        pytest.param("region=330482", [SHANTANG, XUJIADAI], id="region_case"),
        pytest.param("region=330482107", [XUJIADAI], id="township_prefix_case"),
        pytest.param("q=徐家", [XUJIADAI], id="name_search_case"),
        pytest.param("q=广陈", [SHANTANG], id="township_name_search_case"),
        pytest.param("q=3311", [FENGSHAN], id="code_search_case"),
        pytest.param("kind=community", [], id="kind_case"),
        pytest.param("weak_in=2023", [FENGSHAN], id="weak_case"),
        pytest.param("not_weak_in=2023", [XUJIADAI], id="not_weak_case"),
        pytest.param("weak_in=2020", [], id="no_line_in_force_case"),
        pytest.param("weak_in=2023&region=330482", [], id="weak_in_region_case"),
    ],
)
def test_villages_filter_by_region_search_kind_and_weakness(call, personas, world, query, codes):
    response = call(personas["clerk"], "get", API + "villages/?" + query)

    assert response.status_code == 200
    assert [v["code"] for v in response.json()["results"]] == codes


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        pytest.param(
            "region=33x",
            {"region": ["Enter digits of a statistical code."]},
            id="region_not_digits_case",
        ),
        pytest.param(
            "weak_in=last", {"weak_in": ["Enter a whole number."]}, id="year_not_a_number_case"
        ),
        pytest.param(
            "kind=hamlet",
            {"kind": ["Select a valid choice. hamlet is not one of the available choices."]},
            id="kind_not_a_choice_case",
        ),
    ],
)
def test_an_invalid_filter_is_a_400(call, personas, world, query, expected):
    response = call(personas["clerk"], "get", API + "villages/?" + query)

    assert response.status_code == 400
    assert errors(response) == expected


@pytest.mark.parametrize(
    ("query", "villages"),
    [
        pytest.param(f"village={XUJIADAI}", [XUJIADAI], id="village_case"),
        pytest.param("region=3311", [FENGSHAN], id="region_case"),
        pytest.param("year=2023", [XUJIADAI, FENGSHAN], id="year_case"),
        pytest.param("year=2024", [], id="other_year_case"),
        pytest.param("is_illustrative=true", [], id="illustrative_case"),
        pytest.param("is_illustrative=false", [XUJIADAI, FENGSHAN], id="published_case"),
    ],
)
def test_statistics_filter_by_village_region_year_and_illustrative(
    call, personas, world, query, villages
):
    response = call(personas["other_clerk"], "get", API + "stats/?" + query)

    assert response.status_code == 200
    assert [s["village"] for s in response.json()["results"]] == villages


def test_the_weak_action_lists_weak_villages_of_a_year(call, personas, world):
    response = call(personas["clerk"], "get", API + "thresholds/weak/?year=2023")

    assert response.status_code == 200
    assert [v["code"] for v in response.json()["results"]] == [FENGSHAN]
    assert response.json()["results"][0]["township"] == {"code": "331121201", "name": "黄垟乡"}


def test_a_county_line_overrides_the_province_line_in_the_weak_action(call, personas, world):
    WeakVillageThreshold.objects.create(
        name="青田标准", region_id="331121", valid_from=2021, total_income_below=100_000_00
    )

    response = call(personas["clerk"], "get", API + "thresholds/weak/?year=2023")

    assert response.json()["results"] == []


@pytest.mark.parametrize(
    ("query", "codes"),
    [
        pytest.param("year=2023&region=3311", [FENGSHAN], id="region_case"),
        pytest.param("year=2023&region=330482", [], id="other_region_case"),
        pytest.param("year=2019", [], id="before_the_line_case"),
    ],
)
def test_the_weak_action_filters_by_region(call, personas, world, query, codes):
    response = call(personas["clerk"], "get", API + "thresholds/weak/?" + query)

    assert [v["code"] for v in response.json()["results"]] == codes


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        pytest.param("", {"year": ["This field is required."]}, id="no_year_case"),
        pytest.param("year=20x3", {"year": ["A valid integer is required."]}, id="bad_year_case"),
        pytest.param(
            "year=2023&region=33a",
            {"region": ["This value does not match the required pattern."]},
            id="bad_region_case",
        ),
    ],
)
def test_the_weak_action_needs_a_year(call, personas, world, query, expected):
    response = call(personas["clerk"], "get", API + "thresholds/weak/?" + query)

    assert response.status_code == 400
    assert errors(response) == expected


def test_thresholds_filter_by_year_in_force(call, personas, world):
    WeakVillageThreshold.objects.create(
        name="旧标准", region_id="33", valid_from=2016, valid_to=2020, total_income_below=1
    )

    response = call(personas["clerk"], "get", API + "thresholds/?in_force=2018")

    assert [t["name"] for t in response.json()["results"]] == ["旧标准"]


def test_an_organisation_lists_its_villages_by_code(call, personas, world, xujiadai, tree):
    company = Organisation.objects.get(pk=world["pinghu_org"])
    company.villages.set([xujiadai, tree["山塘村"]])

    response = call(personas["finance"], "get", API + "organisations/?region=330482")

    assert response.json()["results"] == [
        {
            "id": company.pk,
            "name": "平湖市强村公司",
            "kind": "village_company",
            "region": "330482",
            "villages": [SHANTANG, XUJIADAI],
            "description": "",
            "is_illustrative": False,
        }
    ]


def test_an_answer_is_in_chinese_by_default(client_for, personas):
    response = client_for(None).get(API + "villages/")

    assert response.json() == {
        "error": {"status": 401, "detail": {"detail": "身份认证信息未提供。"}}
    }


# --- Query counts ---------------------------------------------------------------------------


def _more_rows(world):
    """40 more villages with statistics, 40 thresholds, 40 companies with a member each."""
    for n in range(40):
        village = Village.objects.create(
            code=f"3304821073{n:02d}",
            name=f"测试{n}村",
            short_name=f"测试{n}村",
            kind=VillageKind.VILLAGE,
            township_id="330482107",
            county_id="330482",
        )
        VillageStat.objects.create(village=village, year=2023, total_income=n)
        WeakVillageThreshold.objects.create(
            name=f"标准{n}", region_id="330482", valid_from=2000 + n, total_income_below=n + 1
        )
        company = Organisation.objects.create(name=f"公司{n}", kind=OrganisationKind.OTHER)
        company.villages.add(village)
        Region.objects.create(
            code=f"3311{n + 30:02d}", name=f"县{n}", level=RegionLevel.COUNTY, parent_id="3311"
        )


# Session, user, then count and page; grants are read only where a role decides (none here);
# organisations add one prefetch of their villages; the weak action reads the lines in force.
@pytest.mark.parametrize(
    ("url", "queries"),
    [
        pytest.param("regions/", 4, id="regions_case"),
        pytest.param("villages/", 4, id="villages_case"),
        pytest.param("villages/?weak_in=2023", 5, id="weak_villages_case"),
        pytest.param("stats/", 4, id="stats_case"),
        pytest.param("thresholds/", 4, id="thresholds_case"),
        pytest.param("thresholds/weak/?year=2023", 5, id="weak_action_case"),
        pytest.param("organisations/", 5, id="organisations_case"),
    ],
)
def test_a_list_costs_the_same_queries_whatever_the_page_size(
    client_for, personas, world, django_assert_num_queries, url, queries
):
    _more_rows(world)
    client = client_for(personas["clerk"])
    separator = "&" if "?" in url else "?"
    pages = []
    for page_size in (1, 500):
        with django_assert_num_queries(queries):
            response = client.get(f"{API}{url}{separator}page_size={page_size}")
        assert response.status_code == 200
        pages.append((len(response.json()["results"]), response.json()["count"]))

    (one, total), (everything, _) = pages
    assert (one, everything) == (1, total)
    assert total > 20
