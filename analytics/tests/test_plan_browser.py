"""A real browser (headless Chromium) on the optimiser run page and the scenarios side by
side: the plan's two charts draw (ECharts from the local static files) without a console
error, and the comparison table shows the actual and each scenario. Screenshots go to
var/screenshots/ (or $SCREENSHOT_DIR). Run alone with `pytest -m browser`."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from analytics import services
from core.actors import SYSTEM
from core.roles import Role
from tests.support import make_user

CHROMIUM = Path("/usr/bin/chromium")
SCREENSHOTS = Path(
    os.getenv("SCREENSHOT_DIR")
    or Path(__file__).resolve().parent.parent.parent / "var" / "screenshots"
)
PARK = {"park": "嘉善园", "rate_bp": 1000, "capacity_fen": 10**9, "unit_fen": 10**7}

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="needs /usr/bin/chromium"),
]


@pytest.fixture
def page(transactional_db, live_server):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM),
            args=["--no-sandbox", "--disable-gpu", "--no-first-run"],
        )
        context = browser.new_context(viewport={"width": 1280, "height": 1000}, locale="zh-CN")
        page = context.new_page()
        page.errors = []
        page.on("console", lambda m: m.type == "error" and page.errors.append(m.text))
        page.on("pageerror", lambda e: page.errors.append(str(e)))
        page.set_default_timeout(15_000)
        yield page
        context.close()
        browser.close()


@pytest.fixture
def planned(transactional_db, year_2023):
    """A run and two scenarios, made before the browser starts (Playwright's sync API runs
    an event loop, inside which Django refuses database calls)."""
    admin = make_user("planner", Role.CITY_ADMIN)
    run = services.start_optimiser_run(
        region="330482", year=2023, budget_fen=3 * 10**8, parks=[PARK], actor=admin
    )
    one = services.save_plan_as_scenario(run, name="方案", actor=admin)
    two = services.create_scenario(
        region="330482",
        year=2023,
        name="回报 20%",
        changes=[{"kind": "park_rate", "venture": year_2023.pk, "rate_bp": 2000}],
        actor=SYSTEM,
    )
    return run, one, two


def test_the_plan_charts_draw_and_the_scenarios_compare(planned, live_server, page):
    run, one, two = planned
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = f"/analytics/optimise/{run.pk}/"
    page.goto(f"{live_server.url}{path}")
    page.fill("input[name=username]", "planner")
    page.fill("input[name=password]", "pw-planner")
    page.click("form.form-stack button[type=submit]")
    page.wait_for_url(f"**{path}")
    for chart in ("#plan-methods-chart canvas", "#plan-parks-chart canvas"):
        page.wait_for_selector(chart)
        assert page.locator(chart).first.bounding_box()["width"] > 300
    assert page.locator("[data-testid=lifted]").inner_text() == "2"
    assert page.locator("[data-testid=plan] tbody tr").count() == 2
    page.wait_for_timeout(500)
    page.screenshot(path=str(SCREENSHOTS / "optimiser-run.png"), full_page=True)

    page.goto(f"{live_server.url}/analytics/scenarios/compare/?ids={one.pk}&ids={two.pk}")
    headers = page.locator("[data-testid=comparison] thead th").all_inner_texts()
    assert headers[2:] == ["方案", "回报 20%"]
    page.screenshot(path=str(SCREENSHOTS / "scenarios-compare.png"), full_page=True)
    assert page.errors == []
