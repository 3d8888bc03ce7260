"""Who opens a project's files (issue 10 item 7): per object, by the grants of the reader.

The matrix (core.scope.restrict_reads): a file is read by users one of whose grants, whatever
its role, reaches the project's lead or one of its partners; everyone else gets a 404 from
the download, and neither the project page nor the API shows them its link. Links carry a
random token, not the sequential id.
"""

import uuid

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.db.migrations.recorder import MigrationRecorder

from core.actors import SYSTEM
from projects import services
from projects.models import ProjectAttachment, ProjectPartner
from tests.support import PERSONAS, make_persona

PDF = b"%PDF-1.4\n%scoped\n"
API = "/api/v1/project-attachments/"

# The project is led by 徐家埭村 (平湖); 峰山村 (青田) and the enclave company are not in it.
READS_LEAD_ONLY = {
    "admin": True,
    "clerk": True,
    "other_clerk": False,
    "auditor": True,
    "pinghu_auditor": True,
    "qingtian_auditor": False,
    "pinghu_partner": True,
    "qingtian_partner": False,
    "company_partner": False,
    "finance": False,
}
# 峰山村 joins as a partner: its clerk and the scopes over 青田 read the files too.
READS_WITH_FENGSHAN = {
    **READS_LEAD_ONLY,
    "other_clerk": True,
    "qingtian_auditor": True,
    "qingtian_partner": True,
}
# The enclave company (registered in 青田) joins instead: its own staff (any role) and the
# scopes over 青田 read them.
READS_WITH_COMPANY = {
    **READS_LEAD_ONLY,
    "company_partner": True,
    "finance": True,
    "qingtian_auditor": True,
    "qingtian_partner": True,
}


def test_the_matrix_names_every_persona():
    for matrix in (READS_LEAD_ONLY, READS_WITH_FENGSHAN, READS_WITH_COMPANY):
        assert set(matrix) == set(PERSONAS)


@pytest.fixture
def attachment(project):
    return services.add_attachment(
        project,
        SimpleUploadedFile("批复.pdf", PDF, content_type="application/pdf"),
        actor=SYSTEM,
        kind="document",
    )


def _reads(client, project, attachment) -> dict[str, bool]:
    """Whether each way in reaches the file: download, project page, API list, API detail."""
    url = f"/projects/attachments/{attachment.token}/"
    download = client.get(url)
    assert download.status_code in (200, 404)
    if download.status_code == 200:
        assert b"".join(download.streaming_content) == PDF
    listed = client.get(API, {"project": project.pk}).json()["results"]
    detail = client.get(f"{API}{attachment.pk}/")
    assert detail.status_code in (200, 404)
    return {
        "download": download.status_code == 200,
        "page": url in client.get(f"/projects/{project.pk}/").content.decode(),
        "api list": [row["id"] for row in listed] == [attachment.pk],
        "api detail": detail.status_code == 200,
    }


@pytest.mark.parametrize(
    ("partner", "matrix"),
    [(None, READS_LEAD_ONLY), ("峰山村", READS_WITH_FENGSHAN), ("company", READS_WITH_COMPANY)],
    ids=["lead-only", "fengshan-partner", "company-partner"],
)
@pytest.mark.parametrize("persona", sorted(PERSONAS))
def test_a_file_is_read_only_within_the_readers_grants(
    client_for, tree, enclave_company, project, attachment, partner, matrix, persona
):
    if partner == "company":
        ProjectPartner.objects.create(project=project, organisation=enclave_company)
    elif partner is not None:
        ProjectPartner.objects.create(project=project, village=tree[partner])
    client = client_for(make_persona(persona, tree, enclave_company))

    reads = _reads(client, project, attachment)

    expected = matrix[persona]
    assert reads == dict.fromkeys(reads, expected)


def test_anonymous_visitors_are_sent_to_sign_in(client_for, attachment):
    response = client_for(None).get(f"/projects/attachments/{attachment.token}/")
    assert response.status_code == 302
    assert "/login" in response["Location"]


def test_links_are_random_tokens_not_ids(client_for, admin, project, attachment):
    second = services.add_attachment(
        project, SimpleUploadedFile("二.pdf", PDF), actor=SYSTEM, kind="document"
    )
    client = client_for(admin)
    assert isinstance(attachment.token, uuid.UUID)
    assert attachment.token != second.token
    assert client.get(f"/projects/attachments/{attachment.pk}/").status_code == 404
    assert client.get(f"/projects/attachments/{uuid.uuid4()}/").status_code == 404
    download = client.get(f"{API}{attachment.pk}/").json()["download"]
    assert download == f"http://testserver/projects/attachments/{attachment.token}/"


@pytest.mark.django_db(transaction=True)
def test_the_migration_gives_existing_attachments_distinct_tokens(project):
    before, after = ("projects", "0002_progress_append_only"), ("projects", "0003_attachment_token")
    executor = MigrationExecutor(connection)
    executor.migrate([before])
    old = executor.loader.project_state([before]).apps.get_model("projects", "ProjectAttachment")
    for n in range(3):
        old.objects.create(project_id=project.pk, title=n, file=f"projects/2022/{n}.pdf")
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    # Forward to every app's latest migration, not only `after`: going back unapplied the
    # migrations of the apps that depend on this one (tourism's on alliances), which the
    # tests after this one need.
    executor.migrate(executor.loader.graph.leaf_nodes())
    assert after in MigrationRecorder(connection).applied_migrations()

    tokens = list(ProjectAttachment.objects.values_list("token", flat=True))
    assert len(tokens) == 3
    assert None not in tokens
    assert len(set(tokens)) == 3
