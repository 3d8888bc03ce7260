"""Who opens a duty's evidence (issue 10 item 7): per object, by the grants of the reader.

The matrix (core.scope.restrict_reads): evidence is read by users one of whose grants,
whatever its role, reaches the duty's owner (a village or an organisation); everyone else
gets a 404 from the download, and neither the duty page nor the API shows them its link.
Links carry a random token, not the sequential id.
"""

import uuid

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import DatabaseError, connection, transaction
from django.db.migrations.executor import MigrationExecutor
from django.db.migrations.recorder import MigrationRecorder

from alliances import services
from alliances.models import DutyEvidence
from alliances.tests.conftest import D
from core.actors import SYSTEM
from tests.support import PERSONAS, make_persona

PDF = b"%PDF-1.4\n%evidence\n"
API = "/api/v1/duties/"

# Owned by 徐家埭村 (平湖).
READS_XUJIADAI = {
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
# Owned by the enclave company (registered in 青田): its own staff and the scopes over 青田.
READS_COMPANY = {
    **dict.fromkeys(PERSONAS, False),
    "admin": True,
    "auditor": True,
    "qingtian_auditor": True,
    "qingtian_partner": True,
    "company_partner": True,
    "finance": True,
}


def test_the_matrix_names_every_persona():
    assert set(READS_XUJIADAI) == set(PERSONAS) == set(READS_COMPANY)


def _evidence(passed_decision, owner):
    duty = services.create_duties_from_decision(
        passed_decision,
        [{"title": "提交清单", "owner": owner, "due_on": D("2022-06-30")}],
        actor=SYSTEM,
    )[0]
    return services.add_evidence(
        duty, SimpleUploadedFile("签到表.pdf", PDF), "签到表", actor=SYSTEM
    )


@pytest.mark.parametrize(
    ("owner", "matrix"),
    [(0, READS_XUJIADAI), (3, READS_COMPANY)],
    ids=["village-duty", "company-duty"],
)
@pytest.mark.parametrize("persona", sorted(PERSONAS))
def test_evidence_is_read_only_within_the_readers_grants(
    client_for, tree, enclave_company, passed_decision, members, owner, matrix, persona
):
    evidence = _evidence(passed_decision, members[owner])
    client = client_for(make_persona(persona, tree, enclave_company))
    url = f"/alliances/evidence/{evidence.token}/"

    download = client.get(url)
    page = client.get(f"/alliances/duties/{evidence.duty_id}/").content.decode()
    listed = client.get(f"{API}{evidence.duty_id}/evidence/").json()

    expected = matrix[persona]
    assert download.status_code == (200 if expected else 404)
    if expected:
        assert b"".join(download.streaming_content) == PDF
    assert (url in page) is expected
    assert [row["id"] for row in listed] == ([evidence.pk] if expected else [])


def test_anonymous_visitors_are_sent_to_sign_in(client_for, passed_decision, members):
    evidence = _evidence(passed_decision, members[0])
    response = client_for(None).get(f"/alliances/evidence/{evidence.token}/")
    assert response.status_code == 302
    assert "/login" in response["Location"]


def test_links_are_random_tokens_not_ids(client_for, admin, passed_decision, members):
    evidence = _evidence(passed_decision, members[0])
    client = client_for(admin)
    assert isinstance(evidence.token, uuid.UUID)
    assert client.get(f"/alliances/evidence/{evidence.pk}/").status_code == 404
    assert client.get(f"/alliances/evidence/{uuid.uuid4()}/").status_code == 404
    listed = client.get(f"{API}{evidence.duty_id}/evidence/").json()
    assert listed[0]["download"] == f"http://testserver/alliances/evidence/{evidence.token}/"


def test_evidence_stays_append_only_after_the_token_migration(passed_decision, members):
    """The migration that added the token held the guard off and put it back."""
    evidence = _evidence(passed_decision, members[0])
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE alliances_dutyevidence SET title = 'x' WHERE id = %s", [evidence.pk])
    evidence.refresh_from_db()
    assert evidence.title == "签到表"


@pytest.mark.django_db(transaction=True)
def test_the_migration_gives_existing_evidence_distinct_tokens_and_keeps_the_guard(
    passed_decision, members
):
    duty = _evidence(passed_decision, members[0]).duty
    before, after = ("alliances", "0006_quorum_rule_label"), ("alliances", "0007_evidence_token")
    executor = MigrationExecutor(connection)
    executor.migrate([before])
    old = executor.loader.project_state([before]).apps.get_model("alliances", "DutyEvidence")
    for n in range(3):
        old.objects.create(duty_id=duty.pk, file=f"alliances/duties/{duty.pk}/{n}.pdf", title=n)
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    # Forward to every app's latest migration, not only `after`: going back unapplied the
    # migrations of the apps that depend on this one (tourism's on alliances), which the
    # tests after this one need.
    executor.migrate(executor.loader.graph.leaf_nodes())
    assert after in MigrationRecorder(connection).applied_migrations()

    tokens = list(DutyEvidence.objects.values_list("token", flat=True))
    assert len(tokens) == 4
    assert None not in tokens
    assert len(set(tokens)) == 4
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE alliances_dutyevidence SET title = 'x'")
