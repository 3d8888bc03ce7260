"""The database guards distribution runs and lines itself (migration 0003, issue 10): raw SQL
past the models and services is refused on SQLite and PostgreSQL alike.

`make test` runs this file on both databases; the DELETE guards exist on PostgreSQL only
(SQLite's test flush is DELETE FROM, as for the ledger's tables).
"""

import pytest
from django.db import IntegrityError, connection, transaction

from core.roles import Role
from tests.support import make_user
from ventures import services
from ventures.choices import RunStatus
from ventures.models import DistributionLine, DistributionRun
from ventures.tests.support import FENGSHAN


def raw(sql: str, params: list) -> int:
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.rowcount


def pg_only():
    if connection.vendor != "postgresql":
        pytest.skip("SQLite keeps DELETE open for its test flush")


@pytest.fixture
def published(posted, approver):
    services.publish_run(posted, actor=approver)
    return DistributionRun.objects.get(pk=posted.pk)


def line_amounts(run) -> list[int]:
    return sorted(DistributionLine.objects.filter(run=run).values_list("amount", flat=True))


def test_a_raw_update_of_a_published_runs_line_fails(published):
    line = DistributionLine.objects.filter(run=published).order_by("pk").first()

    with pytest.raises(IntegrityError, match="never edited"):
        raw("UPDATE ventures_distributionline SET amount = amount + 1 WHERE id = %s", [line.pk])

    assert line_amounts(published) == [10_000_000, 30_000_000, 60_000_000]


def test_a_raw_update_of_a_prepared_runs_line_fails_too(prepared):
    with pytest.raises(IntegrityError, match="never edited"):
        raw("UPDATE ventures_distributionline SET village_id = %s WHERE run_id = %s",
            [FENGSHAN, prepared.pk])


@pytest.mark.parametrize(
    ("fixture", "assignment"),
    [
        ("published", "total = total + 100, distributed_amount = distributed_amount + 100"),
        ("published", "period_end = '2024-12-31'"),
        ("published", "status = 'prepared'"),
        ("published", "posted_on = '2025-01-01'"),
        ("posted", "status = 'approved'"),
        ("prepared", "params = '{\"total\": 1}'"),
        ("prepared", "status = 'posted'"),
    ],
)
def test_a_raw_update_of_what_a_run_holds_fails(request, fixture, assignment):
    run = request.getfixturevalue(fixture)
    before = DistributionRun.objects.filter(pk=run.pk).values().get()

    with pytest.raises(IntegrityError, match="workflow steps"):
        raw(f"UPDATE ventures_distributionrun SET {assignment} WHERE id = %s", [run.pk])

    assert DistributionRun.objects.filter(pk=run.pk).values().get() == before


def test_a_reversed_run_takes_no_further_step(posted, approver):
    services.reverse_run(posted, actor=approver, reason="wrong", date="2024-02-01")

    with pytest.raises(IntegrityError, match="workflow steps"):
        raw(
            "UPDATE ventures_distributionrun SET status = 'published', published_by_id = %s "
            "WHERE id = %s",
            [approver.pk, posted.pk],
        )


def test_a_step_and_an_unchanged_row_pass(prepared, enclave_company):
    """The guard lets the workflow through: the next step's own fields, or nothing at all."""
    other = make_user("approver2", Role.APPROVER, organisation=enclave_company)

    assert raw("UPDATE ventures_distributionrun SET total = total WHERE id = %s", [prepared.pk]) == 1
    assert raw(
        "UPDATE ventures_distributionrun SET status = 'approved', approved_by_id = %s, "
        "approved_at = prepared_at WHERE id = %s",
        [other.pk, prepared.pk],
    ) == 1

    assert DistributionRun.objects.get(pk=prepared.pk).status == RunStatus.APPROVED


def test_no_line_is_added_to_a_posted_run_even_by_raw_sql(posted):
    with pytest.raises(IntegrityError, match="only while a run is prepared"):
        raw(
            "INSERT INTO ventures_distributionline "
            "(run_id, village_id, units, basis, weight, amount) "
            "VALUES (%s, %s, 1, 'units', 1, 0)",
            [posted.pk, "330482000000"],
        )

    assert DistributionLine.objects.filter(run=posted).count() == 3


def test_a_raw_delete_of_a_published_runs_line_fails_on_postgresql(published):
    pg_only()

    with pytest.raises(IntegrityError, match="only with a discarded run"):
        raw("DELETE FROM ventures_distributionline WHERE run_id = %s", [published.pk])

    assert DistributionLine.objects.filter(run=published).count() == 3


def test_a_raw_delete_of_a_posted_run_fails_on_postgresql(posted):
    pg_only()

    with pytest.raises(IntegrityError, match="never deleted"):
        raw("DELETE FROM ventures_distributionrun WHERE id = %s", [posted.pk])


def test_a_prepared_run_is_still_discarded_with_its_lines(prepared, finance):
    services.discard_run(prepared, actor=finance)

    assert not DistributionRun.objects.filter(pk=prepared.pk).exists()
    assert not DistributionLine.objects.filter(run_id=prepared.pk).exists()
