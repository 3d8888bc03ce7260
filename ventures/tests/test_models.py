"""What the models and the database refuse, even when the services are bypassed."""

import pytest
from django.db import DatabaseError, IntegrityError, connection, transaction
from django.utils import translation

from tests.support import D
from ventures import services
from ventures.choices import RunStatus
from ventures.exceptions import ImmutableError
from ventures.models import DistributionLine, DistributionRun, PublicNotice, Stake
from ventures.tests.support import FENGSHAN, XUJIADAI


@pytest.fixture(autouse=True)
def english():
    """These tests match the English error messages; the default language is Chinese."""
    with translation.override("en"):
        yield


def raw(sql: str, params: list) -> None:
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql, params)


@pytest.mark.parametrize("fixture", ["prepared", "approved", "posted"])
def test_a_runs_computed_fields_are_never_edited(request, fixture):
    run = DistributionRun.objects.get(pk=request.getfixturevalue(fixture).pk)
    run.total += 1
    run.distributed_amount += 1

    with pytest.raises(ImmutableError, match="cannot be edited"):
        run.save()

    run.refresh_from_db()
    assert run.total == 100_000_000


def test_a_posted_run_cannot_go_back_to_approved(posted):
    run = DistributionRun.objects.get(pk=posted.pk)
    run.status = RunStatus.APPROVED

    with pytest.raises(ImmutableError, match="cannot go from Posted to Approved"):
        run.save()


def test_a_step_may_set_only_its_own_fields(approved, finance):
    run = DistributionRun.objects.get(pk=approved.pk)
    run.status = RunStatus.POSTED
    run.period_end = D("2024-12-31")

    with pytest.raises(ImmutableError, match="refused: period_end"):
        run.save()


def test_runs_are_not_updated_in_bulk(prepared):
    with pytest.raises(ImmutableError):
        DistributionRun.objects.filter(pk=prepared.pk).update(total=1)


def test_a_posted_run_cannot_be_deleted(posted):
    with pytest.raises(ImmutableError, match="reverse it"):
        DistributionRun.objects.get(pk=posted.pk).delete()

    assert DistributionRun.objects.filter(pk=posted.pk).exists()


def test_lines_are_never_edited_or_deleted(posted):
    line = DistributionLine.objects.filter(run=posted).first()
    line.amount += 1

    with pytest.raises(ImmutableError):
        line.save()
    with pytest.raises(ImmutableError):
        line.delete()
    with pytest.raises(ImmutableError):
        DistributionLine.objects.filter(run=posted).update(amount=0)
    with pytest.raises(ImmutableError):
        DistributionLine.objects.filter(run=posted).delete()

    assert sorted(posted.lines.values_list("amount", flat=True)) == [
        10_000_000,
        30_000_000,
        60_000_000,
    ]


def test_no_line_is_added_to_an_approved_run(approved, register):
    line = DistributionLine(
        run=approved, village_id=FENGSHAN, units=1, basis="units", weight=1, amount=0
    )

    with pytest.raises(ImmutableError, match="only while a run is prepared"):
        line.save()


@pytest.fixture
def notice(posted, finance):
    return services.publish_run(posted, actor=finance)


def test_a_notice_is_never_edited_or_deleted_through_the_orm(notice):
    notice.title = "changed"

    with pytest.raises(ImmutableError):
        notice.save()
    with pytest.raises(ImmutableError):
        notice.delete()
    with pytest.raises(ImmutableError):
        PublicNotice.objects.filter(pk=notice.pk).update(title="changed")
    with pytest.raises(ImmutableError):
        PublicNotice.objects.filter(pk=notice.pk).delete()


def test_the_database_refuses_to_edit_a_notice(notice):
    with pytest.raises(DatabaseError, match="never edited"):
        raw("UPDATE ventures_publicnotice SET title = %s WHERE id = %s", ["changed", notice.pk])

    assert PublicNotice.objects.get(pk=notice.pk).title == notice.title


def test_the_change_log_keeps_a_notices_hash_not_its_payload(notice):
    assert notice.to_change_dict()["payload"] == f"sha256:{notice.content_hash}"


def test_a_tampered_payload_no_longer_matches_its_hash(notice):
    notice.payload["totals"]["distributed"] += 1

    assert not notice.is_intact


def test_the_database_refuses_self_approval(prepared):
    with pytest.raises(IntegrityError):
        raw(
            "UPDATE ventures_distributionrun SET approved_by_id = prepared_by_id, status = 'approved'"
            " WHERE id = %s",
            [prepared.pk],
        )


def test_the_database_refuses_a_run_whose_parts_do_not_sum(prepared):
    with pytest.raises(IntegrityError):
        raw("UPDATE ventures_distributionrun SET total = total + 1 WHERE id = %s", [prepared.pk])


def test_the_database_refuses_a_stake_with_two_holders_or_none(venture, enclave_company, tree):
    with pytest.raises(IntegrityError), transaction.atomic():
        Stake.objects.create(
            venture=venture,
            village_id=XUJIADAI,
            organisation=enclave_company,
            units=1,
            effective_from=D("2020-01-01"),
        )
    with pytest.raises(IntegrityError), transaction.atomic():
        Stake.objects.create(venture=venture, units=1, effective_from=D("2020-01-01"))
