"""No internal key on screen (issue 10, item 12): the demo crawled as every demo account and
as an anonymous visitor (Django's test client, following the pages' own links), and no
page's visible text holds a policy or parameter code ("fixed_return", "rate"), a holder key
("village:331121101200", "organisation:12"), an attribute name ("Parent") or a typed-id hint
("organisation:ID").

The demo is the reduced one of test_demo.py (平湖, 青田, 金山) with every part loaded:
alliances, ventures, projects and rankings.
"""

import re
from collections import Counter
from html.parser import HTMLParser

import pytest

from accounts.models import User
from audit.context import change_context
from baotuan.demo import alliances, facts, rankings, registry, ventures
from baotuan.demo import projects as demo_projects
from baotuan.demo.stats import write_demo_stats
from core.actors import SYSTEM
from registry.services.divisions import load_divisions
from registry.services.stats_io import import_stats

#: What must never be read on a page: codes of policies, parameters, indicators and
#: choices, holder keys, Django's default field names, hints to type keys.
INTERNAL_KEYS = re.compile(
    r"\b(fixed_return|pro_rata|floor_pro_rata|shares_points|reserve_rate|welfare_rate"
    r"|floor_rate|share_ratio|fixed_years|term_start|capital_kinds|collective_income"
    r"|income_growth|operating_share|duties_on_time|rate|source income|Parent)\b"
    r"|\b(village|organisation):(\d|ID|<id>)"
)
SEEDS = [
    "/",
    "/showcase/",
    "/ventures/notices/",
    "/ventures/",
    "/alliances/",
    "/projects/",
    "/projects/cooperation/",
    "/analytics/",
    "/audit/changes/",
    "/registry/villages/",
    "/registry/regions/",
]
#: Pages per URL shape (digits folded) and per visitor: enough to reach every kind of page.
PER_SHAPE, PER_VISITOR = 3, 300
SKIP = re.compile(
    r"^/(admin|api|i18n|accounts/logout|static)|\.(xlsx|csv|pdf)|export|template|download"
    r"|/attachments/\d|/evidence/\d|/language/|format="
)


class _Text(HTMLParser):
    """The text a reader sees (no scripts, styles or attribute values) and the links."""

    def __init__(self):
        super().__init__()
        self.text, self.links, self._hidden = [], [], 0

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style"):
            self._hidden += 1
        if tag == "a":
            href = dict(attrs).get("href")
            if href:
                self.links.append(href)

    def handle_endtag(self, tag):
        if tag in ("script", "style"):
            self._hidden -= 1

    def handle_data(self, data):
        if not self._hidden:
            self.text.append(data)


@pytest.fixture
def demo(db, tmp_path):
    with change_context(user=SYSTEM, source="cli", path="test"):
        load_divisions(areas=[facts.PINGHU, facts.QINGTIAN, facts.JINSHAN], actor=SYSTEM)
        registry.load_organisations()
        path = tmp_path / "stats.csv"
        write_demo_stats(path)
        assert not import_stats(path, actor=SYSTEM).errors
        registry.load_users()
        alliances.load()
        ventures.load()
        demo_projects.load()
        rankings.load()


def _crawl(client) -> tuple[dict[str, list[str]], int]:
    """{url: [the internal keys in its text]} over the pages reached, and how many."""
    queue, seen, shapes, found = list(SEEDS), set(), Counter(), {}
    while queue and len(seen) < PER_VISITOR:
        url = queue.pop(0).split("#")[0]
        if url in seen or SKIP.search(url):
            continue
        seen.add(url)
        shape = re.sub(r"\d+", "N", url.split("?")[0])
        shapes[shape] += 1
        if shapes[shape] > PER_SHAPE:
            continue
        response = client.get(url)
        if response.status_code != 200 or "html" not in response.get("Content-Type", ""):
            continue
        page = _Text()
        page.feed(response.content.decode())
        hits = [m.group(0) for m in INTERNAL_KEYS.finditer(" ".join(page.text))]
        if hits:
            found[url] = hits
        queue += [link for link in page.links if link.startswith("/")]
    return found, len(seen)


def test_the_pattern_finds_what_the_pages_used_to_show():
    """The check itself can fail: the texts the issue quotes are caught."""
    for text in (
        "分配方式 fixed_return",
        "rate 10%",
        "平湖—青田山海协作消薄“飞地”产业园 · village:331121101200",
        "organisation:12",
        "12 位村级代码，或 organisation:ID",
        "Parent 区划",
    ):
        assert INTERNAL_KEYS.search(text), text
    assert not INTERNAL_KEYS.search("年固定回报率（%） 10% 上级区划 温溪村 331121101200")


def test_no_page_shows_an_internal_key_to_any_demo_account(demo, client):
    visitors = [None, *User.objects.order_by("pk")]
    assert len(visitors) > 6
    report = {}
    for user in visitors:
        client.logout()
        if user is not None:
            client.force_login(user)
        found, visited = _crawl(client)
        assert visited > (10 if user is None else 40), (user, visited)
        if found:
            report[str(user)] = found
    assert report == {}
