"""The change-log pages: auditors and admins only, filterable, and read-only everywhere."""

import datetime as dt
import re

import pytest
from django.contrib.contenttypes.models import ContentType
from django.urls import URLPattern, reverse

from accounts.models import Grant
from audit import urls as audit_urls
from audit.context import change_context
from audit.models import ObjectChange
from registry.models import Region, Village, VillageStat

XUJIADAI, FENGSHAN = "330482107208", "331121201201"


@pytest.fixture
def client_en(client_for):
    def _client(user):
        client = client_for(user)
        client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
        return client

    return _client


@pytest.fixture
def edits(tree, clerk, other_clerk):
    """The tree's creates (by nobody), then: clerk adds and edits 徐家埭村's 2023 figures,
    other_clerk adds 峰山村's."""
    with change_context(user=clerk, source="web"):
        stat = VillageStat.objects.create(village_id=XUJIADAI, year=2023, total_income=100_00)
        stat.total_income = 250_00
        stat.population = 2300
        stat.save()
    with change_context(user=other_clerk, source="api"):
        VillageStat.objects.create(village_id=FENGSHAN, year=2023, total_income=300_000_00)
    return stat


def _pks_in(response) -> list[int]:
    return [
        int(pk) for pk in re.findall(r'href="/audit/changes/(\d+)/"', response.content.decode())
    ]


def _rows(**filters) -> list[int]:
    return list(ObjectChange.objects.filter(**filters).values_list("pk", flat=True))


@pytest.mark.parametrize("name", ["audit:change_list", "audit:change_detail"])
def test_anonymous_visitors_are_sent_to_the_login_page(client_en, db, name):
    url = reverse(name, args=[1] if name.endswith("detail") else [])

    response = client_en(None).get(url)

    assert response.status_code == 302
    assert response["Location"] == f"{reverse('accounts:login')}?next={url}"


@pytest.mark.parametrize("persona", ["clerk", "finance", "approver"])
def test_other_roles_are_refused(request, client_en, edits, persona):
    client = client_en(request.getfixturevalue(persona))
    pk = ObjectChange.objects.latest("pk").pk

    assert client.get(reverse("audit:change_list")).status_code == 403
    assert client.get(reverse("audit:change_detail", args=[pk])).status_code == 403


def test_a_user_without_grants_is_refused(client_en, edits, django_user_model):
    nobody = django_user_model.objects.create_user(username="nobody", password="pw")

    assert client_en(nobody).get(reverse("audit:change_list")).status_code == 403


@pytest.mark.parametrize("persona", ["auditor", "admin"])
def test_auditors_and_admins_see_every_change_newest_first(request, client_en, edits, persona):
    response = client_en(request.getfixturevalue(persona)).get(reverse("audit:change_list"))

    assert response.status_code == 200
    assert _pks_in(response) == list(
        ObjectChange.objects.order_by("-pk").values_list("pk", flat=True)
    )
    # regions, villages, stats, and the grants the personas were given
    assert response.context["page"].paginator.count == 8 + 3 + 3 + Grant.objects.count()


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"user": "clerk"}, {"changeset__user_name": "clerk"}),
        ({"user": "CLERK"}, {"changeset__user_name": "clerk"}),
        ({"action": "update"}, {"action": "update"}),
        ({"object_pk": XUJIADAI}, {"object_pk": XUJIADAI}),
        ({"user": "other_clerk", "action": "create"}, {"changeset__user_name": "other_clerk"}),
    ],
    ids=["user_case", "user_any_case_case", "action_case", "object_id_case", "combined_case"],
)
def test_change_list_filters(client_en, auditor, edits, params, expected):
    response = client_en(auditor).get(reverse("audit:change_list"), params)

    assert sorted(_pks_in(response)) == sorted(_rows(**expected))
    assert _pks_in(response)


def test_change_list_filters_by_object_type(client_en, auditor, edits):
    village_type = ContentType.objects.get_for_model(Village)

    response = client_en(auditor).get(
        reverse("audit:change_list"), {"content_type": village_type.pk}
    )

    assert sorted(_pks_in(response)) == sorted(_rows(content_type=village_type))
    assert len(_pks_in(response)) == 3


def test_change_list_offers_only_logged_models_as_object_types(client_en, auditor, edits):
    response = client_en(auditor).get(reverse("audit:change_list"))

    choices = {
        ct.model for ct in response.context["filterset"].form.fields["content_type"].queryset
    }
    assert {"organisation", "region", "village", "villagestat", "weakvillagethreshold"} <= choices
    assert not choices & {"user", "importjob", "objectchange", "session", "contenttype"}


def test_change_list_filters_by_date_range_in_local_days(client_en, auditor, edits):
    today = dt.datetime.now(tz=dt.UTC).astimezone(dt.timezone(dt.timedelta(hours=8))).date()
    client = client_en(auditor)
    url = reverse("audit:change_list")

    covering = client.get(url, {"since": today.isoformat(), "until": today.isoformat()})
    before = client.get(url, {"until": (today - dt.timedelta(days=1)).isoformat()})
    after = client.get(url, {"since": (today + dt.timedelta(days=1)).isoformat()})

    assert len(_pks_in(covering)) == 14 + Grant.objects.count()
    assert _pks_in(before) == []
    assert _pks_in(after) == []


def test_change_list_pages_by_fifty(client_en, auditor, tree):
    with change_context(source="cli"):
        for year in range(2000, 2060):
            VillageStat.objects.create(village_id=XUJIADAI, year=year, total_income=1)

    client = client_en(auditor)
    first = client.get(reverse("audit:change_list"))
    second = client.get(reverse("audit:change_list"), {"page": "2"})

    assert len(_pks_in(first)) == 50
    assert len(_pks_in(second)) == 8 + 3 + 60 + Grant.objects.count() - 50


@pytest.mark.parametrize("stats", [1, 60], ids=["few_rows_case", "many_rows_case"])
def test_change_list_query_count_does_not_grow_with_rows(
    client_en, auditor, tree, django_assert_num_queries, stats
):
    with change_context(source="cli"):
        for year in range(2000, 2000 + stats):
            VillageStat.objects.create(village_id=XUJIADAI, year=year, total_income=1)
    client = client_en(auditor)

    # session, user, grants, object-type choices, count, page rows with their content types
    with django_assert_num_queries(6):
        response = client.get(reverse("audit:change_list"), {"action": "create"})

    assert len(_pks_in(response)) == min(50, 11 + Grant.objects.count() + stats)


def test_change_detail_shows_before_and_after_with_changed_fields_marked(client_en, auditor, edits):
    change = ObjectChange.objects.get(action="update", object_pk=str(edits.pk))

    response = client_en(auditor).get(reverse("audit:change_detail", args=[change.pk]))

    assert response.status_code == 200
    rows = {row["name"]: row for row in response.context["rows"]}
    assert [name for name, row in rows.items() if row["changed"]] == [
        "population",
        "total_income",
    ]
    assert (rows["total_income"]["before"], rows["total_income"]["after"]) == ("10000", "25000")
    assert (rows["population"]["before"], rows["population"]["after"]) == ("—", "2300")
    html = response.content.decode()
    assert html.count('<tr class="changed">') == 2
    assert "<code>10000</code>" in html
    assert "<code>25000</code>" in html
    # The page links to the village the statistics belong to.
    assert f'href="/registry/villages/{XUJIADAI}/"' in html


def test_change_detail_names_fields_and_values_not_their_keys(client_en, auditor, edits):
    """Issue 10, item 12: a village's creation reads its township's and county's names and
    its kind's label; a region's parent is "parent region", never "Parent" or "parent_id"."""
    village_type = ContentType.objects.get_for_model(Village)
    change = ObjectChange.objects.get(
        action="create", object_pk=XUJIADAI, content_type=village_type
    )

    response = client_en(auditor).get(reverse("audit:change_detail", args=[change.pk]))

    rows = {row["name"]: row for row in response.context["rows"]}
    assert rows["township_id"]["label"] == "township"
    assert rows["township_id"]["after"] == "林埭镇"
    assert rows["county_id"]["after"] == "平湖市"
    assert rows["kind"]["after"] == "Village committee"
    html = response.content.decode()
    assert ">township_id<" not in html
    assert ">village<" not in html  # the kind's label, not its code

    region_type = ContentType.objects.get_for_model(Region)
    change = ObjectChange.objects.get(
        action="create", object_pk="330482107", content_type=region_type
    )
    rows = {
        row["name"]: row
        for row in client_en(auditor)
        .get(reverse("audit:change_detail", args=[change.pk]))
        .context["rows"]
    }
    assert rows["parent_id"]["label"] == "parent region"
    assert rows["parent_id"]["after"] == "平湖市"
    assert rows["level"]["after"] == "Township"


def test_change_detail_of_a_snapshot_naming_a_reverse_relation_answers(client_en, auditor, tree):
    """A snapshot key that names a reverse relation (a ledger entry's "postings") is shown by
    its name; it used to fail with 500 ('ManyToOneRel' object has no attribute 'verbose_name')."""
    with change_context(source="cli"):
        region = Region.objects.get(code="330482107")
        ObjectChange.objects.create(
            changeset=ObjectChange.objects.last().changeset,
            action=ObjectChange.Action.CREATE,
            content_type=ContentType.objects.get_for_model(Village),
            object_pk="x",
            object_repr=str(region),
            postchange_data={"stats": [1, 2], "code": "x"},
        )
    change = ObjectChange.objects.get(object_pk="x")

    response = client_en(auditor).get(reverse("audit:change_detail", args=[change.pk]))

    assert response.status_code == 200


def test_the_change_log_names_its_sources(client_en, auditor, edits):
    response = client_en(auditor).get(reverse("audit:change_list"))

    html = response.content.decode()
    assert "<td>web page</td>" in html
    assert "<td>API</td>" in html
    assert "<td>web</td>" not in html


def test_change_detail_of_a_create_has_no_before(client_en, auditor, edits):
    stat_type = ContentType.objects.get_for_model(VillageStat)
    change = ObjectChange.objects.get(
        action="create", object_pk=str(edits.pk), content_type=stat_type
    )

    response = client_en(auditor).get(reverse("audit:change_detail", args=[change.pk]))

    rows = response.context["rows"]
    assert not any(row["has_before"] for row in rows)
    # Fields created empty are not changes.
    assert [row["name"] for row in rows if row["changed"]] == [
        "id",
        "is_illustrative",
        "total_income",
        "village_id",
        "year",
    ]
    assert response.context["same_request"] == [
        ObjectChange.objects.get(action="update", object_pk=str(edits.pk), content_type=stat_type)
    ]


def test_change_detail_of_an_unknown_change_is_404(client_en, auditor, db):
    assert client_en(auditor).get(reverse("audit:change_detail", args=[999])).status_code == 404


def test_the_change_log_has_no_write_routes(client_en, auditor, edits):
    pk = ObjectChange.objects.latest("pk").pk
    client = client_en(auditor)
    before = list(ObjectChange.objects.values())

    names = [p.name for p in audit_urls.urlpatterns if isinstance(p, URLPattern)]
    post_detail = client.post(reverse("audit:change_detail", args=[pk]), {"action": "delete"})
    delete_detail = client.delete(reverse("audit:change_detail", args=[pk]))
    post_list = client.post(reverse("audit:change_list"), {})

    assert names == ["change_list", "change_detail"]
    assert (post_detail.status_code, delete_detail.status_code, post_list.status_code) == (
        405,
        405,
        405,
    )
    assert list(ObjectChange.objects.values()) == before


def test_the_admin_shows_the_change_log_read_only(client_for, edits, django_user_model):
    superuser = django_user_model.objects.create_superuser(username="root", password="pw")
    client = client_for(superuser)
    pk = ObjectChange.objects.latest("pk").pk
    before = list(ObjectChange.objects.values())

    listing = client.get("/admin/audit/objectchange/")
    view = client.get(f"/admin/audit/objectchange/{pk}/change/")
    save = client.post(f"/admin/audit/objectchange/{pk}/change/", {"object_repr": "x"})
    delete = client.post(f"/admin/audit/objectchange/{pk}/delete/", {"post": "yes"})
    add = client.get("/admin/audit/objectchange/add/")

    assert (listing.status_code, view.status_code) == (200, 200)
    assert 'name="_save"' not in view.content.decode()
    assert (save.status_code, delete.status_code, add.status_code) == (403, 403, 403)
    assert list(ObjectChange.objects.values()) == before
