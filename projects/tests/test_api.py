import pytest

from projects.models import CooperationList, ProgressReport, Project


@pytest.mark.django_db
def test_a_clerk_posts_progress_for_their_project(client_for, clerk, project):
    response = client_for(clerk).post(
        "/api/v1/progress-reports/",
        {"project": project.pk, "period": "2022-06-30", "completed_in_year": 60_000_000},
        content_type="application/json",
    )
    assert response.status_code == 201, response.json()
    assert response.json()["plan_percent"] == "60.0"


@pytest.mark.django_db
def test_a_clerk_may_not_post_progress_for_another_village(client_for, clerk, other_project):
    response = client_for(clerk).post(
        "/api/v1/progress-reports/",
        {"project": other_project.pk, "period": "2022-06-30", "completed_in_year": 1},
        content_type="application/json",
    )
    assert response.status_code == 403
    assert not ProgressReport.objects.exists()


@pytest.mark.django_db
def test_progress_reports_cannot_be_edited_or_deleted(client_for, admin, project):
    client = client_for(admin)
    created = client.post(
        "/api/v1/progress-reports/",
        {"project": project.pk, "period": "2022-06-30", "completed_in_year": 5},
        content_type="application/json",
    ).json()
    url = f"/api/v1/progress-reports/{created['id']}/"
    assert (
        client.patch(url, {"completed_in_year": 9}, content_type="application/json").status_code
        == 405
    )
    assert client.delete(url).status_code == 405
    assert ProgressReport.objects.get().completed_in_year == 5


@pytest.mark.django_db
def test_a_clerk_edits_their_project_but_not_anothers(client_for, clerk, project, other_project):
    client = client_for(clerk)
    ok = client.patch(
        f"/api/v1/projects/{project.pk}/", {"status": "operating"}, content_type="application/json"
    )
    assert ok.status_code == 200
    refused = client.patch(
        f"/api/v1/projects/{other_project.pk}/",
        {"status": "operating"},
        content_type="application/json",
    )
    assert refused.status_code == 404
    other_project.refresh_from_db()
    assert other_project.status == "planned"
    # nor hand their project to another village
    moved = client.patch(
        f"/api/v1/projects/{project.pk}/",
        {"lead_village": other_project.lead_village_id},
        content_type="application/json",
    )
    assert moved.status_code == 403
    assert Project.objects.get(pk=project.pk).lead_village_id == project.lead_village_id


@pytest.mark.django_db
def test_project_list_filters_and_reads_for_signed_in_users(
    client_for, auditor, project, other_project, consortium
):
    client = client_for(auditor)
    rows = client.get(f"/api/v1/projects/?consortium={consortium.pk}").json()["results"]
    assert [r["code"] for r in rows] == ["XJD-01"]
    rows = client.get("/api/v1/projects/?village=331121201201").json()["results"]
    assert [r["code"] for r in rows] == ["FS-01"]
    assert client.post("/api/v1/projects/", {}, content_type="application/json").status_code == 403


@pytest.mark.django_db
def test_cooperation_lists_are_written_by_admins_only(client_for, admin, clerk, tree):
    body = {"kind": "neighbour", "year": 2022, "side_a_name": "金山", "side_b_name": "平湖"}
    assert (
        client_for(clerk)
        .post("/api/v1/cooperation-lists/", body, content_type="application/json")
        .status_code
        == 403
    )
    assert not CooperationList.objects.exists()
    assert (
        client_for(admin)
        .post("/api/v1/cooperation-lists/", body, content_type="application/json")
        .status_code
        == 201
    )
