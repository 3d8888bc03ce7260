"""A real browser (headless Chromium) against the live server: sign in through the form,
open a village page with statistics and check that the ECharts chart drew, without any
console error. Saves screenshots to var/screenshots/ (or $SCREENSHOT_DIR), so a test run
never rewrites the committed pictures in docs/screenshots/.

Run alone with `pytest -m browser`. Skipped only when /usr/bin/chromium is missing; the
browser is never downloaded.
"""

import os
from pathlib import Path

import pytest

from accounts.models import Grant, User
from core.roles import Role
from registry.choices import RegionLevel, VillageKind
from registry.models import Region, Village, VillageStat, WeakVillageThreshold
from tests.support import CHROMIUM, chromium_page

SCREENSHOTS = Path(
    os.getenv("SCREENSHOT_DIR") or Path(__file__).resolve().parent.parent / "var" / "screenshots"
)
XUJIADAI = "330482107208"

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="needs /usr/bin/chromium"),
]

TREE = [
    ("33", "浙江省", RegionLevel.PROVINCE, None),
    ("3304", "嘉兴市", RegionLevel.CITY, "33"),
    ("330482", "平湖市", RegionLevel.COUNTY, "3304"),
    ("330482107", "林埭镇", RegionLevel.TOWNSHIP, "330482"),
    ("330482106", "广陈镇", RegionLevel.TOWNSHIP, "330482"),
]
VILLAGES = [
    ("330482107208", "徐家埭村村民委员会", "徐家埭村", "330482107"),
    ("330482107201", "林埭村村民委员会", "林埭村", "330482107"),
    ("330482107202", "华丰村村民委员会", "华丰村", "330482107"),
    ("330482106209", "山塘村村民委员会", "山塘村", "330482106"),
    ("330482106201", "广陈村村民委员会", "广陈村", "330482106"),
    ("330482106204", "龙萌村村民委员会", "龙萌村", "330482106"),
]
# 徐家埭村's collective income (fen): the years before 2023 are generated, so illustrative.
HISTORY = [
    (2019, 412_000_00, 265_000_00, 301_000_00, 37_810_00, True),
    (2020, 638_000_00, 402_000_00, 455_000_00, 39_900_00, True),
    (2021, 951_000_00, 640_000_00, 702_000_00, 43_600_00, True),
    (2022, 1_420_000_00, 960_000_00, 1_050_000_00, 46_276_00, True),
    (2023, 2_150_000_00, 1_480_000_00, 1_620_000_00, 49_120_00, True),
]


@pytest.fixture
def registry_data(transactional_db):
    for code, name, level, parent in TREE:
        Region.objects.create(code=code, name=name, level=level, parent_id=parent)
    for code, name, short, township in VILLAGES:
        Village.objects.create(
            code=code,
            name=name,
            short_name=short,
            kind=VillageKind.VILLAGE,
            township_id=township,
            county_id=code[:6],
        )
    for year, total, operating, recurring, per_capita, illustrative in HISTORY:
        VillageStat.objects.create(
            village_id=XUJIADAI,
            year=year,
            total_income=total,
            operating_income=operating,
            recurring_income=recurring,
            population=2_310,
            households=702,
            per_capita_disposable_income=per_capita,
            is_illustrative=illustrative,
        )
    for n, (code, *_rest) in enumerate(VILLAGES[1:]):
        VillageStat.objects.create(
            village_id=code,
            year=2023,
            total_income=(150_000 + 90_000 * n) * 100,
            operating_income=(70_000 + 60_000 * n) * 100,
            is_illustrative=True,
        )
    WeakVillageThreshold.objects.create(
        name="浙江省消薄标准（2021—）",
        region_id="33",
        valid_from=2021,
        total_income_below=200_000_00,
        operating_income_below=100_000_00,
    )
    clerk = User.objects.create_user(
        username="xujiadai", password="a-long-test-password", display_name="徐家埭村填报员"
    )
    Grant.objects.create(user=clerk, role=Role.VILLAGE_CLERK, village_id=XUJIADAI)
    return clerk


@pytest.fixture
def page(live_server, registry_data):
    """A Chromium page that records console errors and uncaught exceptions."""
    with chromium_page() as page:
        yield page


def test_a_clerk_signs_in_and_sees_the_village_chart(live_server, page):
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)

    page.goto(f"{live_server.url}/registry/villages/{XUJIADAI}/")
    assert "/accounts/login/" in page.url
    page.fill("input[name=username]", "xujiadai")
    page.fill("input[name=password]", "a-long-test-password")
    page.click("form.form-stack button[type=submit]")
    page.wait_for_url(f"**/registry/villages/{XUJIADAI}/")

    page.wait_for_selector("#income-chart canvas")
    assert page.locator("#income-chart canvas").count() >= 1
    box = page.locator("#income-chart canvas").first.bounding_box()
    assert box["width"] > 600
    assert box["height"] > 300
    assert page.locator("h1").inner_text() == "徐家埭村"
    assert page.locator("table.table-stats tbody tr").count() == len(HISTORY)
    page.wait_for_timeout(600)  # let the bars finish their entry animation
    page.screenshot(path=str(SCREENSHOTS / "village.png"), full_page=True)

    page.goto(f"{live_server.url}/registry/villages/?year=2023")
    page.wait_for_selector("#village-results table")
    assert page.locator("#village-results tbody tr").count() == len(VILLAGES)
    # Typing in the search box filters the table in place (htmx).
    page.fill("input[name=q]", "山塘")
    # (Arrow functions: a bare expression would be eval'd in the page, which its
    # Content-Security-Policy refuses.)
    page.wait_for_function(
        "() => document.querySelectorAll('#village-results tbody tr').length === 1"
    )
    page.fill("input[name=q]", "")
    page.wait_for_function(
        "() => document.querySelectorAll('#village-results tbody tr').length === 6"
    )
    page.screenshot(path=str(SCREENSHOTS / "villages.png"), full_page=True)

    assert page.errors == []


@pytest.fixture
def ranked(registry_data):
    """An alliance of the six villages with a published scheme frozen for 2023."""
    from datetime import date

    from alliances.models import Alliance, Membership
    from analytics import services
    from analytics.models import RankingKPI, RankingScheme
    from core.actors import SYSTEM

    alliance = Alliance.objects.create(name="测试联盟", region_id="330482")
    for code, *_rest in VILLAGES:
        Membership.objects.create(alliance=alliance, village_id=code, joined_on=date(2018, 1, 1))
    scheme = RankingScheme.objects.create(
        name="比拼晾晒", alliance=alliance, is_published=True, description="按集体经济总收入。"
    )
    RankingKPI.objects.create(scheme=scheme, key="collective_income", weight=1, order=1)
    services.compute_snapshot(scheme, 2023, actor=SYSTEM)
    return scheme


def test_a_visitor_sees_the_showcase_on_desktop_and_phone(live_server, ranked, page):
    # `ranked` before `page`: the data is written before Playwright starts its event loop.
    """No login: the ranking, its history chart drawn by ECharts, no console error, and on a
    390 px phone screen nothing wider than the screen."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.goto(f"{live_server.url}/showcase/")
    assert "/accounts/login/" not in page.url
    assert page.locator("h1").inner_text() == "比拼晾晒"
    assert page.locator("[data-testid=ranking] tbody tr").count() == len(VILLAGES)
    page.wait_for_selector("#history-chart canvas")
    assert page.locator("#history-chart canvas").first.bounding_box()["width"] > 600
    page.wait_for_timeout(600)
    page.screenshot(path=str(SCREENSHOTS / "showcase.png"), full_page=True)

    page.set_viewport_size({"width": 390, "height": 800})
    page.reload()
    page.wait_for_selector("#history-chart canvas")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.screenshot(path=str(SCREENSHOTS / "showcase-mobile.png"))
    assert page.errors == []


def test_a_clerk_drills_down_the_dashboard(live_server, page):
    """平湖 2023: the four charts draw; the township link opens that township's dashboard."""
    page.goto(f"{live_server.url}/analytics/region/330482/2023/")
    page.fill("input[name=username]", "xujiadai")
    page.fill("input[name=password]", "a-long-test-password")
    page.click("form.form-stack button[type=submit]")
    page.wait_for_url("**/analytics/region/330482/2023/")
    for chart in ("trend-chart", "gap-chart", "histogram-chart", "lorenz-chart"):
        page.wait_for_selector(f"#{chart} canvas")
    page.click("text=林埭镇 >> nth=-1")
    page.wait_for_url("**/analytics/region/330482107/2023/")
    assert "林埭镇" in page.locator("h1").inner_text()
    page.wait_for_selector("#lorenz-chart canvas")
    page.screenshot(path=str(SCREENSHOTS / "dashboard.png"), full_page=True)
    assert page.errors == []


# --- Screens: phones (390 px) and the navigation at 1440 px (issue 10, item 14) -----------

#: Elements of <main> that reach past the right edge of the screen (clipped or scrolled away).
PAST_THE_EDGE = """(width) => [...document.querySelectorAll('main *')]
    .filter(e => e.getClientRects().length && e.getBoundingClientRect().right > width + 1)
    .map(e => e.tagName + '.' + e.className + ': ' + (e.textContent || '').trim().slice(0, 30))"""


@pytest.fixture
def duties(registry_data):
    """Two duties of 徐家埭村 with long titles, one overdue: the home page's duty table."""
    from datetime import timedelta

    from django.utils import timezone

    from alliances.models import Alliance, Duty

    alliance = Alliance.objects.create(name="金平湖“抱团富”联盟", region_id="330482")
    today = timezone.localdate()
    for days, title in (
        (-30, "规划俞家浜景区＋中国航天科普馆＋曹桥赛艇中心旅游线路"),
        (3, "共富学院培训基地建设与年度比拼晾晒材料汇总"),
    ):
        Duty.objects.create(
            alliance=alliance,
            title=title,
            owner_village_id=XUJIADAI,
            due_on=today + timedelta(days=days),
        )
    return alliance


def _sign_in(page, live_server, path="/"):
    page.goto(f"{live_server.url}/accounts/login/?next={path}")
    page.fill("input[name=username]", "xujiadai")
    page.fill("input[name=password]", "a-long-test-password")
    page.click("form.form-stack button[type=submit]")
    page.wait_for_url(f"**{path}")


def test_on_a_phone_nothing_is_cut_off(live_server, ranked, duties, page):
    """390 px: the home duty table, the showcase (ranking with its KPIs, returns, projects),
    the notice list and the duty board fit the screen: no element of the page reaches past its edge."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.set_viewport_size({"width": 390, "height": 800})
    _sign_in(page, live_server)
    assert page.locator("[data-testid=my-duties] tbody tr").count() == 2
    assert page.evaluate(PAST_THE_EDGE, 390) == []
    # Each duty's owner and due day are shown, not dropped.
    assert "徐家埭村" in page.locator("[data-testid=my-duties] tbody tr").first.inner_text()
    page.screenshot(path=str(SCREENSHOTS / "home-390.png"), full_page=True)

    page.goto(f"{live_server.url}/showcase/")
    page.wait_for_selector("#history-chart canvas")
    assert page.evaluate(PAST_THE_EDGE, 390) == []
    # The KPI columns are shown (below each village), not hidden.
    kpi = page.locator("[data-testid=ranking] tbody td.kpi-col").first
    assert kpi.is_visible()
    page.screenshot(path=str(SCREENSHOTS / "showcase-390.png"), full_page=True)

    page.goto(f"{live_server.url}/ventures/notices/")
    assert page.evaluate(PAST_THE_EDGE, 390) == []

    page.goto(f"{live_server.url}/alliances/{duties.pk}/duties/")
    assert page.locator("[data-testid=duty-table] tbody tr").count() == 2
    assert page.evaluate(PAST_THE_EDGE, 390) == []
    assert page.errors == []


@pytest.fixture
def city_admin(registry_data):
    admin = User.objects.create_user(
        username="cityadmin",
        password="a-long-test-password",
        display_name="市级管理员（联盟秘书处）",
    )
    Grant.objects.create(user=admin, role=Role.CITY_ADMIN)
    return admin


def test_the_navigation_fits_one_row_at_1440_px(live_server, city_admin, page):
    # `city_admin` before `page`: the data is written before Playwright starts its event loop.
    """Every top-level entry of the bar on one line, for a user who sees all of them; a group
    opens its menu, and opening another closes the first."""
    page.set_viewport_size({"width": 1440, "height": 900})
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("input[name=username]", "cityadmin")
    page.fill("input[name=password]", "a-long-test-password")
    page.click("form.form-stack button[type=submit]")
    page.wait_for_url(f"{live_server.url}/")

    tops = page.evaluate(
        "() => [...document.querySelectorAll('.nav > a, .nav > details > summary, .brand,"
        " .topbar-tools')].map(e => Math.round(e.getBoundingClientRect().top / 10))"
    )
    assert len(tops) >= 8
    assert len(set(tops)) == 1, tops
    assert page.locator(".topbar-inner").bounding_box()["height"] < 70

    groups = page.locator(".nav-group")
    groups.nth(0).locator("summary").click()
    assert groups.nth(0).locator(".nav-menu a").first.is_visible()
    groups.nth(1).locator("summary").click()
    assert groups.nth(1).locator(".nav-menu a").first.is_visible()
    # The first closes on the second's "toggle" event, which the browser fires after the
    # click returns: wait for it (a timeout fails the test).
    groups.nth(0).locator(".nav-menu a").first.wait_for(state="hidden", timeout=5000)
    page.screenshot(path=str(SCREENSHOTS / "navigation-1440.png"))
    assert page.errors == []
