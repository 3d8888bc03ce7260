"""The change log: every single-object write is logged, and no row of it can be changed."""

import uuid
from datetime import timedelta

import pytest
from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from audit.context import change_context
from audit.models import ObjectChange
from audit.services import log_bulk
from core.models import ImmutableError
from registry.models import VillageStat

XUJIADAI = "330482107208"


def stat_dict(pk, **changes):
    """The change-log snapshot of the 2023 徐家埭村 row used below."""
    return {
        "id": pk,
        "village_id": XUJIADAI,
        "year": 2023,
        "total_income": 100_000_000,
        "operating_income": 60_000_000,
        "recurring_income": None,
        "population": 3200,
        "households": None,
        "per_capita_disposable_income": None,
        "is_illustrative": False,
        **changes,
    }


@pytest.fixture
def stat(xujiadai):
    return VillageStat.objects.create(
        village=xujiadai,
        year=2023,
        total_income=100_000_000,
        operating_income=60_000_000,
        population=3200,
    )


def stat_changes():
    return list(ObjectChange.objects.filter(content_type__model="villagestat").order_by("pk"))


def test_creating_an_object_logs_who_when_and_after(xujiadai, clerk):
    request_id = uuid.uuid4()
    start = timezone.now()

    with change_context(user=clerk, source="cli", request_id=request_id):
        stat = VillageStat.objects.create(
            village=xujiadai,
            year=2023,
            total_income=100_000_000,
            operating_income=60_000_000,
            population=3200,
        )

    [change] = stat_changes()
    assert (change.action, change.object_pk, change.object_repr) == (
        "create",
        str(stat.pk),
        "330482107208 2023",
    )
    assert (change.user, change.user_name, change.source, change.request_id) == (
        clerk,
        "clerk",
        "cli",
        request_id,
    )
    assert start <= change.time <= timezone.now()
    assert change.content_type.model_class() is VillageStat
    assert change.prechange_data is None
    assert change.postchange_data == stat_dict(stat.pk)


def test_updating_an_object_logs_before_and_after(stat, clerk):
    stat.total_income = 120_000_000
    stat.households = 1050

    with change_context(user=clerk, source="cli"):
        stat.save()

    change = stat_changes()[-1]
    assert (change.action, change.user, change.object_pk) == ("update", clerk, str(stat.pk))
    assert change.prechange_data == stat_dict(stat.pk)
    assert change.postchange_data == stat_dict(stat.pk, total_income=120_000_000, households=1050)
    assert change.changed_fields == ["households", "total_income"]


def test_the_before_image_comes_from_the_database_not_the_instance(stat, clerk):
    VillageStat.objects.filter(pk=stat.pk).update(population=3300)  # behind the instance's back
    stat.total_income = 120_000_000

    with change_context(user=clerk):
        stat.save()

    change = stat_changes()[-1]
    assert change.prechange_data == stat_dict(stat.pk, population=3300)
    assert change.postchange_data == stat_dict(stat.pk, total_income=120_000_000)


def test_deleting_an_object_logs_before_and_no_after(stat, admin):
    pk = stat.pk

    with change_context(user=admin, source="web"):
        stat.delete()

    change = stat_changes()[-1]
    assert (change.action, change.user, change.source, change.object_pk) == (
        "delete",
        admin,
        "web",
        str(pk),
    )
    assert change.prechange_data == stat_dict(pk)
    assert change.postchange_data is None


def test_saving_an_unchanged_object_logs_nothing(stat):
    logged = ObjectChange.objects.count()

    stat.save()
    VillageStat.objects.get(pk=stat.pk).save()

    assert ObjectChange.objects.count() == logged


def test_a_write_outside_any_context_is_logged_as_the_system(xujiadai):
    VillageStat.objects.create(village=xujiadai, year=2022, total_income=1)

    [change] = stat_changes()
    assert (change.user, change.user_name, change.source, change.path, change.ip) == (
        None,
        "",
        "system",
        "",
        None,
    )
    assert isinstance(change.request_id, uuid.UUID)


def test_a_logged_row_cannot_be_saved_again(stat):
    change = stat_changes()[0]
    change.object_repr = "forged"

    with pytest.raises(ImmutableError, match="cannot be edited"):
        change.save()

    change.refresh_from_db()
    assert change.object_repr == "330482107208 2023"


def test_a_logged_row_cannot_be_deleted(stat):
    change = stat_changes()[0]

    with pytest.raises(ImmutableError, match="cannot be deleted"):
        change.delete()

    assert ObjectChange.objects.filter(pk=change.pk).exists()


@pytest.mark.parametrize(
    "edit",
    [
        pytest.param(lambda qs: qs.update(object_repr="forged"), id="queryset_update_case"),
        pytest.param(lambda qs: qs.delete(), id="queryset_delete_case"),
        pytest.param(
            lambda qs: ObjectChange.objects.bulk_update(
                [ObjectChange(pk=c.pk, object_repr="forged") for c in qs], ["object_repr"]
            ),
            id="bulk_update_case",
        ),
    ],
)
def test_the_change_log_refuses_queryset_edits(stat, edit):
    before = list(ObjectChange.objects.order_by("pk").values())

    # A savepoint, since bulk_update's own atomic block would doom the test's transaction.
    with pytest.raises(ImmutableError), transaction.atomic():
        edit(ObjectChange.objects.all())

    assert list(ObjectChange.objects.order_by("pk").values()) == before


def test_the_database_refuses_a_raw_update_of_the_change_log(stat):
    before = list(ObjectChange.objects.order_by("pk").values())

    with (
        pytest.raises(DatabaseError, match="append-only"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute("UPDATE audit_objectchange SET object_repr = 'forged'")

    assert list(ObjectChange.objects.order_by("pk").values()) == before


def test_the_database_refuses_a_raw_delete_of_the_change_log(stat):
    if connection.vendor == "sqlite":
        pytest.skip("SQLite has no DELETE trigger: its test flush deletes (migration 0002)")
    logged = ObjectChange.objects.count()

    with (
        pytest.raises(DatabaseError, match="append-only"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute("DELETE FROM audit_objectchange")

    assert ObjectChange.objects.count() == logged


def test_log_bulk_writes_rows_that_read_back_exactly(tree, admin):
    request_id = uuid.uuid4()
    start = timezone.now()
    after = {
        "village_id": XUJIADAI,
        "year": 2023,
        "total_income": 9_007_199_254_740_993,  # beyond a double's exact integers
        "note": '示例 "引号" \\ 反斜杠',
        "nested": {"list": [1, None, True], "empty": {}},
    }

    with change_context(user=admin, source="cli", request_id=request_id), transaction.atomic():
        written = log_bulk(
            VillageStat,
            [
                ("create", 101, "徐家埭村 2023", None, after),
                ("update", 102, "山塘村 2023", {"year": 2022}, {"year": 2023}),
                ("delete", 103, "峰山村 2023", {"total_income": 0}, None),
            ],
        )

    assert written == 3
    rows = stat_changes()
    assert [(c.action, c.object_pk, c.object_repr) for c in rows] == [
        ("create", "101", "徐家埭村 2023"),
        ("update", "102", "山塘村 2023"),
        ("delete", "103", "峰山村 2023"),
    ]
    assert [(c.prechange_data, c.postchange_data) for c in rows] == [
        (None, after),
        ({"year": 2022}, {"year": 2023}),
        ({"total_income": 0}, None),
    ]
    for change in rows:
        assert (change.user, change.user_name, change.source, change.request_id) == (
            admin,
            "admin",
            "cli",
            request_id,
        )
        assert start - timedelta(seconds=1) <= change.time <= timezone.now()
        assert change.time.utcoffset() == timedelta(0)
    assert ObjectChange.objects.filter(changeset__request_id=request_id).count() == 3


def test_one_request_writes_one_change_set(tree, clerk):
    from audit.models import ChangeSet

    with change_context(user=clerk, source="web"):
        VillageStat.objects.create(village_id=XUJIADAI, year=2021, total_income=1)
        VillageStat.objects.create(village_id=XUJIADAI, year=2022, total_income=2)

    changeset = ChangeSet.objects.get(user_name="clerk")
    assert changeset.changes.count() == 2
    assert changeset.source == "web"


def test_a_change_set_cannot_be_edited_or_deleted(tree, clerk):
    from audit.models import ChangeSet

    with change_context(user=clerk, source="web"):
        VillageStat.objects.create(village_id=XUJIADAI, year=2021, total_income=1)
    changeset = ChangeSet.objects.get(user_name="clerk")

    changeset.user_name = "someone else"
    with pytest.raises(ImmutableError):
        changeset.save()
    with pytest.raises(ImmutableError):
        changeset.delete()
    with pytest.raises(ImmutableError):
        ChangeSet.objects.update(user_name="x")
    with (
        pytest.raises(DatabaseError, match="append-only"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute("UPDATE audit_changeset SET user_name = 'x'")
    assert ChangeSet.objects.filter(user_name="clerk").count() == 1



def test_rows_logged_by_the_database_read_as_log_bulk_writes_them(stat, admin):
    """`log_created_rows` (the database builds each after-image) and `log_bulk` (Python
    does) give the same entry for the same row: its fields, NULL as null,
    booleans as JSON true/false, integers beyond a double's exact range kept."""
    from audit.services import log_created_rows

    fields = ["village_id", "year", "total_income", "recurring_income", "is_illustrative"]
    VillageStat.objects.filter(pk=stat.pk).update(total_income=9_007_199_254_740_993)
    stat.refresh_from_db()
    with change_context(user=admin, source="cli"):
        logged = log_created_rows(
            VillageStat, fields, where="id = %s", params=[stat.pk], label="village_id"
        )
        log_bulk(
            VillageStat,
            [("create", stat.pk, XUJIADAI, None, {name: getattr(stat, name) for name in fields})],
        )
    assert logged == 1
    by_db, by_python = ObjectChange.objects.filter(
        content_type__model="villagestat", object_pk=str(stat.pk), action="create"
    ).order_by("pk")[1:3]
    assert by_db.postchange_data == by_python.postchange_data
    assert sorted(by_db.postchange_data) == sorted(fields)
    assert by_db.postchange_data["is_illustrative"] is False
    assert by_db.postchange_data["recurring_income"] is None
    assert by_db.postchange_data["total_income"] == 9_007_199_254_740_993
    assert by_db.object_repr == XUJIADAI
    assert by_db.changeset_id == by_python.changeset_id
