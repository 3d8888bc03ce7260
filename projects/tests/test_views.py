from datetime import date

import pytest
from django.urls import reverse

from projects import services
from projects.models import AnnualPlan, ProgressReport, Project, ProjectPartner

D = date.fromisoformat


def make_projects(village, count, start=0):
    for i in range(start, start + count):
        p = Project.objects.create(
            code=f"P-{i:04d}",
            name=f"项目{i}",
            category="industry",
            status="construction",
            lead_village=village,
            total_investment=1_000_000,
        )
        AnnualPlan.objects.create(project=p, year=2022, planned_investment=1_000_000)
        ProgressReport.objects.create(
            project=p,
            period=D("2022-06-30"),
            completed_in_year=500_000,
            plan_percent="50.0",
            schedule_gap="0.0",
        )
        ProjectPartner.objects.create(project=p, village=village, committed=1, paid_in=1)


@pytest.mark.django_db
def test_the_project_list_runs_a_fixed_number_of_queries(
    client_for, admin, xujiadai, consortium, django_assert_num_queries
):
    client = client_for(admin)
    url = reverse("projects:project_list") + f"?village={xujiadai.pk}&status=construction"
    make_projects(xujiadai, 3)
    with django_assert_num_queries(7) as small:
        response = client.get(url)
    assert response.status_code == 200
    make_projects(xujiadai, 80, start=3)
    with django_assert_num_queries(7):
        response = client.get(url)
    assert response.context["page"].paginator.count == 83
    assert len(response.context["projects"]) == 50
    assert small.captured_queries  # the same count at 3 and 83 projects


@pytest.mark.django_db
def test_project_page_shows_the_chart_and_progress(client_for, clerk, project):
    services.file_progress(
        project, actor=clerk, period=D("2022-06-30"), completed_in_year=60_000_000
    )
    response = client_for(clerk).get(reverse("projects:project_detail", args=[project.pk]))
    assert response.status_code == 200
    chart = response.context["chart"]
    assert chart["actual"][5] == 60_000_000
    assert chart["plan"][5] == 50_000_000
    assert chart["percent"][5] == 60.0
    assert response.context["can_report"] is True
    assert b"progress-chart-data" in response.content


@pytest.mark.django_db
def test_a_clerk_files_progress_on_the_page(client_for, clerk, project):
    response = client_for(clerk).post(
        reverse("projects:progress_add", args=[project.pk]),
        {"period": "2022-06", "completed_in_year": "60", "note": "主体完工"},
    )
    assert response.status_code == 302
    report = ProgressReport.objects.get()
    assert report.completed_in_year == 60_000_000
    assert report.author == clerk


@pytest.mark.django_db
def test_a_clerk_may_not_file_progress_for_another_village(client_for, clerk, other_project):
    client = client_for(clerk)
    page = client.get(reverse("projects:project_detail", args=[other_project.pk]))
    assert page.context["can_report"] is False
    response = client.post(
        reverse("projects:progress_add", args=[other_project.pk]),
        {"period": "2022-06", "completed_in_year": "1"},
    )
    assert response.status_code == 403
    assert not ProgressReport.objects.exists()


@pytest.mark.django_db
def test_import_pages(client_for, admin, auditor, project):
    client = client_for(admin)
    assert client.get(reverse("projects:progress_import")).status_code == 200
    sheet = client.get(reverse("projects:progress_export") + "?period=2022-06")
    assert sheet["Content-Type"].startswith("application/vnd.openxmlformats")
    upload = client.post(
        reverse("projects:progress_import"), {"file": _file(b"not a sheet")}, follow=True
    )
    assert upload.status_code == 200
    assert upload.redirect_chain[0][0].startswith("/registry/stats/import/")  # the job page
    assert b"import-errors" in upload.content
    assert client.get(reverse("projects:cooperation_import")).status_code == 200
    assert client.get(reverse("projects:cooperation_template")).status_code == 200
    assert client_for(auditor).get(reverse("projects:progress_import")).status_code == 403
    assert client_for(auditor).get(reverse("projects:cooperation_import")).status_code == 403


def _file(content: bytes):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile("p.xlsx", content)


@pytest.mark.django_db
def test_cooperation_page_by_year(client_for, admin, tree):
    from projects.models import CooperationList, CooperationProject

    lst = CooperationList.objects.create(
        kind="neighbour", year=2021, side_a_name="金山", side_b_name="平湖"
    )
    CooperationProject.objects.create(
        list=lst, number=1, name="公共管廊", category="industry", status="completed"
    )
    response = client_for(admin).get(reverse("projects:cooperation_list") + "?year=2021")
    assert response.status_code == 200
    assert "公共管廊" in response.content.decode()
    assert response.context["count"] == 1


@pytest.mark.django_db
def test_pages_need_a_login(client, project):
    response = client.get(reverse("projects:project_list"))
    assert response.status_code == 302
