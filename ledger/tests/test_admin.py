"""The ledger admin: every page renders, nothing can be added, changed or deleted."""

import pytest

from core.actors import SYSTEM
from ledger.models import BalanceSnapshot, JournalEntry, Period, Posting
from ledger.services import lock_period, post_entry
from tests.support import D


@pytest.fixture
def superuser(django_user_model):
    return django_user_model.objects.create_superuser(username="root", password="pw")


@pytest.fixture
def entry(chart):
    entry = post_entry(
        date=D("2024-01-10"),
        description="Rent",
        lines=[(chart["cash"], 100), (chart["income"], -100)],
        actor=SYSTEM,
    )
    lock_period(2024, 1, actor=SYSTEM)
    return entry


@pytest.mark.parametrize(
    "model", ["account", "journalentry", "posting", "period", "balancesnapshot"]
)
def test_change_lists_render_without_an_add_button(client_for, superuser, entry, model):
    response = client_for(superuser).get(f"/admin/ledger/{model}/")

    assert response.status_code == 200
    assert f"/admin/ledger/{model}/add/" not in response.content.decode()


@pytest.mark.parametrize(
    ("model", "obj"),
    [
        ("journalentry", lambda e: e),
        ("posting", lambda e: e.postings.first()),
        ("period", lambda e: Period.objects.get()),
        ("balancesnapshot", lambda e: BalanceSnapshot.objects.first()),
    ],
)
def test_rows_are_shown_read_only_and_cannot_be_posted_to(client_for, superuser, entry, model, obj):
    target = obj(entry)
    client = client_for(superuser)
    before = (list(JournalEntry.objects.values()), list(Posting.objects.values()))

    page = client.get(f"/admin/ledger/{model}/{target.pk}/change/")
    posted = client.post(f"/admin/ledger/{model}/{target.pk}/change/", {"description": "x"})
    deleted = client.post(f"/admin/ledger/{model}/{target.pk}/delete/", {"post": "yes"})

    assert page.status_code == 200
    assert 'name="_save"' not in page.content.decode()
    assert posted.status_code == 403
    assert deleted.status_code == 403
    assert (list(JournalEntry.objects.values()), list(Posting.objects.values())) == before


def test_an_entry_links_to_its_postings(client_for, superuser, entry):
    page = client_for(superuser).get(f"/admin/ledger/journalentry/{entry.pk}/change/")

    assert f"/admin/ledger/posting/?entry__id__exact={entry.pk}" in page.content.decode()
    listed = client_for(superuser).get(f"/admin/ledger/posting/?entry__id__exact={entry.pk}")
    assert listed.status_code == 200
