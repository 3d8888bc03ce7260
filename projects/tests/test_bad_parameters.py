"""Bad query parameters and form input answer 400 or a form error, never 500."""

import json

import pytest

from projects.models import ProgressReport

API = "/api/v1/"
BIG = "99999999999999999999"


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
