from datetime import date

import pytest

from projects.models import ProgressReport
from projects.selectors import projects_by_status, public_projects, village_progress

D = date.fromisoformat


def report(project, period, completed, planned, pct):
    return ProgressReport.objects.create(
        project=project,
        period=D(period),
        completed_in_year=completed,
        planned_investment=planned,
        plan_percent=pct,
    )


@pytest.mark.django_db
def test_projects_by_status_counts_the_alliance_only(
    project, other_project, alliance, django_assert_num_queries
):
    with django_assert_num_queries(1):
        rows = projects_by_status(alliance)
    by_status = {row["status"]: row["count"] for row in rows}
    assert by_status == {
        "planned": 0,
        "construction": 1,
        "operating": 0,
        "completed": 0,
        "suspended": 0,
    }
    assert all(row["label"] for row in rows)


@pytest.mark.django_db
def test_village_progress_takes_the_latest_report_of_the_year(
    project, other_project, django_assert_num_queries
):
    report(project, "2022-03-31", 10_000_000, 100_000_000, "10.0")
    report(project, "2022-06-30", 45_000_000, 100_000_000, "45.0")
    report(project, "2023-01-31", 1_000_000, 100_000_000, "1.0")  # another year
    report(other_project, "2022-06-30", 4_000_000, 20_000_000, "20.0")
    with django_assert_num_queries(1):
        result = village_progress(2022)
    assert result == {"330482107208": 45.0, "331121201201": 20.0}
    assert village_progress(2021) == {}


@pytest.mark.django_db
def test_public_projects_has_no_personal_fields(project):
    rows = list(public_projects())
    assert rows[0]["name"] == "徐家埭村农房盘活"
    assert rows[0]["lead_village__short_name"] == "徐家埭村"
    assert "author" not in rows[0]
    assert "description" not in rows[0]
    project.is_public = False
    project.save()
    assert list(public_projects()) == []
