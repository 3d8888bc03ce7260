"""Pages of scenic villages: thin views over `tourism.selectors` and `tourism.services`.

Every page needs a signed-in user (spots, routes and figures are read by every signed-in
user; writes are scoped by the services). The public sees the routes on the showcase only.
"""

from __future__ import annotations

import mimetypes

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_safe

from alliances.models import Consortium
from core.errors import Conflict, DomainError, Unavailable
from core.scope import may_write, may_write_any, restrict
from lib import scenic
from registry.services import jobs
from tourism import selectors, services, sheets
from tourism.forms import AssessmentForm, FiguresImportForm, PhotoForm
from tourism.models import Assessment, MonthlyFigure, Route, Spot, SpotPhoto
from tourism.tasks import FIGURES_TASK


def _xlsx(data: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(
        data, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@login_required
@require_safe
def index(request):
    spots = list(
        restrict(Spot.objects.all(), request.user, "view")
        .select_related("village")
        .order_by("village__code", "name")
    )
    grades = selectors.current_grades([s.pk for s in spots])
    for spot in spots:
        spot.current = grades.get(spot.pk, {})
    routes = list(restrict(Route.objects.all(), request.user, "view").select_related("consortium"))
    consortia = list(Consortium.objects.filter(routes__isnull=False).distinct().order_by("name"))
    return render(
        request,
        "tourism/index.html",
        {
            "spots": spots,
            "routes": routes,
            "consortia": consortia,
            "can_import": may_write_any(request.user, MonthlyFigure),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def spot_detail(request, pk):
    spot = get_object_or_404(
        restrict(Spot.objects.all(), request.user, "view").select_related("village"), pk=pk
    )
    can_write = may_write(request.user, Spot, village=spot.village)
    form = PhotoForm(request.POST or None, request.FILES or None)
    status = 200
    if request.method == "POST":
        if not can_write:
            raise Http404
        if form.is_valid():
            try:
                services.add_photo(
                    actor=request.user,
                    spot=spot,
                    file=form.cleaned_data["photo"],
                    caption=form.cleaned_data["caption"],
                )
            except DomainError as exc:
                form.add_error(None, str(exc))
                status = exc.status_code
            else:
                messages.success(request, _("The photo was added."))
                return redirect("tourism:spot_detail", pk=spot.pk)
        else:
            status = 400
    context = selectors.spot_page(spot)
    context.update(
        {
            "form": form,
            "can_write": can_write,
            "can_assess": may_write(request.user, Assessment),
            "sheet": scenic.SHEET,
        }
    )
    return render(request, "tourism/spot_detail.html", context, status=status)


@login_required
@require_safe
def spot_photo(request, token):
    photo = get_object_or_404(restrict(SpotPhoto.objects.all(), request.user, "view"), token=token)
    kind = mimetypes.guess_type(photo.file.name)[0] or "application/octet-stream"
    response = FileResponse(photo.file.open("rb"), content_type=kind)
    response["Cache-Control"] = "private, max-age=3600"
    response["X-Content-Type-Options"] = "nosniff"
    return response


@login_required
@require_http_methods(["GET", "POST"])
def assessment_add(request, pk):
    spot = get_object_or_404(Spot.objects.select_related("village"), pk=pk)
    if not may_write(request.user, Assessment):
        raise Http404
    form = AssessmentForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                assessment = services.record_assessment(
                    actor=request.user,
                    spot=spot,
                    assessed_on=form.cleaned_data["assessed_on"],
                    scores=form.scores(),
                    bonus=form.cleaned_data["bonus"] or 0,
                    claimed_grade=form.cleaned_data["claimed_grade"],
                    assessor=form.cleaned_data["assessor"],
                )
            except DomainError as exc:
                form.add_error(None, str(exc))
                status = exc.status_code
            else:
                messages.success(
                    request,
                    _("Assessment recorded: %(total)d points, %(grade)s.")
                    % {"total": assessment.total, "grade": assessment.grade or _("no grade")},
                )
                return redirect("tourism:spot_detail", pk=spot.pk)
        else:
            status = 400
    return render(
        request,
        "tourism/assessment_form.html",
        {
            "spot": spot,
            "form": form,
            "sheet": scenic.SHEET,
            "grades": scenic.GRADES,
            "bonus_max": scenic.BONUS_MAX,
        },
        status=status,
    )


@login_required
@require_safe
def route_detail(request, pk):
    route = get_object_or_404(
        restrict(Route.objects.all(), request.user, "view").select_related("consortium"), pk=pk
    )
    return render(request, "tourism/route_detail.html", selectors.route_page(route))


@login_required
@require_safe
def dashboard(request, consortium):
    consortium = get_object_or_404(Consortium, pk=consortium)
    year = request.GET.get("year")
    year = int(year) if year and year.isdigit() and 1900 < int(year) < 3000 else None
    context = selectors.consortium_dashboard(consortium, year)
    return render(request, "tourism/dashboard.html", context)


@login_required
@require_safe
def figures_template(request):
    return _xlsx(sheets.template(), "tourism-figures-template.xlsx")


@login_required
@require_safe
def figures_export(request):
    figures = restrict(MonthlyFigure.objects.all(), request.user, "view")
    village = request.GET.get("village")
    if village:
        figures = figures.filter(village_id=village)
    return _xlsx(sheets.export_figures(figures), "tourism-figures.xlsx")


@login_required
@require_http_methods(["GET", "POST"])
def figures_import(request):
    if not may_write_any(request.user, MonthlyFigure):
        raise Http404
    form = FiguresImportForm(request.POST or None, request.FILES or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        # A job on the task queue (run by a worker); its page shows progress and the errors.
        try:
            job = jobs.start_import_job(
                form.cleaned_data["file"],
                actor=request.user,
                task=FIGURES_TASK,
                page="tourism:index",
            )
        except (Conflict, Unavailable) as exc:  # too many imports, or no queue: nothing kept
            form.add_error(None, str(exc))
            status = exc.status_code
        else:
            return redirect("registry:import_job", pk=job.pk)
    return render(request, "tourism/figures_import.html", {"form": form}, status=status)
