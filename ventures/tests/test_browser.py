"""A real browser (headless Chromium) on the ventures pages: the venture page's returns chart
draws and follows the holder selector, the run page approves through its button, and the
public notice opens without login, all without a console error. Screenshots go to
var/screenshots/ (or $SCREENSHOT_DIR).

Run alone with `pytest -m browser ventures`. Skipped when /usr/bin/chromium is missing.
"""

import os
from pathlib import Path

import pytest

from accounts.models import Grant, User
from core.roles import Role
from registry.choices import OrganisationKind, RegionLevel, VillageKind
from registry.models import Organisation, Region, Village
from tests.support import D
from ventures import services
from ventures.choices import VentureKind
from ventures.models import Venture

CHROMIUM = Path("/usr/bin/chromium")
SCREENSHOTS = Path(
    os.getenv("SCREENSHOT_DIR") or Path(__file__).resolve().parents[2] / "var" / "screenshots"
)
PASSWORD = "a-long-test-password"

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="needs /usr/bin/chromium"),
]


@pytest.fixture
def enclave(transactional_db):
    """The enclave park with three holder villages, two posted years and one prepared run."""
    for code, name, level, parent in [
        ("33", "浙江省", RegionLevel.PROVINCE, None),
        ("3311", "丽水市", RegionLevel.CITY, "33"),
        ("331121", "青田县", RegionLevel.COUNTY, "3311"),
        ("331121201", "黄垟乡", RegionLevel.TOWNSHIP, "331121"),
    ]:
        Region.objects.create(code=code, name=name, level=level, parent_id=parent)
    for code, short in [
        ("331121201201", "峰山村"),
        ("331121201202", "黄垟村"),
        ("331121201203", "高坪村"),
    ]:
        Village.objects.create(
            code=code,
            name=short + "村委会",
            short_name=short,
            kind=VillageKind.VILLAGE,
            township_id="331121201",
            county_id="331121",
        )
    company = Organisation.objects.create(
        name="青田强村联合投资发展有限责任公司",
        kind=OrganisationKind.JOINT_INVESTMENT,
        region_id="331121",
    )
    users = {}
    for username, role in (("finance", Role.FINANCE), ("approver", Role.APPROVER)):
        users[username] = User.objects.create_user(username=username, password=PASSWORD)
        Grant.objects.create(user=users[username], role=role, organisation=company)
    venture = Venture.objects.create(
        name="平湖—青田飞地产业园",
        kind=VentureKind.ENCLAVE_PARK,
        organisation=company,
        is_illustrative=True,
        notice_contact="公司办公室 0578-0000000",
    )
    for code, units in (("331121201201", 600), ("331121201202", 300), ("331121201203", 100)):
        services.add_stake(
            venture,
            holder=f"village:{code}",
            units=units,
            effective_from=D("2018-01-01"),
            actor=users["finance"],
        )
    for year, income in ((2021, 80_000_000), (2022, 90_000_000)):
        services.record_income(
            venture, amount=income, received_on=D(f"{year}-12-20"), actor=users["finance"]
        )
        run = services.prepare_run(
            venture,
            period_start=D(f"{year}-01-01"),
            period_end=D(f"{year}-12-31"),
            policy="pro_rata",
            params={"reserve_rate": "10%"},
            actor=users["finance"],
        ).run
        services.approve_run(run, actor=users["approver"])
        services.post_run(run, actor=users["finance"], date=D(f"{year + 1}-01-15"))
        notice = services.publish_run(run, actor=users["finance"])
    services.record_income(
        venture, amount=100_000_000, received_on=D("2023-12-20"), actor=users["finance"]
    )
    prepared = services.prepare_run(
        venture,
        period_start=D("2023-01-01"),
        period_end=D("2023-12-31"),
        policy="pro_rata",
        params={},
        actor=users["finance"],
    ).run
    return {"venture": venture, "prepared": prepared, "notice": notice}


@pytest.fixture
def page(live_server, enclave):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM),
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
            ],
        )
        context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-US")
        page = context.new_page()
        page.errors = []
        page.on("console", lambda m: m.type == "error" and page.errors.append(m.text))
        page.on("pageerror", lambda e: page.errors.append(str(e)))
        page.set_default_timeout(15_000)
        yield page
        context.close()
        browser.close()


def test_an_approver_sees_the_chart_approves_and_the_public_reads_the_notice(
    live_server, page, enclave
):
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    venture, prepared, notice = enclave["venture"], enclave["prepared"], enclave["notice"]

    page.goto(f"{live_server.url}/ventures/{venture.pk}/")
    page.fill("input[name=username]", "approver")
    page.fill("input[name=password]", PASSWORD)
    page.click("form.form-stack button[type=submit]")
    page.wait_for_url(f"**/ventures/{venture.pk}/")
    page.wait_for_selector("#returns-chart canvas")
    box = page.locator("#returns-chart canvas").first.bounding_box()
    assert box["width"] > 600
    page.select_option("#holder-select", "1")
    page.wait_for_timeout(500)
    page.screenshot(path=str(SCREENSHOTS / "venture.png"), full_page=True)

    page.goto(f"{live_server.url}/ventures/runs/{prepared.pk}/")
    page.click("[data-testid=approve]")
    page.wait_for_selector(".alert-success")
    page.screenshot(path=str(SCREENSHOTS / "run.png"), full_page=True)
    assert page.locator("[data-testid=run-status]").inner_text() == "Approved"

    page.context.clear_cookies()
    page.goto(f"{live_server.url}/ventures/notices/{notice.pk}/")
    assert "/accounts/login/" not in page.url
    assert page.locator("[data-testid=payees] tbody tr").count() == 3
    page.screenshot(path=str(SCREENSHOTS / "notice.png"), full_page=True)

    assert page.errors == []
