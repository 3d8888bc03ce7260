"""Project attachments: upload (page, API, service) within scope, type and size checks, and
the scoped download view (pictures inline, other files as downloads)."""

import uuid

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from audit.models import ObjectChange
from core.actors import SYSTEM
from core.roles import Role
from core.scope import ScopePolicy
from projects import services
from projects.models import ProjectAttachment
from tests.support import make_user

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
PDF = b"%PDF-1.4\n%test\n"


def png(name="现场.png"):
    return SimpleUploadedFile(name, PNG, content_type="image/png")


def pdf(name="批复.pdf", content=PDF):
    return SimpleUploadedFile(name, content, content_type="application/pdf")


def upload_url(project):
    return f"/projects/{project.pk}/attachments/"


def download_url(attachment):
    return f"/projects/attachments/{attachment.token}/"


def messages_of(response):
    return [str(m) for m in response.context["messages"]]


def test_the_lead_clerk_uploads_a_photo_shown_as_a_thumbnail(client_for, clerk, project):
    client = client_for(clerk)
    page = client.get(f"/projects/{project.pk}/").content.decode()
    assert 'data-testid="attachment-form"' in page
    response = client.post(
        upload_url(project), {"title": "施工现场", "kind": "photo", "file": png()}
    )
    assert response.status_code == 302
    attachment = ProjectAttachment.objects.get()
    assert (attachment.project, attachment.kind, attachment.title) == (project, "photo", "施工现场")
    change = ObjectChange.objects.get(
        content_type=ProjectAttachment.content_type(), object_pk=str(attachment.pk)
    )
    assert change.action == "create"
    assert change.changeset.user == clerk
    page = client.get(f"/projects/{project.pk}/").content.decode()
    assert f'<img src="{download_url(attachment)}"' in page
    assert "/media/" not in page
    assert attachment.file.name not in page


def test_an_admin_attaches_a_document_titled_by_its_file_name(client_for, admin, other_project):
    response = client_for(admin).post(
        upload_url(other_project), {"title": "", "kind": "document", "file": pdf()}
    )
    assert response.status_code == 302
    attachment = ProjectAttachment.objects.get()
    assert (attachment.project, attachment.title, attachment.is_image) == (
        other_project,
        "批复",
        False,
    )


@pytest.mark.parametrize("who", ["other_clerk", "auditor"])
def test_other_villages_clerk_and_auditor_are_refused(client_for, request, project, who):
    user = request.getfixturevalue(who)
    client = client_for(user)
    page = client.get(f"/projects/{project.pk}/").content.decode()
    assert 'data-testid="attachment-form"' not in page
    response = client.post(upload_url(project), {"title": "x", "kind": "photo", "file": png()})
    assert response.status_code == 403
    with pytest.raises(services.NotAllowed):
        services.add_attachment(project, png(), actor=user, title="x")
    assert not ProjectAttachment.objects.exists()
    assert not ObjectChange.objects.filter(content_type=ProjectAttachment.content_type()).exists()


@pytest.mark.parametrize(
    ("upload", "kind", "message"),
    [
        (
            SimpleUploadedFile("big.pdf", b"%PDF-" + b"0" * (10 * 1024 * 1024)),
            "document",
            "The file is larger than 10 MB.",
        ),
        (SimpleUploadedFile("run.exe", b"MZ\x90\x00"), "document", "are not accepted"),
        (SimpleUploadedFile("logo.svg", b"<svg/>"), "photo", "are not accepted"),
        (SimpleUploadedFile("noext", b"%PDF-1.4"), "document", "“?”"),
        (SimpleUploadedFile("fake.pdf", b"MZ\x90\x00 not a pdf"), "document", "not a valid"),
        (SimpleUploadedFile("fake.png", b"%PDF-1.4"), "photo", "not a valid"),
        (SimpleUploadedFile("empty.pdf", b""), "document", "empty"),
        (SimpleUploadedFile("批复.pdf", PDF), "photo", "A photo must be a picture"),
    ],
    ids=["too-big", "exe", "svg", "no-suffix", "fake-pdf", "fake-png", "empty", "pdf-photo"],
)
def test_bad_files_are_refused_with_a_clear_error(
    client_for, clerk, project, upload, kind, message
):
    response = client_for(clerk).post(
        upload_url(project),
        {"title": "x", "kind": kind, "file": upload},
        follow=True,
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 200
    assert any(message in m for m in messages_of(response)), messages_of(response)
    assert not ProjectAttachment.objects.exists()


def test_errors_are_in_chinese(client_for, clerk, project):
    response = client_for(clerk).post(
        upload_url(project),
        {"kind": "photo", "file": pdf()},
        follow=True,
        HTTP_ACCEPT_LANGUAGE="zh-hans",
    )
    assert messages_of(response) == [
        "照片须为图片文件（.gif, .jpeg, .jpg, .png, .webp）；其他文件请作为文档上传。"
    ]
    assert not ProjectAttachment.objects.exists()


def test_download_streams_pictures_inline_and_documents_as_files(client_for, auditor, project):
    photo = services.add_attachment(project, png("现场.png"), actor=SYSTEM, title="现场")
    document = services.add_attachment(project, pdf("批复.pdf"), actor=SYSTEM, kind="document")
    client = client_for(auditor)  # reads everything, writes nothing
    response = client.get(download_url(photo))
    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    assert response["Content-Disposition"].startswith("inline")
    assert b"".join(response.streaming_content) == PNG
    response = client.get(download_url(document))
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment")
    assert b"".join(response.streaming_content) == PDF
    assert "private" in response["Cache-Control"]


def test_download_is_refused_out_of_scope(client_for, clerk, project, monkeypatch):
    attachment = services.add_attachment(project, pdf(), actor=SYSTEM, kind="document")
    response = client_for(None).get(download_url(attachment))
    assert response.status_code == 302
    assert "/login" in response["Location"]
    client = client_for(clerk)
    assert client.get(f"/projects/attachments/{uuid.uuid4()}/").status_code == 404
    assert client.get(f"/projects/attachments/{attachment.pk}/").status_code == 404
    assert client.post(download_url(attachment)).status_code == 405
    assert client.get(download_url(attachment)).status_code == 200
    # The view reads through restrict_reads(): a reader the policy does not reach gets a 404.
    monkeypatch.setattr(
        ProjectAttachment,
        "scope_policy",
        ScopePolicy(
            write_roles=frozenset({Role.VILLAGE_CLERK}),
            village_path=None,
            organisation_path="project__lead_organisation",
        ),
    )
    assert client.get(download_url(attachment)).status_code == 404
    assert (
        client_for(make_user("boss", Role.CITY_ADMIN)).get(download_url(attachment)).status_code
        == 200
    )


# --- API --------------------------------------------------------------------------------

API = "/api/v1/project-attachments/"


def test_api_upload_by_the_lead_clerk(client_for, clerk, project):
    client = client_for(clerk)
    response = client.post(
        API, {"project": project.pk, "kind": "photo", "title": "现场", "file": png()}
    )
    assert response.status_code == 201, response.content
    body = response.json()
    attachment = ProjectAttachment.objects.get()
    assert body["id"] == attachment.pk
    assert "file" not in body
    assert body["download"].endswith(download_url(attachment))
    listed = client.get(API, {"project": project.pk}).json()
    rows = listed["results"] if isinstance(listed, dict) else listed
    assert [row["download"] for row in rows] == [body["download"]]
    assert client.get(body["download"]).status_code == 200


@pytest.mark.parametrize("who", ["other_clerk", "auditor"])
def test_api_upload_refused_out_of_scope(client_for, request, project, who):
    client = client_for(request.getfixturevalue(who))
    response = client.post(API, {"project": project.pk, "kind": "photo", "file": png()})
    assert response.status_code == 403
    assert not ProjectAttachment.objects.exists()


def test_api_refuses_bad_files_and_edits(client_for, clerk, project):
    client = client_for(clerk)
    response = client.post(
        API,
        {"project": project.pk, "kind": "document", "file": SimpleUploadedFile("run.exe", b"MZ")},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 400
    assert "not accepted" in response.json()["error"]["detail"]["file"][0]
    response = client.post(API, {"project": project.pk, "kind": "photo"})
    assert response.status_code == 400
    assert not ProjectAttachment.objects.exists()
    attachment = services.add_attachment(project, png(), actor=SYSTEM)
    url = f"{API}{attachment.pk}/"
    assert client.patch(url, {"title": "y"}, content_type="application/json").status_code == 405
    assert client.delete(url).status_code == 405
    assert ProjectAttachment.objects.get().title == "现场"
