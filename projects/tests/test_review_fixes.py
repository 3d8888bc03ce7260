"""Regressions from the review: progress reports append-only in the database and kept when
their author's account is deleted; consortium and venture set by city admins only; bad query
parameters answer 400 or a form error, never 500; a blank optional cell in a cooperation
import keeps the project's value."""

import io
import json

import pytest
from django.db import DatabaseError, connection, transaction
from django.db.models import ProtectedError

from alliances.models import Alliance, Consortium, ConsortiumType
from conftest import make_user
from lib import tabular
from projects import services
from projects.models import CooperationProject, ProgressReport, Project
from projects.tests.conftest import D
from ventures.models import Venture

API = "/api/v1/"
BIG = "99999999999999999999"


@pytest.fixture
def report(project):
    return ProgressReport.objects.create(
        project=project, period=D("2022-06-30"), completed_in_year=5
    )


# --- append-only progress ------------------------------------------------------------------


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


# --- consortium and venture: city admins only ----------------------------------------------


@pytest.fixture
def call(client_for):
    def _call(user, method, url, body=None):
        client = client_for(user)
        client.raise_request_exception = False
        kwargs = {"HTTP_ACCEPT_LANGUAGE": "en"}
        if body is not None:
            kwargs.update(data=json.dumps(body), content_type="application/json")
        return getattr(client, method)(url if url.startswith("/") else f"{API}{url}", **kwargs)

    return _call


@pytest.fixture
def foreign_consortium(tree):
    other = Alliance.objects.create(name="另一联盟", region_id="331121")
    kind = ConsortiumType.objects.create(name="其他")
    return Consortium.objects.create(alliance=other, name="外联盟共富体", type=kind)


@pytest.fixture
def venture(enclave_company):
    return Venture.objects.create(
        name="飞地公司", kind="village_company", organisation=enclave_company
    )


def _row(project):
    return Project.objects.filter(pk=project.pk).values("consortium_id", "venture_id", "name").get()


@pytest.mark.parametrize("field", ["consortium", "venture", "both"])
def test_a_clerk_cannot_set_consortium_or_venture(
    call, clerk, project, foreign_consortium, venture, field
):
    body = {
        "consortium": {"consortium": foreign_consortium.pk},
        "venture": {"venture": venture.pk},
        "both": {"consortium": None, "venture": venture.pk},
    }[field]
    before = _row(project)
    response = call(clerk, "patch", f"projects/{project.pk}/", {**body, "name": "改名"})
    assert response.status_code == 403, response.content
    assert _row(project) == before


def test_a_clerk_still_edits_their_project_and_may_resend_the_same_values(
    call, clerk, project, consortium
):
    response = call(
        clerk, "patch", f"projects/{project.pk}/", {"consortium": consortium.pk, "name": "改名"}
    )
    assert response.status_code == 200, response.content
    assert _row(project) == {"consortium_id": consortium.pk, "venture_id": None, "name": "改名"}


def test_a_clerk_cannot_create_a_project_in_a_consortium(call, clerk, xujiadai, consortium):
    body = {
        "code": "XJD-02",
        "name": "新项目",
        "category": "industry",
        "lead_village": xujiadai.pk,
        "total_investment": 1,
        "consortium": consortium.pk,
    }
    assert call(clerk, "post", "projects/", body).status_code == 403
    assert not Project.objects.filter(code="XJD-02").exists()


def test_a_city_admin_sets_consortium_and_venture(
    call, admin, project, foreign_consortium, venture
):
    body = {"consortium": foreign_consortium.pk, "venture": venture.pk}
    assert call(admin, "patch", f"projects/{project.pk}/", body).status_code == 200
    assert _row(project)["consortium_id"] == foreign_consortium.pk
    assert _row(project)["venture_id"] == venture.pk


# --- bad input: 400 or a form error, never 500 ----------------------------------------------


@pytest.mark.parametrize("year", ["0", "10000", BIG, "²"])
def test_the_project_page_ignores_an_impossible_year(call, admin, project, year):
    response = call(admin, "get", f"/projects/{project.pk}/?year={year}")
    assert response.status_code == 200
    assert response.context["year"] == 2022  # the project's latest year


@pytest.mark.parametrize(
    "url",
    [
        f"/projects/progress.xlsx?period={BIG}-01",
        "/projects/progress.xlsx?period=9999-12",
        "/projects/cooperation.xlsx?year=%C2%B2",
        f"/projects/cooperation.xlsx?year={BIG}",
        f"/projects/cooperation/?year={BIG}",
        f"/projects/?consortium={BIG}",
    ],
)
def test_pages_answer_bad_parameters_without_a_500(call, admin, project, url):
    assert call(admin, "get", url).status_code == 200


@pytest.mark.parametrize(
    "url",
    [
        f"progress-reports/?project={BIG}",
        "progress-reports/?project=1e400",
        "annual-plans/?project=-1",
        "cooperation-projects/?year=1e30",
    ],
)
def test_the_api_answers_bad_filters_with_400(call, admin, project, url):
    assert call(admin, "get", url).status_code == 400


@pytest.mark.parametrize("period", [f"{BIG}-01", "9999-12", "0000-01", "²²²²-01"])
def test_a_progress_form_with_an_impossible_month_is_a_form_error(
    client_for, admin, project, period
):
    client = client_for(admin)
    client.raise_request_exception = False
    response = client.post(
        f"/projects/{project.pk}/progress/",
        {"period": period, "completed_in_year": "1"},
        HTTP_ACCEPT_LANGUAGE="en",
        follow=True,
    )
    assert response.status_code == 200
    assert "YYYY-MM" in response.content.decode()
    assert not ProgressReport.objects.filter(project=project).exists()


# --- cooperation import: blank optional cells ----------------------------------------------


def test_a_blank_status_or_number_keeps_the_existing_value(tree, admin):
    def upload(rows):
        buffer = io.BytesIO()
        tabular.write_xlsx(buffer, services.COOPERATION_COLUMNS, rows)
        return services.import_cooperation(buffer.getvalue(), user=admin)

    row = (
        2018,
        "毗邻党建",
        "金山",
        "平湖",
        7,
        "联合党支部",
        "党建",
        None,
        None,
        "完成",
        None,
        "否",
    )
    assert upload([row]).ok
    blank = (*row[:4], None, *row[5:9], None, *row[10:])
    result = upload([blank])
    assert result.ok, result.errors
    assert (result.created, result.updated, result.unchanged) == (0, 0, 1)
    project = CooperationProject.objects.get()
    assert (project.number, project.status) == (7, "completed")
    # A new project with blank cells still gets the defaults.
    result = upload([(*blank[:5], "新项目", *blank[6:])])
    assert result.created == 1
    assert CooperationProject.objects.get(name="新项目").status == "planned"
