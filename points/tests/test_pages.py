"""The pages: the scorer's queue, the household card, balances, the store, the import page
(on the queue), and the public notice, appeal form and ranking (cached, no personal data)."""

import datetime as dt

import pytest
from django.core.cache import cache

from core.actors import SYSTEM
from points import services
from points.models import Appeal, Entry

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def notice(scheme, shared, member, scorer, today):
    for hh, code in (
        (shared["outside"], "B01"),
        (shared["in_grid"], "B01"),
        (shared["outside"], "A01"),
    ):
        e = services.propose_entry(
            actor=member,
            scheme=scheme,
            household=hh,
            item_code=code,
            occurred_on=dt.date(2025, 3, 3),
        )
        services.verify_entry(actor=scorer, entry=e)
    return services.publish_notice(actor=scorer, scheme=scheme, published_on=dt.date(2025, 3, 10))


def test_the_queue_verifies_and_publishes(
    scheme, shared, client_for, member, scorer, today, django_assert_max_num_queries
):
    for i in range(5):
        services.propose_entry(
            actor=member,
            scheme=scheme,
            household=shared["outside"],
            item_code="B01",
            occurred_on=dt.date(2025, 3, 1 + i),
        )
    page = client_for(scorer)
    with django_assert_max_num_queries(12):
        response = page.get(f"/points/{scheme.pk}/queue/")
    assert response.status_code == 200
    assert response.content.decode().count("<tr>") == 6
    assert 'value="verify"' in response.content.decode()
    assert 'value="publish"' in response.content.decode()
    assert (
        'value="verify"'
        not in client_for(member).get(f"/points/{scheme.pk}/queue/").content.decode()
    )
    page = client_for(scorer)
    entry = Entry.objects.first()
    page.post(f"/points/{scheme.pk}/queue/", {"action": "verify", "entry": entry.pk})
    assert Entry.objects.get(pk=entry.pk).state == "verified"
    page.post(f"/points/{scheme.pk}/queue/", {"action": "publish"})
    assert Entry.objects.get(pk=entry.pk).state == "published"
    own = client_for(member).post(
        f"/points/{scheme.pk}/queue/", {"action": "verify", "entry": Entry.objects.last().pk}
    )
    assert own.status_code == 302
    assert Entry.objects.last().state == "proposed"


def test_a_proposal_from_the_page(scheme, shared, client_for, member, today):
    response = client_for(member).post(
        f"/points/{scheme.pk}/queue/",
        {"household": "002", "item": "B01", "occurred_on": "2025-03-03"},
    )
    assert response.status_code == 302
    assert Entry.objects.count() == 1
    bad = client_for(member).post(
        f"/points/{scheme.pk}/queue/",
        {"household": "002", "item": "C01", "occurred_on": "2025-03-03"},
    )
    assert bad.status_code == 400
    assert "佐证" in bad.content.decode()
    assert Entry.objects.count() == 1


def test_the_household_card_and_the_store(
    scheme, shared, notice, client_for, scorer, member, today
):
    services.add_store_item(actor=SYSTEM, scheme=scheme, name="洗衣液", price=2, stock=3)
    hh = shared["outside"]
    page = client_for(scorer)
    response = page.get(f"/points/{scheme.pk}/household/{hh.pk}/")
    assert response.status_code == 200
    body = response.content.decode()
    assert "李*" in body
    assert "李四" not in body
    entry = Entry.objects.filter(household=hh).first()
    page.post(
        f"/points/{scheme.pk}/household/{hh.pk}/",
        {"action": "appeal", "entry": entry.pk, "reason": "有误"},
    )
    assert Appeal.objects.count() == 1
    for path in ("balances/", "store/", "", "import/"):
        assert page.get(f"/points/{scheme.pk}/{path}").status_code == 200, path


def test_pages_are_scoped(scheme, client_for, other_clerk):
    assert client_for(other_clerk).get(f"/points/{scheme.pk}/").status_code == 404
    assert client_for(None).get(f"/points/{scheme.pk}/").status_code == 302


def test_the_public_notice_and_ranking(
    scheme, notice, client, today, django_assert_max_num_queries
):
    response = client.get(f"/points/public/notice/{notice.code}/")
    assert response.status_code == 200
    body = response.content.decode()
    assert "李*" in body
    assert "张*" in body
    assert "李四" not in body
    assert "张三" not in body
    assert notice.content_hash in body
    with django_assert_max_num_queries(0):
        assert client.get(f"/points/public/notice/{notice.code}/").status_code == 200
    today["day"] = dt.date(2025, 3, 20)
    ranking = client.get(f"/points/public/{scheme.pk}/ranking/").content.decode()
    assert "002 李*" in ranking
    assert "李四" not in ranking
    assert client.get("/points/public/notice/nope/").status_code == 404


def test_the_public_appeal_form(scheme, notice, client, today):
    entry = Entry.objects.filter(notice=notice, household__number="002").first()
    wrong = client.post(
        f"/points/public/notice/{notice.code}/appeal/",
        {"entry": entry.pk, "household": "001", "reason": "不对"},
    )
    assert wrong.status_code == 400
    assert Appeal.objects.count() == 0
    ok = client.post(
        f"/points/public/notice/{notice.code}/appeal/",
        {"entry": entry.pk, "household": "002", "reason": "不对"},
    )
    assert ok.status_code == 200
    assert Appeal.objects.get().channel == "public"
    today["day"] = dt.date(2025, 3, 17)
    late = client.post(
        f"/points/public/notice/{notice.code}/appeal/",
        {
            "entry": Entry.objects.filter(notice=notice).last().pk,
            "household": "002",
            "reason": "太迟",
        },
    )
    assert late.status_code == 400
    assert Appeal.objects.count() == 1


def test_page_writes_are_refused_out_of_scope(
    scheme, shared, notice, client_for, other_clerk, auditor
):
    from points.tests.test_rules import snapshot

    entry = Entry.objects.filter(notice=notice).first()
    hh = shared["outside"]
    for user in (None, other_clerk, auditor):
        page = client_for(user)
        before = snapshot()
        for path, data in (
            (f"/points/{scheme.pk}/queue/", {"action": "publish"}),
            (
                f"/points/{scheme.pk}/queue/",
                {"household": "002", "item": "B01", "occurred_on": "2025-03-03"},
            ),
            (
                f"/points/{scheme.pk}/household/{hh.pk}/",
                {"action": "appeal", "entry": entry.pk, "reason": "x有误"},
            ),
            (
                f"/points/{scheme.pk}/household/{hh.pk}/",
                {"action": "reverse", "entry": entry.pk, "reason": "x"},
            ),
        ):
            response = page.post(path, data)
            assert response.status_code in (302, 403, 404), (user, path)
        assert snapshot() == before, user
