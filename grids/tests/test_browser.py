"""The grid page in a real browser, on a desktop and on a 390 px phone: both leaders, the
micro-grids and households (masked), open matters; nothing wider than the screen."""

import os
from pathlib import Path

import pytest

from core.actors import SYSTEM
from grids import services
from tests.support import CHROMIUM, chromium_page

SCREENSHOTS = Path(
    os.getenv("SCREENSHOT_DIR") or Path(__file__).resolve().parents[2] / "var" / "screenshots"
)
pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="needs /usr/bin/chromium"),
]


@pytest.fixture
def grid_data(transactional_db, shared, st_member):
    for n in range(12):
        household = services.create_household(
            actor=SYSTEM,
            village=shared["in_grid"].village,
            number=f"1{n:02d}",
            micro_grid=shared["zj"],
        )
        services.add_person(
            actor=SYSTEM,
            household=household,
            name=f"示例户主{n}",
            gender="M",
            birth_year=1960 + n,
            relation="head",
            phone=f"1391234{n:04d}",
        )
    services.report_matter(
        actor=st_member,
        grid=shared["grid"],
        category="safety",
        place="山塘河东岸护栏一段松动需要尽快修复",
        description="护栏松动",
    )
    return shared


def test_the_grid_page_fits_a_phone(live_server, grid_data):
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    url = f"{live_server.url}/grids/{grid_data['grid'].pk}/"
    with chromium_page(1440, 900) as page:
        page.goto(url)
        page.fill("input[name=username]", "st_member")
        page.fill("input[name=password]", "pw-st_member")
        page.click("form.form-stack button[type=submit]")
        page.wait_for_url(f"**/grids/{grid_data['grid'].pk}/")
        text = page.locator("main").inner_text()
        assert "浙江网格长" in text
        assert "上海网格长" in text
        assert "139****0000" in text
        page.screenshot(path=str(SCREENSHOTS / "grid.png"), full_page=True)
        page.set_viewport_size({"width": 390, "height": 800})
        page.reload()
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
        page.screenshot(path=str(SCREENSHOTS / "grid-mobile.png"), full_page=True)
        assert page.errors == []


def test_a_visit_is_recorded_from_the_household_page_on_a_phone(live_server, grid_data, st_clerk):
    import datetime as dt

    from grids.models import Visit

    link = services.link_household(
        actor=SYSTEM,
        member=grid_data["head"],
        household=grid_data["outside"],
        linked_on=dt.date(2022, 1, 1),
    )
    url = f"{live_server.url}/grids/households/{grid_data['outside'].pk}/"
    with chromium_page(390, 800) as page:
        page.goto(url)
        page.fill("input[name=username]", "st_clerk")
        page.fill("input[name=password]", "pw-st_clerk")
        page.click("form.form-stack button[type=submit]")
        page.wait_for_url(f"**/grids/households/{grid_data['outside'].pk}/")
        page.click("#party-link details:first-of-type summary")
        page.fill("#visit_visited_on", "2022-03-01")
        page.select_option("#visit_kind", "hardship")
        page.fill("#visit_note", "慰问生病老人（示例）")
        page.click("#visit-form button[type=submit]")
        page.wait_for_url(f"**/grids/households/{grid_data['outside'].pk}/")
        assert "慰问生病老人（示例）" in page.locator("#party-link").inner_text()
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
        page.screenshot(path=str(SCREENSHOTS / "household-links-mobile.png"), full_page=True)
        page.goto(f"{live_server.url}/grids/villages/{grid_data['in_grid'].village_id}/links/")
        assert "001" in page.locator("#unlinked").inner_text()
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
        page.set_viewport_size({"width": 1280, "height": 900})
        page.screenshot(path=str(SCREENSHOTS / "party-links.png"), full_page=True)
        assert page.errors == []
    assert Visit.objects.get(link=link).kind == "hardship"
