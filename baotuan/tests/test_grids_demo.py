"""The demo's 浙沪山塘 joint grid, and the scan that keeps personal data off public pages:
every page an anonymous visitor can reach (crawled from `/`, the showcase and the notices)
and every API answer without a token, searched for the demo's ID numbers, phones and the
names of household heads."""

import re
from collections import deque

import pytest

from baotuan.demo import facts, registry
from baotuan.demo import grids as demo
from baotuan.demo import points as demo_points
from baotuan.demo.stats import write_demo_stats
from core.actors import SYSTEM
from core.pii import unseal
from grids.models import Grid, GridWorker, Household, Matter, Person, ScreeningEntry
from points.models import Scheme
from registry.services.divisions import load_divisions
from registry.services.stats_io import import_stats


@pytest.fixture
def loaded(db, tmp_path):
    load_divisions(areas=[facts.PINGHU, facts.QINGTIAN, facts.JINSHAN], actor=SYSTEM)
    registry.load_organisations()
    path = tmp_path / "stats.csv"
    write_demo_stats(path)
    assert not import_stats(path, actor=SYSTEM).errors
    registry.load_users()
    demo.load()
    demo_points.load()
    return Grid.objects.get(name=demo.GRID)


def test_the_joint_grid_tells_the_article(loaded):
    grid = loaded
    assert (grid.village_id, grid.partner_village_id) == (facts.VILLAGES["山塘村"], demo.SH)
    leaders = GridWorker.objects.filter(grid=grid, role="leader")
    assert sorted(leaders.values_list("side_id", flat=True)) == sorted([demo.SH, grid.village_id])
    xu = GridWorker.objects.get(name="徐全妹")
    assert xu.micro_grid.name == "浙沪毗邻网格第二微网格"
    assert xu.user.username == "grid"
    assert set(Matter.objects.values_list("status", flat=True)) == {
        "accepted",
        "transferred",
        "handled",
        "fed_back",
        "evaluated",
    }
    task = grid.screenings.get()
    assert task.status == "closed"
    assert task.held_on.year == 2022
    sides = set(ScreeningEntry.objects.values_list("micro_grid__side_id", flat=True))
    assert sides == {grid.village_id, demo.SH}
    assert Household.objects.filter(is_illustrative=False).count() == 0


def test_a_second_load_adds_nothing(loaded):
    before = (Household.objects.count(), Person.objects.count(), Matter.objects.count())
    demo.load()
    assert (Household.objects.count(), Person.objects.count(), Matter.objects.count()) == before


def _secrets():
    ids, phones, names = set(), set(), set()
    for person in Person.objects.all():
        if person.id_sealed:
            ids.add(unseal(person.id_sealed))
        if person.phone_sealed:
            phones.add(unseal(person.phone_sealed))
        if person.relation == "head":
            names.add(person.name)
    for entry in ScreeningEntry.objects.all():
        ids.add(unseal(entry.id_sealed))
        phones.add(unseal(entry.phone_sealed))
        names.add(unseal(entry.name_sealed))
    return ids, phones, names


HREF = re.compile(r'href="(/[^"#?]*)')


def test_no_public_page_or_api_answer_carries_personal_data(loaded, client):
    ids, phones, names = _secrets()
    assert len(ids) > 100
    assert phones
    assert names
    # The points pages are public by their scheme and notice code (printed on the wall).
    points = [f"/points/public/{pk}/ranking/" for pk in Scheme.objects.values_list("pk", flat=True)]
    seen, queue, bodies = set(), deque(["/", "/showcase/", "/ventures/notices/", *points]), []
    while queue and len(seen) < 300:
        url = queue.popleft()
        if url in seen or url.startswith(("/static/", "/accounts/", "/i18n/", "/admin/")):
            continue
        seen.add(url)
        response = client.get(url, follow=True)
        if response.status_code != 200 or "text/html" not in response.get("Content-Type", ""):
            continue
        body = response.content.decode()
        bodies.append((url, body))
        queue.extend(HREF.findall(body))
    api = [
        "households/",
        "people/",
        "grids/",
        "micro-grids/",
        "grid-workers/",
        "grid-matters/",
        "screening-tasks/",
        "screening-entries/",
        "personal-data-reveals/",
        "indicators/",
        "ranking-snapshots/",
        "points-schemes/",
        "points-entries/",
        "points-notices/",
        "points-appeals/",
        "points-redemptions/",
    ]
    for path in api:
        response = client.get(f"/api/v1/{path}")
        assert response.status_code in (200, 401), path
        bodies.append((path, response.content.decode()))
    assert len(bodies) > 5
    assert sum("/points/public/notice/" in url for url, _body in bodies) > 10
    for url, body in bodies:
        for secret in ids | phones:
            assert secret not in body, url
        for name in names:
            assert name not in body, (url, name)
