"""Who reads a holder's statement (issue 10 item 7): per object, by the grants of the reader.

The matrix (ventures.selectors.may_read_statement, core.scope.may_read): a statement is read
by users one of whose grants, whatever its role, reaches the venture's operating company
(registered in 青田: it reads every holder's) or the holder itself; everyone else gets a 404
from the page, its xlsx and the API (a partner no longer reads any holder's statement).
"""

import pytest
from django.urls import reverse

from tests.support import PERSONAS, make_persona
from ventures.tests.support import FENGSHAN, XUJIADAI

# The statement of 徐家埭村 (平湖) in the enclave park run by the 青田 joint company.
READS_XUJIADAI = {
    **dict.fromkeys(PERSONAS, True),
    "other_clerk": False,
}
# The statement of 峰山村 (青田): nobody whose grants stop at 平湖 or 徐家埭村.
READS_FENGSHAN = {
    **dict.fromkeys(PERSONAS, True),
    "clerk": False,
    "pinghu_auditor": False,
    "pinghu_partner": False,
}


def test_the_matrix_names_every_persona():
    assert set(READS_XUJIADAI) == set(PERSONAS) == set(READS_FENGSHAN)


@pytest.mark.parametrize(
    ("holder", "matrix"),
    [(XUJIADAI, READS_XUJIADAI), (FENGSHAN, READS_FENGSHAN)],
    ids=["xujiadai", "fengshan"],
)
@pytest.mark.parametrize("persona", sorted(PERSONAS))
def test_a_statement_is_read_only_within_the_readers_grants(
    client_for, tree, enclave_company, venture, register, holder, matrix, persona
):
    client = client_for(make_persona(persona, tree, enclave_company))
    page = reverse("ventures:statement", args=[venture.pk, f"village:{holder}"])
    api = f"/api/v1/ventures/{venture.pk}/statement/?holder=village:{holder}"

    statuses = {
        "page": client.get(page).status_code,
        "xlsx": client.get(page + "?format=xlsx").status_code,
        "api": client.get(api).status_code,
    }

    expected = 200 if matrix[persona] else 404
    assert statuses == dict.fromkeys(statuses, expected)


def test_the_api_statement_names_its_holder_when_read(client_for, tree, venture, register):
    client = client_for(make_persona("other_clerk", tree, None))
    body = client.get(f"/api/v1/ventures/{venture.pk}/statement/?holder=village:{FENGSHAN}")
    assert body.json()["holder"] == f"village:{FENGSHAN}"


def test_anonymous_visitors_get_no_statement(client_for, venture, register):
    page = reverse("ventures:statement", args=[venture.pk, f"village:{XUJIADAI}"])
    assert client_for(None).get(page).status_code == 302
    api = client_for(None).get(
        f"/api/v1/ventures/{venture.pk}/statement/?holder=village:{XUJIADAI}"
    )
    assert api.status_code == 401
