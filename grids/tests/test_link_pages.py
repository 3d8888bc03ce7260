"""党员联户 on the pages: a form post creates the row; another village's clerk, the other
side's partner and an auditor are refused with nothing changed; the gaps are listed."""

import datetime as dt

import pytest
from django.test import override_settings
from django.urls import reverse

from core.actors import SYSTEM
from grids import services
from grids.models import Evaluation, PartyLink, Visit

pytestmark = pytest.mark.django_db


@pytest.fixture
def link(shared):
    return services.link_household(
        actor=SYSTEM,
        member=shared["head"],
        household=shared["outside"],
        linked_on=dt.date(2022, 1, 1),
    )


def counts():
    return (PartyLink.objects.count(), Visit.objects.count(), Evaluation.objects.count())


def test_the_clerk_links_a_household_from_its_page(shared, client_for, st_clerk):
    client = client_for(st_clerk)
    url = reverse("grids:household_detail", args=[shared["outside"].pk])
    page = client.get(url).content.decode()
    assert 'id="link-form"' in page
    response = client.post(
        reverse("grids:household_link", args=[shared["outside"].pk]),
        {"member": shared["head"].pk, "linked_on": "2022-01-01"},
    )
    assert response.status_code == 302
    link = PartyLink.objects.get()
    assert (link.member, link.household) == (shared["head"], shared["outside"])
    assert 'id="visit-form"' in client.get(url).content.decode()


def test_the_clerk_records_a_visit_and_an_evaluation(shared, client_for, st_clerk, link):
    client = client_for(st_clerk)
    client.post(
        reverse("grids:link_visit", args=[link.pk]),
        {"visited_on": "2022-02-01", "kind": "hardship", "note": "慰问"},
    )
    client.post(
        reverse("grids:link_evaluate", args=[link.pk]),
        {"year": 2022, "kind": "hardship_aid", "verdict": "support", "note": "同意"},
    )
    visit = Visit.objects.get()
    assert (visit.link, visit.visited_on, visit.kind, visit.note) == (
        link,
        dt.date(2022, 2, 1),
        "hardship",
        "慰问",
    )
    evaluation = Evaluation.objects.get()
    assert (evaluation.year, evaluation.kind, evaluation.verdict) == (
        2022,
        "hardship_aid",
        "support",
    )
    page = client.get(reverse("grids:household_detail", args=[shared["outside"].pk])).content
    assert "慰问" in page.decode()
    assert "同意" in page.decode()


def test_a_visit_in_the_future_is_refused_with_its_reason(shared, client_for, st_clerk, link):
    response = client_for(st_clerk).post(
        reverse("grids:link_visit", args=[link.pk]),
        {"visited_on": "2099-01-01", "kind": "routine"},
        follow=True,
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert "A visit cannot be in the future." in response.content.decode()
    assert not Visit.objects.exists()


@pytest.mark.parametrize("who", ["other_clerk", "js_partner", "auditor"])
def test_others_are_refused_and_nothing_changes(shared, client_for, link, who, request):
    client = client_for(request.getfixturevalue(who))
    before = counts()
    posts = [
        (
            reverse("grids:household_link", args=[shared["in_grid"].pk]),
            {"member": shared["head"].pk, "linked_on": "2022-01-01"},
        ),
        (
            reverse("grids:link_visit", args=[link.pk]),
            {"visited_on": "2022-02-01", "kind": "hardship"},
        ),
        (
            reverse("grids:link_evaluate", args=[link.pk]),
            {"year": 2022, "kind": "honours", "verdict": "support"},
        ),
        (
            reverse("grids:party_links", args=[shared["in_grid"].village_id]),
            {
                "member": shared["head"].pk,
                "household": shared["in_grid"].pk,
                "linked_on": "2022-01-01",
            },
        ),
    ]
    for url, data in posts:
        response = client.post(url, data)
        assert response.status_code in (302, 403, 404)
    assert counts() == before


def test_the_village_page_lists_the_gaps_and_links(shared, client_for, st_clerk, link):
    client = client_for(st_clerk)
    url = reverse("grids:party_links", args=[shared["in_grid"].village_id])
    page = client.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    unlinked = page[page.index('id="unlinked"') : page.index('id="members"')]
    assert ">001<" in unlinked  # in_grid has no member yet
    assert ">002<" not in unlinked  # outside is linked
    assert 'id="over-limit"' not in page
    client.post(
        url,
        {"member": shared["head"].pk, "household": shared["in_grid"].pk, "linked_on": "2022-01-02"},
    )
    assert PartyLink.objects.filter(household=shared["in_grid"], ended_on__isnull=True).exists()
    with override_settings(PARTY_LINK_MAX=1):
        page = client.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert 'id="over-limit"' in page
    assert "张三（2/1）" in page


def test_the_limit_refuses_one_more_link(shared, client_for, st_clerk, link):
    with override_settings(PARTY_LINK_MAX=1):
        response = client_for(st_clerk).post(
            reverse("grids:household_link", args=[shared["in_grid"].pk]),
            {"member": shared["head"].pk, "linked_on": "2022-01-02"},
            follow=True,
            HTTP_ACCEPT_LANGUAGE="en",
        )
    assert "the most allowed" in response.content.decode()
    assert PartyLink.objects.count() == 1


def test_the_village_page_has_a_fixed_number_of_queries(
    shared, client_for, st_clerk, link, django_assert_max_num_queries
):
    client = client_for(st_clerk)
    url = reverse("grids:party_links", args=[shared["in_grid"].village_id])
    client.get(url)
    with django_assert_max_num_queries(12) as first:
        client.get(url)
    for n in range(10):
        services.create_household(
            actor=SYSTEM, village=shared["in_grid"].village, number=f"7{n:02d}"
        )
    with django_assert_max_num_queries(len(first.captured_queries)):
        client.get(url)
