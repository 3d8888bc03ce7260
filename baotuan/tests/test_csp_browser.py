"""The Content-Security-Policy in a real browser (headless Chromium): Swagger UI draws the API,
the charts draw and show their tooltips, the print button and the bars work, and the browser
reports no violation of the policy (nor any other console error) on the way.

Run alone with `pytest -m browser`. Skipped only when /usr/bin/chromium is missing.
"""

from pathlib import Path

import pytest

from accounts.models import Grant, User
from core.roles import Role
from registry.choices import RegionLevel, VillageKind
from registry.models import Region, Village, VillageStat

CHROMIUM = Path("/usr/bin/chromium")
PASSWORD = "a-long-test-password"
XUJIADAI = "330482107208"

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="needs /usr/bin/chromium"),
]

# Injected before any page script (it is not subject to the page's policy): records every
# violation the browser reports, so a refused style or script fails the test even when it
# would only have been a console message.
RECORD_VIOLATIONS = """
window.__violations = [];
document.addEventListener("securitypolicyviolation", function (e) {
  window.__violations.push(e.violatedDirective + " " + (e.blockedURI || "inline") + " " + e.sourceFile + ":" + e.lineNumber);
});
"""


@pytest.fixture
def data(transactional_db):
    for code, name, level, parent in [
        ("33", "浙江省", RegionLevel.PROVINCE, None),
        ("3304", "嘉兴市", RegionLevel.CITY, "33"),
        ("330482", "平湖市", RegionLevel.COUNTY, "3304"),
        ("330482107", "林埭镇", RegionLevel.TOWNSHIP, "330482"),
    ]:
        Region.objects.create(code=code, name=name, level=level, parent_id=parent)
    for n, (code, short) in enumerate([(XUJIADAI, "徐家埭村"), ("330482107201", "林埭村")]):
        village = Village.objects.create(
            code=code,
            name=short + "村民委员会",
            short_name=short,
            kind=VillageKind.VILLAGE,
            township_id="330482107",
            county_id="330482",
        )
        for year in (2021, 2022, 2023):
            VillageStat.objects.create(
                village=village,
                year=year,
                total_income=(400 + 100 * n + year - 2000) * 10_000_00,
                operating_income=200 * 10_000_00,
                recurring_income=250 * 10_000_00,
                per_capita_disposable_income=45_000_00,
            )
    admin = User.objects.create_user(username="cityadmin", password=PASSWORD)
    Grant.objects.create(user=admin, role=Role.CITY_ADMIN)


@pytest.fixture
def page(live_server, data):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=str(CHROMIUM), args=["--no-sandbox", "--disable-gpu"]
        )
        context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-US")
        context.add_init_script(RECORD_VIOLATIONS)
        page = context.new_page()
        page.errors = []
        page.on("console", lambda m: m.type == "error" and page.errors.append(m.text))
        page.on("pageerror", lambda e: page.errors.append(str(e)))
        page.set_default_timeout(15_000)
        page.goto(f"{live_server.url}/accounts/login/")
        page.fill("input[name=username]", "cityadmin")
        page.fill("input[name=password]", PASSWORD)
        page.click("form.form-stack button[type=submit]")
        page.wait_for_url(f"{live_server.url}/")
        yield page
        context.close()
        browser.close()


def violations(page) -> list[str]:
    return page.evaluate("() => window.__violations")


def hover_charts(page, selector):
    page.wait_for_selector(f"{selector} canvas")
    page.wait_for_timeout(500)  # the entry animation
    box = page.locator(f"{selector} canvas").first.bounding_box()
    for share in (0.3, 0.5, 0.7):
        page.mouse.move(box["x"] + box["width"] * share, box["y"] + box["height"] * 0.5)
        page.wait_for_timeout(200)


def test_swagger_ui_works_under_the_policy(live_server, page):
    page.goto(f"{live_server.url}/api/v1/docs/")

    page.wait_for_selector(".swagger-ui .info .title")
    assert "Baotuan API" in page.locator(".swagger-ui .info .title").inner_text()
    assert page.locator(".opblock").count() >= 6  # the first tags (the rest draw on scroll)
    page.locator(".opblock-summary").first.click()
    page.wait_for_selector(".opblock-body")
    page.click("button.authorize")
    page.wait_for_selector(".auth-container")
    assert "tokenAuth" in page.locator(".modal-ux-content").inner_text()
    assert violations(page) == []
    assert page.errors == []


def test_charts_and_their_tooltips_draw_under_the_policy(live_server, page):
    page.goto(f"{live_server.url}/registry/villages/{XUJIADAI}/")
    hover_charts(page, "#income-chart")

    page.goto(f"{live_server.url}/analytics/region/330482/2023/")
    hover_charts(page, ".chart")

    assert violations(page) == []
    assert page.errors == []


def test_the_print_button_prints_without_an_inline_handler(live_server, page):
    page.goto(f"{live_server.url}/analytics/region/330482/2023/print/")
    page.evaluate(
        "() => { window.__printed = 0; window.print = () => { window.__printed += 1; }; }"
    )

    page.click("button[data-print]")

    assert page.evaluate("() => window.__printed") == 1
    assert violations(page) == []
    assert page.errors == []
