"""The change-log API (/api/v1/changes/): read-only, for auditors and city admins."""

import json
from urllib.parse import urlencode

import pytest
from django.utils import timezone

from accounts.models import Grant, User
from audit.context import change_context
from audit.models import ObjectChange
from core.roles import Role
from registry.models import Organisation, VillageStat

XUJIADAI = "330482107208"
CHANGES = "/api/v1/changes/"


@pytest.fixture
def call(client_for):
    def _call(user, method, url, body=None):
        client = client_for(user)
        kwargs = {"HTTP_ACCEPT_LANGUAGE": "en"}
        if body is not None:
            kwargs.update(data=json.dumps(body), content_type="application/json")
        return getattr(client, method)(url, **kwargs)

    return _call


@pytest.fixture
def pinghu_admin(tree):
    user = User.objects.create_user(username="pinghu_admin", password="pw")
    Grant.objects.create(user=user, role=Role.CITY_ADMIN, region_id="330482")
    return user


@pytest.fixture
def stat_change(call, clerk):
    """A 2023 row for 徐家埭村 created by the clerk through the API; its change-log row."""
    response = call(
        clerk,
        "post",
        "/api/v1/stats/",
        {"village": XUJIADAI, "year": 2023, "total_income": 100_000_000},
    )
    assert response.status_code == 201
    return ObjectChange.objects.get(content_type__model="villagestat")


def results(response) -> list:
    assert response.status_code == 200, response.content
    return response.json()["results"]


def test_an_auditor_reads_a_change_with_who_what_and_after(call, auditor, stat_change):
    response = call(auditor, "get", f"{CHANGES}{stat_change.pk}/")

    stat = VillageStat.objects.get()
    assert response.status_code == 200
    assert response.json() == {
        "id": stat_change.pk,
        "time": stat_change.time.astimezone(timezone.get_current_timezone()).isoformat(),
        "user": stat_change.user_id,
        "user_name": "clerk",
        "source": "api",
        "request_id": str(stat_change.request_id),
        "path": "/api/v1/stats/",
        "ip": "127.0.0.1",
        "action": "create",
        "content_type": "registry.villagestat",
        "object_pk": str(stat.pk),
        "object_repr": "330482107208 2023",
        "prechange_data": None,
        "postchange_data": {
            "id": stat.pk,
            "village_id": XUJIADAI,
            "year": 2023,
            "total_income": 100_000_000,
            "operating_income": None,
            "recurring_income": None,
            "population": None,
            "households": None,
            "per_capita_disposable_income": None,
            "is_illustrative": False,
        },
    }


@pytest.mark.parametrize(
    ("persona", "status"),
    [
        pytest.param("auditor", 200, id="auditor_case"),
        pytest.param("admin", 200, id="unscoped_admin_case"),
        pytest.param("pinghu_admin", 200, id="region_admin_case"),
        pytest.param("clerk", 403, id="clerk_case"),
        pytest.param("finance", 403, id="finance_case"),
        pytest.param(None, 401, id="anonymous_case"),  # not signed in: 401
    ],
)
def test_only_auditors_and_city_admins_read_the_change_log(
    call, request, stat_change, persona, status
):
    user = request.getfixturevalue(persona) if persona else None

    listed = call(user, "get", CHANGES)
    detail = call(user, "get", f"{CHANGES}{stat_change.pk}/")

    assert (listed.status_code, detail.status_code) == (status, status)


@pytest.mark.parametrize("persona", ["admin", "auditor", "clerk", None])
@pytest.mark.parametrize(
    ("method", "detail"),
    [
        pytest.param("post", False, id="post_list_case"),
        pytest.param("put", True, id="put_detail_case"),
        pytest.param("patch", True, id="patch_detail_case"),
        pytest.param("delete", True, id="delete_detail_case"),
        pytest.param("post", True, id="post_detail_case"),
        pytest.param("put", False, id="put_list_case"),
        pytest.param("delete", False, id="delete_list_case"),
    ],
)
def test_the_change_log_has_no_write_routes(call, request, stat_change, persona, method, detail):
    user = request.getfixturevalue(persona) if persona else None
    before = list(ObjectChange.objects.order_by("pk").values())
    url = f"{CHANGES}{stat_change.pk}/" if detail else CHANGES

    response = call(user, method, url, {"object_repr": "forged"})

    assert response.status_code == 405
    assert response.json() == {
        "error": {"status": 405, "detail": {"detail": f'Method "{method.upper()}" not allowed.'}}
    }
    assert list(ObjectChange.objects.order_by("pk").values()) == before


@pytest.fixture
def history(tree, clerk, admin, enclave_company, stat_change):
    """The clerk's API create, then an admin's CLI update and an organisation rename."""
    stat = VillageStat.objects.get()
    with change_context(user=admin, source="cli"):
        stat.total_income = 120_000_000
        stat.save()
        enclave_company.description = "飞地"
        enclave_company.save()
    return {
        "stat": stat,
        "create": stat_change,
        "update": ObjectChange.objects.get(action="update", content_type__model="villagestat"),
        "organisation": ObjectChange.objects.get(
            action="update", content_type__model="organisation"
        ),
    }


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        pytest.param(
            lambda h: {"content_type": "registry.villagestat"},
            ["update", "create"],
            id="content_type_case",
        ),
        pytest.param(
            lambda h: {"content_type": "registry.VillageStat", "action": "update"},
            ["update"],
            id="content_type_any_case_and_action_case",
        ),
        pytest.param(lambda h: {"user": h["create"].user_id}, ["create"], id="user_case"),
        pytest.param(lambda h: {"source": "cli"}, ["organisation", "update"], id="source_case"),
        pytest.param(
            lambda h: {"object_pk": str(h["stat"].pk), "content_type": "registry.villagestat"},
            ["update", "create"],
            id="object_pk_case",
        ),
        pytest.param(
            lambda h: {"request_id": str(h["create"].request_id)}, ["create"], id="request_id_case"
        ),
        pytest.param(
            lambda h: {
                "time_after": h["update"].time.isoformat(),
                "content_type": "registry.villagestat",
            },
            ["update"],
            id="time_after_case",
        ),
        pytest.param(
            lambda h: {
                "time_before": h["create"].time.isoformat(),
                "content_type": "registry.villagestat",
            },
            ["create"],
            id="time_before_case",
        ),
    ],
)
def test_changes_filter_by_model_action_user_object_and_time(
    call, auditor, history, query, expected
):
    response = call(auditor, "get", CHANGES + "?" + urlencode(query(history)))

    assert [row["id"] for row in results(response)] == [history[name].pk for name in expected]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        pytest.param(
            "content_type=villagestat",
            {"content_type": ["Write the model as app_label.model."]},
            id="content_type_without_app_case",
        ),
        pytest.param(
            "action=edit",
            {"action": ["Select a valid choice. edit is not one of the available choices."]},
            id="action_case",
        ),
        pytest.param(
            "time_after=yesterday", {"time": ["Enter a valid date/time."]}, id="time_case"
        ),
    ],
)
def test_an_invalid_change_filter_is_a_400(call, auditor, history, query, expected):
    response = call(auditor, "get", CHANGES + "?" + query)

    assert response.status_code == 400
    assert response.json() == {"error": {"status": 400, "detail": expected}}


def test_listing_changes_costs_the_same_queries_whatever_the_page_size(
    client_for, auditor, tree, django_assert_num_queries
):
    for n in range(30):
        Organisation.objects.create(name=f"公司{n}", kind="other")
    client = client_for(auditor)
    pages = []

    for page_size in (1, 500):
        # Session, user, the auditor's grants (view_roles), then count and page.
        with django_assert_num_queries(5):
            response = client.get(f"{CHANGES}?page_size={page_size}")
        pages.append((len(results(response)), response.json()["count"]))

    (one, total), (everything, _) = pages
    assert (one, everything) == (1, total)
    assert total > 30
