"""The progress and cooperation-list imports of the web pages run as jobs on the task queue
(projects.tasks), on registry's job rows and job page, with the upload checks of every
web import."""

from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from projects import sheets
from projects.models import CooperationProject, ProgressReport
from projects.tests.test_imports import COOP_ROWS, fill, xlsx
from registry.choices import ImportStatus
from registry.models import ImportJob
from registry.services import jobs
from tests.spreadsheets import huge_string, text_row
from tests.spreadsheets import xlsx as crafted

EN = {"HTTP_ACCEPT_LANGUAGE": "en"}


@pytest.mark.django_db
def test_a_progress_upload_is_queued_for_a_worker(
    client_for, admin, project, settings, monkeypatch
):
    settings.IMPORT_RUN_INLINE = False
    sent = []
    monkeypatch.setattr(jobs, "enqueue", lambda task, *args: sent.append((task.name, args)))
    data = fill(
        sheets.export_progress(admin, date(2022, 6, 30)),
        {"XJD-01": {"本年累计完成投资（元）": 600000}},
    )

    response = client_for(admin).post(
        reverse("projects:progress_import"), {"file": SimpleUploadedFile("p.xlsx", data)}
    )

    job = ImportJob.objects.get()
    assert response.url == reverse("registry:import_job", args=[job.pk])
    assert sent == [("projects.import_progress", (job.pk,))]
    assert (job.status, job.task, job.page) == (
        ImportStatus.QUEUED,
        "projects.import_progress",
        "projects:progress_import",
    )
    assert not ProgressReport.objects.exists()  # the web process ran nothing

    from projects.tasks import import_progress

    import_progress(job.pk)  # the worker

    job.refresh_from_db()
    assert (job.status, job.summary["created"]) == (ImportStatus.SUCCEEDED, 1)
    assert ProgressReport.objects.get().completed_in_year == 60000000
    page = client_for(admin).get(reverse("registry:import_job", args=[job.pk]), **EN)
    assert reverse("projects:progress_import") in page.content.decode()  # the way back


@pytest.mark.django_db
def test_a_cooperation_list_upload_runs_as_a_job_and_shows_its_result(client_for, admin, tree):
    data = xlsx(sheets.COOPERATION_COLUMNS, COOP_ROWS)

    response = client_for(admin).post(
        reverse("projects:cooperation_import"),
        {"file": SimpleUploadedFile("c.xlsx", data)},
        follow=True,
        **EN,
    )

    job = ImportJob.objects.get()
    assert (job.task, job.status, job.summary["created"]) == (
        "projects.import_cooperation",
        ImportStatus.SUCCEEDED,
        3,
    )
    assert CooperationProject.objects.count() == 3
    assert "3 created, 0 updated, 0 unchanged." in response.content.decode()


@pytest.mark.django_db
def test_a_cooperation_list_that_unpacks_past_the_limit_is_refused(
    client_for, admin, tree, settings
):
    settings.IMPORT_MAX_PART_BYTES = 1024 * 1024
    data = crafted([text_row(1, "年度")], [huge_string(2 * 1024 * 1024)])

    client_for(admin).post(
        reverse("projects:cooperation_import"), {"file": SimpleUploadedFile("c.xlsx", data)}, **EN
    )

    job = ImportJob.objects.get()
    assert job.status == ImportStatus.FAILED
    assert job.errors[0]["message"].startswith("The spreadsheet unpacks to more than 1 MB")
    assert not CooperationProject.objects.exists()


@pytest.mark.django_db
def test_too_many_imports_are_said_on_the_projects_page(client_for, admin, tree, settings):
    settings.IMPORT_MAX_JOBS_PER_USER = 1
    ImportJob.objects.create(created_by=admin, status=ImportStatus.RUNNING)

    response = client_for(admin).post(
        reverse("projects:cooperation_import"),
        {"file": SimpleUploadedFile("c.xlsx", xlsx(sheets.COOPERATION_COLUMNS, COOP_ROWS))},
        **EN,
    )

    assert response.status_code == 409
    assert "You already have 1 imports waiting or running" in response.content.decode()
    assert ImportJob.objects.count() == 1
    assert not CooperationProject.objects.exists()


@pytest.mark.django_db
def test_a_file_over_the_size_limit_is_refused_by_the_form_and_not_kept(
    client_for, admin, tree, monkeypatch
):
    from projects import services

    monkeypatch.setattr(services, "MAX_IMPORT_BYTES", 1024 * 1024)

    response = client_for(admin).post(
        reverse("projects:cooperation_import"),
        {"file": SimpleUploadedFile("c.xlsx", b"PK\x03\x04" + b"\0" * (1024 * 1024))},
        **EN,
    )

    assert response.status_code == 200
    assert "The file is larger than 1 MB." in response.content.decode()
    assert not ImportJob.objects.exists()
