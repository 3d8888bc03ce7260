"""The public routes page and the consortium dashboard in a real browser, on a desktop and on
a 390 px phone: the map drawn (inline SVG, no request leaves the site), the chart drawn,
nothing wider than the screen, no script error."""

import datetime as dt
import os
from pathlib import Path

import pytest

from core.actors import SYSTEM
from tests.support import CHROMIUM, chromium_page
from tourism import services
from tourism.choices import CountMethod

SCREENSHOTS = Path(
    os.getenv("SCREENSHOT_DIR") or Path(__file__).resolve().parents[2] / "var" / "screenshots"
)
pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="needs /usr/bin/chromium"),
]


@pytest.fixture
def data(transactional_db, route, mingyue, yujiabang, clerk):
    for year in (2022, 2023):
        for month in range(1, 13):
            for spot in (mingyue, yujiabang):
                services.record_figure(
                    actor=SYSTEM,
                    spot=spot,
                    month=dt.date(year, month, 1),
                    visitors=1000 * month,
                    revenue=100_000 * month,
                    method=CountMethod.TICKETS,
                    is_illustrative=True,
                )
    return route


def test_the_public_routes_fit_a_phone_and_load_nothing_from_elsewhere(live_server, data):
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    with chromium_page(1280, 900) as page:
        outside = []
        page.on(
            "request",
            lambda r: outside.append(r.url) if not r.url.startswith(live_server.url) else None,
        )
        page.goto(f"{live_server.url}/showcase/routes/")
        assert page.locator("figure.route-map svg polyline").count() == 1
        assert "明月山塘" in page.locator("main").inner_text()
        page.set_viewport_size({"width": 390, "height": 800})
        page.reload()
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
        page.screenshot(path=str(SCREENSHOTS / "tourism-routes-mobile.png"), full_page=True)
        assert outside == []
        assert page.errors == []


def test_the_dashboard_draws_its_chart_and_fits_a_phone(live_server, data, consortium):
    with chromium_page(1280, 900) as page:
        page.goto(f"{live_server.url}/tourism/consortia/{consortium.pk}/")
        page.fill("input[name=username]", "clerk")
        page.fill("input[name=password]", "pw-clerk")
        page.click("form.form-stack button[type=submit]")
        page.wait_for_url(f"**/tourism/consortia/{consortium.pk}/")
        page.wait_for_selector("#visitors-chart canvas")
        page.set_viewport_size({"width": 390, "height": 800})
        page.reload()
        page.wait_for_selector("#visitors-chart canvas")
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
        page.screenshot(path=str(SCREENSHOTS / "tourism-dashboard-mobile.png"), full_page=True)
        assert page.errors == []
