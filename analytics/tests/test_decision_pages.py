"""The scenario pages, the optimiser screen (in the request and on the task queue), their
workbooks and the scenarios API: who sees and writes what, the figures shown, fixed queries.

The data are those of test_scenarios.py (scenario_setup.year_2023): in 2023 the weak
villages of 平湖 are 徐家埭 (800,000 yuan; 200,000 short of the line) and 林埭 (950,000;
50,000 short). With one park at 1,000 bp and a unit of 100,000 yuan, 徐家埭 needs 20 units
(2,000,000 → 200,000 a year) and 林埭 5 (500,000 → 50,000).
"""

from __future__ import annotations

import io

import openpyxl
import pytest
from django.urls import reverse

from analytics import services
from analytics.models import OptimiserRun, Scenario
from analytics.tests.scenario_setup import LINBAI
from core.actors import SYSTEM
from core.errors import Unavailable
from core.roles import Role
from registry.choices import ImportStatus
from tests.support import make_user
from ventures.models import Contribution, Stake
from ventures.tests.support import XUJIADAI

PARK = {"park": "嘉善园", "rate_bp": 1000, "capacity_fen": 10**9, "unit_fen": 10**7}


def park_post(budget: str = "3000000", **extra) -> dict:
    data = {
        "region": "330482",
        "year": "2023",
        "budget": budget,
        "county_cap": "",
        "time_limit": "",
        "parks-TOTAL_FORMS": "2",
        "parks-INITIAL_FORMS": "0",
        "parks-MIN_NUM_FORMS": "0",
        "parks-MAX_NUM_FORMS": "50",
        "parks-0-park": "嘉善园",
        "parks-0-rate_bp": "1000",
        "parks-0-capacity": "10000000",
        "parks-0-unit": "100000",
    }
    return data | extra


@pytest.fixture
def auditor_user(db):
    return make_user("auditor2", Role.AUDITOR)


def test_the_scenario_pages_are_for_city_admins_and_auditors(
    year_2023, client_for, admin, auditor_user, clerk
):
    scenario = services.create_scenario(region="330482", year=2023, name="不变", actor=SYSTEM)
    pages = [
        reverse("analytics:scenarios"),
        reverse("analytics:scenario", args=[scenario.pk]),
        reverse("analytics:scenario_compare") + f"?ids={scenario.pk}",
        reverse("analytics:optimise"),
    ]
    for url in pages:
        assert client_for(None).get(url).status_code == 302  # to the login page
        assert client_for(clerk).get(url).status_code == 403
        assert client_for(auditor_user).get(url).status_code == 200
        assert client_for(admin).get(url).status_code == 200
    # The auditor reads; the forms are not offered, and a write is refused.
    html = client_for(auditor_user).get(pages[0]).content.decode()
    assert 'name="changes"' not in html
    response = client_for(auditor_user).post(
        pages[0], {"name": "x", "region": "330482", "year": "2023", "changes": "[]"}
    )
    assert response.status_code == 403
    assert Scenario.objects.count() == 1


def test_a_city_admin_saves_compares_and_downloads_scenarios(year_2023, client_for, admin):
    client = client_for(admin)
    response = client.post(
        reverse("analytics:scenarios"),
        {
            "name": "回报 20%",
            "region": "330482",
            "year": "2023",
            "description": "",
            "changes": f'[{{"kind": "park_rate", "venture": {year_2023.pk}, "rate_bp": 2000}}]',
        },
    )
    assert response.status_code == 302
    first = Scenario.objects.get()
    assert first.created_by == admin
    second = services.create_scenario(
        region="330482",
        year=2023,
        name="新线",
        changes=[{"kind": "weak_line", "region": "330482", "line_fen": 10**8 // 2}],
        actor=admin,
    )
    url = reverse("analytics:scenario_compare") + f"?ids={first.pk}&ids={second.pk}"
    response = client.get(url)
    data = response.context["data"]
    assert [s["name"] for s in data["scenarios"]] == ["回报 20%", "新线"]
    assert data["actual"]["weak"]["count"] == 2
    assert [s["weak"]["count"] for s in data["scenarios"]] == [1, 0]
    assert 'data-testid="comparison"' in response.content.decode()
    rows = {row["label"]: row["values"] for row in response.context["rows"]}
    assert len(next(iter(rows.values()))) == 3  # actual + two scenarios

    xlsx = client.get(
        reverse("analytics:scenario_compare_xlsx") + f"?ids={first.pk}&ids={second.pk}"
    )
    assert xlsx["Content-Type"].startswith("application/vnd.openxmlformats")
    book = openpyxl.load_workbook(io.BytesIO(xlsx.content))
    sheet = book.worksheets[0]
    assert [sheet.cell(3, c).value for c in (3, 4)] == ["回报 20%", "新线"]
    weak_row = [sheet.cell(5, c).value for c in (2, 3, 4)]
    assert weak_row == [2, 1, 0]
    assert book.worksheets[1].max_row >= 4  # the villages whose figures change


def test_a_bad_change_is_shown_on_the_form_and_nothing_is_saved(year_2023, client_for, admin):
    response = client_for(admin).post(
        reverse("analytics:scenarios"),
        {"name": "坏", "region": "330482", "year": "2023", "changes": '[{"kind": "gift"}]'},
    )
    assert response.status_code == 200
    assert response.context["form"].non_field_errors()
    assert not Scenario.objects.exists()


def test_editing_and_deleting_on_the_scenario_page(year_2023, client_for, admin):
    scenario = services.create_scenario(region="330482", year=2023, name="a", actor=admin)
    client = client_for(admin)
    url = reverse("analytics:scenario", args=[scenario.pk])
    response = client.post(url, {"name": "b", "description": "d", "changes": "[]"})
    assert response.status_code == 302
    assert Scenario.objects.get().name == "b"
    client.post(url, {"delete": "1", "name": "b"})
    assert not Scenario.objects.exists()


@pytest.mark.parametrize("extra", [0, 6], ids=["one_scenario_case", "seven_scenarios_case"])
def test_the_list_and_compare_pages_run_a_fixed_number_of_queries(
    year_2023, client_for, admin, django_assert_num_queries, extra
):
    made = [
        services.create_scenario(region="330482", year=2023, name=f"s{i}", actor=SYSTEM)
        for i in range(1 + extra)
    ]
    client = client_for(admin)
    client.get(reverse("analytics:index"))  # warm the session
    # session, user, grants; the scenarios with their regions
    with django_assert_num_queries(4):
        client.get(reverse("analytics:scenarios"))
    ids = "&".join(f"ids={s.pk}" for s in made[:2])
    # session, user, grants, the scenarios; the base (8: analytics.scenarios.load_base)
    with django_assert_num_queries(12):
        client.get(reverse("analytics:scenario_compare") + "?" + ids)


def test_the_optimiser_runs_in_the_request_and_its_plan_is_saved_as_a_scenario(
    year_2023, client_for, admin
):
    stakes, contributions = Stake.objects.count(), Contribution.objects.count()
    client = client_for(admin)
    response = client.post(reverse("analytics:optimise"), park_post())
    assert response.status_code == 302, response.context and response.context["form"].errors
    run = OptimiserRun.objects.get()
    assert run.status == ImportStatus.SUCCEEDED
    assert not run.queued
    assert run.result["lifted"] == 2
    assert run.result["capital_fen"] == 2_500_000 * 100
    page = client.get(reverse("analytics:optimiser_run", args=[run.pk]))
    html = page.content.decode()
    assert 'id="plan-chart-data"' in html
    assert "vendor/echarts/echarts.min.js" in html
    assert page.context["chart"]["lifted"][0] == 2
    assert page.context["chart"]["park_capital"] == [2_500_000 * 100]
    plan = {row["village"]: row for row in run.result["plan"]}
    assert plan[XUJIADAI]["units"] == 20
    assert plan[LINBAI]["units"] == 5
    assert plan[XUJIADAI]["name"] == "徐家埭村"

    xlsx = client.get(reverse("analytics:optimiser_run_xlsx", args=[run.pk]))
    book = openpyxl.load_workbook(io.BytesIO(xlsx.content))
    assert book.worksheets[0].cell(4, 2).value == 2  # the plan's villages lifted
    assert book.worksheets[1].max_row == 3  # heading + two villages
    assert {book.worksheets[1].cell(r, 2).value for r in (2, 3)} == {"徐家埭村", "林埭村"}

    response = client.post(reverse("analytics:optimiser_run", args=[run.pk]), {"name": "方案"})
    assert response.status_code == 302
    scenario = Scenario.objects.get()
    assert scenario.source == "optimiser"
    compare = client.get(reverse("analytics:scenario", args=[scenario.pk])).context["data"]
    assert compare["scenarios"][0]["weak"]["lifted"] == 2
    assert compare["scenarios"][0]["capital_added"] == 2_500_000 * 100
    # A plan is a proposal: no stake or contribution was written.
    assert (Stake.objects.count(), Contribution.objects.count()) == (stakes, contributions)


def test_a_large_run_goes_to_the_task_queue(year_2023, client_for, admin, settings, monkeypatch):
    settings.OPTIMISE_INLINE_MAX_PAIRS = 1
    sent = []
    monkeypatch.setattr(services, "enqueue", lambda task, *args: sent.append((task.name, args)))
    client = client_for(admin)
    response = client.post(reverse("analytics:optimise"), park_post())
    run = OptimiserRun.objects.get()
    assert response.status_code == 302
    assert run.queued
    assert run.status == ImportStatus.QUEUED
    assert sent == [("analytics.optimise", (run.pk, admin.pk))]
    page = client.get(reverse("analytics:optimiser_run", args=[run.pk]))
    assert page.context["running"]
    assert 'http-equiv="refresh"' in page.content.decode()

    from analytics.tasks import optimise

    optimise(run.pk, admin.pk)  # what the worker runs
    run.refresh_from_db()
    assert run.status == ImportStatus.SUCCEEDED
    assert run.result["lifted"] == 2
    assert run.heartbeat_at is not None


def test_a_queue_that_is_down_keeps_nothing(year_2023, admin, settings, monkeypatch):
    settings.OPTIMISE_INLINE_MAX_PAIRS = 1

    def down(task, *args):
        raise Unavailable("down")

    monkeypatch.setattr(services, "enqueue", down)
    with pytest.raises(Unavailable):
        services.start_optimiser_run(
            region="330482", year=2023, budget_fen=10**8, parks=[PARK], actor=admin
        )
    assert not OptimiserRun.objects.exists()


def test_an_optimiser_error_is_shown_on_the_run(year_2023, admin):
    run = services.start_optimiser_run(
        region="330482",
        year=2023,
        budget_fen=10**8,
        parks=[PARK | {"rate_bp": 0}],
        actor=admin,
    )
    assert run.status == ImportStatus.FAILED
    assert run.errors[0]["message"]
    assert run.result is None
    with pytest.raises(services.Invalid):
        services.save_plan_as_scenario(run, name="x", actor=admin)


@pytest.mark.parametrize("who", ["clerk", "auditor", "qingtian_admin"])
def test_who_may_not_run_the_optimiser(year_2023, clerk, auditor, who):
    users = {
        "clerk": clerk,
        "auditor": auditor,
        "qingtian_admin": make_user("qt", Role.CITY_ADMIN, region_id="331121"),
    }
    with pytest.raises(services.NotAllowed):
        services.start_optimiser_run(
            region="330482", year=2023, budget_fen=10**8, parks=[PARK], actor=users[who]
        )
    with pytest.raises(services.NotAllowed):
        services.start_optimiser_run(
            region="330482", year=2023, budget_fen=10**8, parks=[PARK], actor=SYSTEM
        )
    assert not OptimiserRun.objects.exists()


def test_the_scenarios_api(year_2023, client_for, admin, auditor_user):
    client = client_for(admin)
    url = "/api/v1/scenarios/"
    body = {
        "name": "api",
        "region": "330482",
        "year": 2023,
        "changes": [{"kind": "park_rate", "venture": year_2023.pk, "rate_bp": 2000}],
    }
    created = client.post(url, body, content_type="application/json")
    assert created.status_code == 201, created.content
    pk = created.json()["id"]
    compare = client.get(f"{url}compare/?ids={pk}")
    assert compare.status_code == 200
    assert compare.json()["scenarios"][0]["weak"]["lifted"] == 1
    assert compare.json()["actual"]["weak"]["count"] == 2
    bad = client.post(
        url, body | {"name": "b", "changes": [{"kind": "gift"}]}, content_type="application/json"
    )
    assert bad.status_code == 400
    assert (
        client.post(url, body | {"colour": 1}, content_type="application/json").status_code == 400
    )
    assert client.post(url, body, content_type="application/json").status_code == 409
    patched = client.patch(f"{url}{pk}/", {"name": "api2"}, content_type="application/json")
    assert patched.status_code == 200
    assert patched.json()["name"] == "api2"
    moved = client.patch(f"{url}{pk}/", {"year": 2022}, content_type="application/json")
    assert moved.status_code == 400
    reader = client_for(auditor_user)
    assert reader.get(url).status_code == 200
    assert reader.delete(f"{url}{pk}/").status_code == 403
    assert client_for(admin).delete(f"{url}{pk}/").status_code == 204
    assert not Scenario.objects.exists()


def test_a_queued_run_ends_before_the_sweep_and_a_swept_run_stays_failed(
    year_2023, client_for, admin, settings, monkeypatch
):
    from analytics import services as analytics_services
    from lib import optimise as optimise_lib

    settings.OPTIMISE_INLINE_MAX_PAIRS = 1
    settings.JOB_STALE_MINUTES = 2
    monkeypatch.setattr(services, "enqueue", lambda task, *args: None)
    client_for(admin).post(reverse("analytics:optimise"), park_post())
    run = OptimiserRun.objects.get()
    limits = []
    real = optimise_lib.optimise

    def spy(*args, time_limit=None, **kwargs):
        limits.append(time_limit)
        # The sweep fails the run while the solver works.
        OptimiserRun.objects.filter(pk=run.pk).update(status=ImportStatus.FAILED)
        return real(*args, time_limit=time_limit, **kwargs)

    monkeypatch.setattr(analytics_services.optimise, "optimise", spy)
    analytics_services.run_optimiser(run.pk, actor=admin)
    run.refresh_from_db()
    assert limits == [90.0]  # 2 minutes less a 30 s margin
    assert run.status == ImportStatus.FAILED
