"""Progress reports are history: append-only in the database, and kept when their author's
account is deleted."""

import pytest
from django.db import DatabaseError, connection, transaction
from django.db.models import ProtectedError

from projects.models import ProgressReport
from projects.tests.conftest import D
from tests.support import make_user


@pytest.fixture
def report(project):
    return ProgressReport.objects.create(
        project=project, period=D("2022-06-30"), completed_in_year=5
    )


def test_the_database_refuses_an_update_of_a_progress_report(report):
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "UPDATE projects_progressreport SET completed_in_year = 999 WHERE id = %s",
            [report.pk],
        )
    assert ProgressReport.objects.get(pk=report.pk).completed_in_year == 5


@pytest.mark.skipif("connection.vendor != 'postgresql'")
def test_postgresql_refuses_a_delete_of_a_progress_report(report):
    # SQLite refuses updates only (its test flush is DELETE FROM; the ORM refuses deletes).
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM projects_progressreport WHERE id = %s", [report.pk])
    assert ProgressReport.objects.filter(pk=report.pk).exists()


def test_deleting_a_user_does_not_rewrite_their_reports(project):
    writer = make_user("writer")
    report = ProgressReport.objects.create(
        project=project, period=D("2022-06-30"), completed_in_year=5, author=writer
    )
    with pytest.raises(ProtectedError):
        writer.delete()
    assert ProgressReport.objects.get(pk=report.pk).author_id == writer.pk
