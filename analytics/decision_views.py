"""Decision support pages (issue 15, items 1 and 4), for city admins (auditors read):
scenarios and their comparison with the actual (screen and xlsx), and the optimiser screen
(a run in the request or on the task queue, its plan on a chart and a table beside the
baselines, xlsx, saved as a scenario). Thin: the writes are `analytics.services`, the
figures `analytics.scenarios`, the workbooks `analytics.decision_reports`.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_safe

from analytics import decision_reports, scenarios, services
from analytics.forms import (
    OptimiseForm,
    ParkFormSet,
    SavePlanForm,
    ScenarioEditForm,
    ScenarioForm,
)
from analytics.models import OptimiserRun, Scenario
from core.errors import Conflict, Invalid
from core.scope import may_write_any
from registry.choices import ImportStatus
from ventures.choices import VentureKind
from ventures.models import Venture

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _reader(request) -> None:
    """Only the roles that read decision data see these pages (403 for the others)."""
    if not (Scenario.scope_policy.view_roles & request.user.roles):
        raise PermissionDenied(_("Scenarios are for the city's administrators and auditors."))


def _xlsx(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def scenario_list(request):
    """Every scenario by region and year, with a form to save a new one (city admins)."""
    _reader(request)
    can_write = may_write_any(request.user, Scenario)
    form = ScenarioForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            scenario = services.create_scenario(actor=request.user, **form.cleaned_data)
        except (Invalid, Conflict) as exc:
            form.add_error(None, str(exc))
        else:
            return redirect("analytics:scenario", pk=scenario.pk)
    rows = list(
        Scenario.objects.restrict(request.user, "view")
        .select_related("region")
        .order_by("region_id", "-year", "name")
    )
    groups: dict[tuple[str, int], dict] = {}
    for scenario in rows:
        group = groups.setdefault(
            (scenario.region_id, scenario.year),
            {"region": scenario.region, "year": scenario.year, "scenarios": []},
        )
        group["scenarios"].append(scenario)
    return render(
        request,
        "analytics/scenario_list.html",
        {"groups": list(groups.values()), "form": form, "can_write": can_write},
    )


def _comparison(selected: list[Scenario]) -> dict:
    try:
        return scenarios.comparison(selected)
    except Invalid as exc:
        raise Http404(str(exc)) from None


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def scenario_detail(request, pk: int):
    """A scenario beside the actual; its edit form and delete button for city admins."""
    _reader(request)
    scenario = get_object_or_404(Scenario.objects.restrict(request.user, "view"), pk=pk)
    form = ScenarioEditForm(
        request.POST or None,
        initial={
            "name": scenario.name,
            "description": scenario.description,
            "changes": scenario.changes,
        },
    )
    if request.method == "POST":
        if "delete" in request.POST:
            services.delete_scenario(scenario, actor=request.user)
            return redirect("analytics:scenarios")
        if form.is_valid():
            try:
                services.update_scenario(scenario, actor=request.user, **form.cleaned_data)
            except (Invalid, Conflict) as exc:
                form.add_error(None, str(exc))
            else:
                return redirect("analytics:scenario", pk=scenario.pk)
    others = Scenario.objects.filter(region_id=scenario.region_id, year=scenario.year).exclude(
        pk=scenario.pk
    )
    return render(
        request,
        "analytics/scenario_detail.html",
        {
            "scenario": scenario,
            "data": (data := _comparison([scenario])),
            "rows": decision_reports.measure_rows(data),
            "form": form,
            "others": list(others.order_by("name").values_list("pk", "name")),
            "can_write": may_write_any(request.user, Scenario),
        },
    )


def _selected(request) -> list[Scenario]:
    pks = [int(p) for p in request.GET.getlist("ids") if p.isdigit()][:10]
    found = {s.pk: s for s in Scenario.objects.restrict(request.user, "view").filter(pk__in=pks)}
    selected = [found[pk] for pk in dict.fromkeys(pks) if pk in found]
    if not selected:
        raise Http404(_("Choose at least one scenario."))
    return selected


@login_required
@require_safe
def scenario_compare(request):
    """Two or more scenarios (`?ids=1&ids=2`, of one region and year) and the actual."""
    _reader(request)
    selected = _selected(request)
    return render(
        request,
        "analytics/scenario_compare.html",
        {
            "data": (data := _comparison(selected)),
            "rows": decision_reports.measure_rows(data),
            "ids": [s.pk for s in selected],
        },
    )


@login_required
@require_safe
def scenario_compare_xlsx(request):
    _reader(request)
    data = _comparison(_selected(request))
    name = f"scenarios-{data['region']['code']}-{data['year']}.xlsx"
    return _xlsx(decision_reports.comparison_workbook(data), name)


# ----------------------------------------------------------------------------- optimiser


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def optimise(request):
    """The optimiser screen: region, year, budget, county cap, parks; runs go to their page."""
    _reader(request)
    can_write = may_write_any(request.user, Scenario)
    initial_parks = [
        {"park": name}
        for name in Venture.objects.filter(kind=VentureKind.ENCLAVE_PARK)
        .order_by("name")
        .values_list("name", flat=True)[:10]
    ]
    form = OptimiseForm(request.POST or None)
    parks = ParkFormSet(request.POST or None, initial=initial_parks, prefix="parks")
    if request.method == "POST" and form.is_valid() and parks.is_valid():
        rows = [p for p in (f.as_park() for f in parks) if p is not None]
        if not rows:
            form.add_error(None, _("Give at least one park."))
        else:
            data = form.cleaned_data
            try:
                run = services.start_optimiser_run(
                    region=data["region"],
                    year=data["year"],
                    budget_fen=data["budget"],
                    parks=rows,
                    county_cap="" if data["county_cap"] is None else str(data["county_cap"]),
                    time_limit=data["time_limit"],
                    actor=request.user,
                )
            except Invalid as exc:
                form.add_error(None, str(exc))
            else:
                return redirect("analytics:optimiser_run", pk=run.pk)
    runs = list(
        OptimiserRun.objects.restrict(request.user, "view")
        .select_related("region")
        .order_by("-created_at", "-pk")[:20]
    )
    return render(
        request,
        "analytics/optimise.html",
        {"form": form, "parks": parks, "runs": runs, "can_write": can_write},
    )


def _chart(run: OptimiserRun) -> dict | None:
    """The chart's data: the plan beside the baselines, and the plan's capital per park."""
    result = run.result
    if not result:
        return None
    per_park: dict[str, dict[str, int]] = {
        p["park"]: {"capital": 0, "villages": 0} for p in run.parks
    }
    for row in result["plan"]:
        park = per_park.setdefault(row["park"], {"capital": 0, "villages": 0})
        park["capital"] += row["stake_fen"]
        park["villages"] += 1
    return {
        "methods": [_("Optimised"), _("Greedy"), _("Equal split")],
        "lifted": [result["lifted"], result["greedy"]["lifted"], result["equal"]["lifted"]],
        "capital": [
            result["capital_fen"],
            result["greedy"]["capital_fen"],
            result["equal"]["capital_fen"],
        ],
        "parks": list(per_park),
        "park_capital": [v["capital"] for v in per_park.values()],
        "park_villages": [v["villages"] for v in per_park.values()],
        "labels": {
            "lifted": _("Villages lifted"),
            "capital": _("Capital (10k yuan)"),
            "villages": _("Villages staked"),
            "wan_yuan": _("10k yuan"),
        },
    }


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def optimiser_run(request, pk: int):
    """A run: its state while it runs, then its plan (chart, table, baselines); save it."""
    _reader(request)
    run = get_object_or_404(
        OptimiserRun.objects.restrict(request.user, "view").select_related("region"), pk=pk
    )
    form = SavePlanForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            scenario = services.save_plan_as_scenario(
                run, name=form.cleaned_data["name"], actor=request.user
            )
        except (Invalid, Conflict) as exc:
            form.add_error(None, str(exc))
        else:
            return redirect("analytics:scenario", pk=scenario.pk)
    running = run.status in (ImportStatus.QUEUED, ImportStatus.RUNNING)
    return render(
        request,
        "analytics/optimiser_run.html",
        {
            "run": run,
            "result": run.result,
            "running": running,
            "chart": _chart(run),
            "form": form,
            "can_write": may_write_any(request.user, Scenario),
        },
    )


@login_required
@require_safe
def optimiser_run_xlsx(request, pk: int):
    _reader(request)
    run = get_object_or_404(OptimiserRun.objects.restrict(request.user, "view"), pk=pk)
    if not run.result:
        raise Http404(_("This optimiser run has no plan to save."))
    return _xlsx(
        decision_reports.plan_workbook(run), f"plan-{run.region_id}-{run.year}-{run.pk}.xlsx"
    )


__all__ = [
    "optimise",
    "optimiser_run",
    "optimiser_run_xlsx",
    "scenario_compare",
    "scenario_compare_xlsx",
    "scenario_detail",
    "scenario_list",
]
