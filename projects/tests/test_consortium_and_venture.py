"""Which consortium a project counts for and which venture it is are the city's decisions:
set by city admins only (a village clerk writing their own project gets 403)."""

import json

import pytest

from alliances.models import Alliance, Consortium, ConsortiumType
from projects.models import Project
from ventures.models import Venture

API = "/api/v1/"


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
