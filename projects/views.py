"""Pages of the projects app: thin views over `projects.services` (acting as the signed-in
user), `projects.selectors`, `projects.sheets` and `lib.progress`.

The project list runs a fixed number of queries whatever the data size (count, page with its
consortium, lead and latest progress report in one query, and the two filter menus).
"""

from __future__ import annotations

from datetime import date, timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import OuterRef, Q, Subquery
from django.http import FileResponse, HttpResponse, HttpResponseForbidden
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from core.errors import Conflict, Unavailable
from core.scope import may_write, restrict
from lib import progress as progress_lib
from projects import selectors, services, sheets
from projects.choices import ProjectCategory, ProjectStatus
from projects.forms import (
    AttachmentForm,
    ImportForm,
    ProgressForm,
    ProjectFilterForm,
    fen_from_wan,
    parse_period,
)
from projects.models import (
    CooperationList,
    CooperationProject,
    ProgressReport,
    Project,
    ProjectAttachment,
    ProjectPartner,
)
from projects.tasks import COOPERATION_TASK, PROGRESS_TASK
from registry.choices import parse_year
from registry.models import Village
from registry.services import jobs
from ventures.reports import venture_returns

PROJECTS_PER_PAGE = 50
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _xlsx(data: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(data, content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def filtered_projects(params) -> tuple:
    """Projects filtered by the GET parameters (consortium, status, category, village)."""
    form = ProjectFilterForm(params)
    qs = Project.objects.all()
    if form.is_valid():
        data = form.cleaned_data
        if data["consortium"]:
            qs = qs.filter(consortium_id=data["consortium"])
        if data["status"]:
            qs = qs.filter(status=data["status"])
        if data["category"]:
            qs = qs.filter(category=data["category"])
        if data["village"]:
            # The lead village, or a partner village: a subquery, not a join (no duplicates).
            partner_of = ProjectPartner.objects.filter(village_id=data["village"]).values(
                "project_id"
            )
            qs = qs.filter(Q(lead_village_id=data["village"]) | Q(pk__in=partner_of))
    return form, qs


def with_latest_report(qs):
    latest = ProgressReport.objects.filter(project=OuterRef("pk")).order_by("-period", "-pk")
    return qs.annotate(
        latest_period=Subquery(latest.values("period")[:1]),
        latest_percent=Subquery(latest.values("plan_percent")[:1]),
        latest_gap=Subquery(latest.values("schedule_gap")[:1]),
        latest_completed=Subquery(latest.values("completed_in_year")[:1]),
    )


@login_required
@require_safe
def project_list(request):
    form, qs = filtered_projects(request.GET)
    qs = with_latest_report(
        qs.select_related("consortium", "lead_village", "lead_organisation")
    ).order_by("code")
    page = Paginator(qs, PROJECTS_PER_PAGE).get_page(request.GET.get("page"))
    context = {
        "page": page,
        "projects": page.object_list,
        "form": form,
        "consortia": selectors.consortium_choices(),
        "villages": list(
            Village.objects.filter(led_projects__isnull=False)
            .distinct()
            .order_by("code")
            .values_list("code", "short_name")
        ),
        "statuses": ProjectStatus.choices,
        "categories": ProjectCategory.choices,
        "can_import": bool(request.user.is_authenticated)
        and selectors.may_write_any_project(request.user),
        "default_period": _last_month_end(),
    }
    return render(request, "projects/project_list.html", context)


def _year(text: str | None, default: int | None) -> int | None:
    """A year from a query parameter; `default` unless it is a year (parse_year)."""
    year = parse_year(text)
    return default if year is None else year


def _last_month_end() -> date:
    """The end of last month: the period a progress update is usually for."""
    today = timezone.localdate()
    return date(today.year, today.month, 1) - timedelta(days=1)


def _chart(project: Project, reports: list[ProgressReport], plans: dict[int, int], year: int,
           by_quarter: bool) -> dict:
    """Plan vs actual investment completed in `year`, per month (or quarter), in fen."""
    in_force: dict[int, ProgressReport] = {}
    for report in reports:  # ordered by period, pk: the last one per month wins
        if report.period.year == year:
            in_force[report.period.month] = report
    months = [3, 6, 9, 12] if by_quarter else list(range(1, 13))
    planned = plans.get(year)
    return {
        "labels": {
            "plan": _("Planned (cumulative)"),
            "actual": _("Completed (cumulative)"),
            "percent": _("Share of annual plan"),
            "schedule": _("Time schedule"),
            "wan_yuan": _("10k yuan"),
        },
        "periods": [
            (_("Q%(q)d") % {"q": m // 3}) if by_quarter else (_("%(m)d月") % {"m": m})
            for m in months
        ],
        "plan": [
            progress_lib.planned_to_date(planned, m) if planned is not None else None
            for m in months
        ],
        "actual": [in_force[m].completed_in_year if m in in_force else None for m in months],
        "percent": [
            float(in_force[m].plan_percent)
            if m in in_force and in_force[m].plan_percent is not None
            else None
            for m in months
        ],
        "schedule": [float(progress_lib.schedule_percent(date(year, m, 1))) for m in months],
    }


@login_required
@require_safe
def project_detail(request, pk):
    project = get_object_or_404(
        Project.objects.select_related(
            "consortium__alliance", "lead_village", "lead_organisation", "venture"
        ),
        pk=pk,
    )
    reports = list(project.progress_reports.select_related("author").order_by("period", "pk"))
    plans = dict(project.plans.values_list("year", "planned_investment"))
    years = sorted({r.period.year for r in reports} | set(plans))
    year = _year(request.GET.get("year"), years[-1] if years else timezone.localdate().year)
    by_quarter = request.GET.get("by") == "quarter"
    superseded = set()
    last_for: dict[date, int] = {}
    for report in reports:
        if report.period in last_for:
            superseded.add(last_for[report.period])
        last_for[report.period] = report.pk
    income = {year_: amount for year_, amount in project.income_records.values_list("year", "amount")}
    returns = venture_returns(project.venture) if project.venture_id else None
    if returns is not None:
        for year_, amount in zip(returns.years, returns.income, strict=True):
            income.setdefault(year_, amount)
    can_report = selectors.may_change_project(request.user, project)
    context = {
        "project": project,
        "partners": list(project.partners.select_related("village", "organisation")),
        "plans": sorted(plans.items()),
        "milestones": list(project.milestones.all()),
        "reports": list(reversed(reports)),
        "superseded": superseded,
        "latest": reports[-1] if reports else None,
        "income_rows": [
            {"year": y, "actual": income[y], "expected": project.expected_annual_income}
            for y in sorted(income)
        ],
        "returns": returns,
        # Only the files this user may open: their links are not shown to anyone else.
        "attachments": list(project.attachments.restrict_reads(request.user)),
        "chart": _chart(project, reports, plans, year, by_quarter),
        "years": years,
        "year": year,
        "by_quarter": by_quarter,
        "can_report": can_report,
        "form": ProgressForm() if can_report else None,
        "attachment_form": (
            AttachmentForm(max_bytes=services.ATTACHMENT_MAX_BYTES) if can_report else None
        ),
    }
    return render(request, "projects/project_detail.html", context)


@login_required
@require_POST
def progress_add(request, pk):
    project = get_object_or_404(
        Project.objects.select_related("lead_village", "lead_organisation"), pk=pk
    )
    if not selectors.may_change_project(request.user, project):
        return HttpResponseForbidden(_("You may not report progress for this project."))
    form = ProgressForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.file_progress(
                project,
                actor=request.user,
                period=data["period"],
                completed_in_year=fen_from_wan(data["completed_in_year"]),
                completed_total=fen_from_wan(data["completed_total"]),
                note=data["note"],
            )
        except services.ProjectError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, _("Progress report filed."))
    else:
        for field, errors in form.errors.items():
            label = form.fields[field].label if field in form.fields else ""
            messages.error(request, f"{label}: {' '.join(errors)}")
    return redirect("projects:project_detail", pk=project.pk)


@login_required
@require_POST
def attachment_add(request, pk):
    project = get_object_or_404(
        Project.objects.select_related("lead_village", "lead_organisation"), pk=pk
    )
    if not selectors.may_change_project(request.user, project):
        return HttpResponseForbidden(_("You may not add attachments to this project."))
    form = AttachmentForm(request.POST, request.FILES, max_bytes=services.ATTACHMENT_MAX_BYTES)
    if form.is_valid():
        data = form.cleaned_data
        try:
            attachment = services.add_attachment(
                project, data["file"], actor=request.user, title=data["title"], kind=data["kind"]
            )
        except services.ProjectError as error:
            messages.error(request, str(error))
        else:
            messages.success(
                request, _("Attached “%(title)s”.") % {"title": attachment.title}
            )
    else:
        for field, errors in form.errors.items():
            label = form.fields[field].label if field in form.fields else ""
            messages.error(request, f"{label}: {' '.join(errors)}")
    return redirect(reverse("projects:project_detail", args=[project.pk]) + "#attachments")


@login_required
@require_safe
def attachment_download(request, token):
    """The file of an attachment at its random token, to users whose grants reach the
    project's lead or a partner (`restrict_reads`; else 404).

    Pictures are sent inline (thumbnails on the project page), everything else as a download.
    """
    attachment = get_object_or_404(
        ProjectAttachment.objects.restrict_reads(request.user), token=token
    )
    response = FileResponse(
        attachment.file.open("rb"),
        as_attachment=not attachment.is_image,
        filename=attachment.filename,
    )
    # Scoped content: not for shared caches.
    response["Cache-Control"] = "private, max-age=3600"
    return response


@login_required
@require_safe
def progress_export(request):
    try:
        period = parse_period(request.GET.get("period") or "")
    except ValueError:
        period = _last_month_end()
    _form, qs = filtered_projects(request.GET)
    data = sheets.export_progress(request.user, period, restrict(qs, request.user, "change"))
    return _xlsx(data, f"projects-progress-{period:%Y-%m}.xlsx")


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def progress_import(request):
    if not selectors.may_write_any_project(request.user):
        return HttpResponseForbidden(_("You may not update project progress."))
    return _import_page(
        request,
        PROGRESS_TASK,
        "projects:progress_import",
        title=_("Progress import"),
        lead=_(
            "Download the project list for a month, fill in the investment completed, and "
            "upload it. Every row is checked first: if any row is wrong, nothing is written "
            "and each error is listed with its row and column. Each changed row files a new "
            "progress report; importing the same file again changes nothing."
        ),
        back="projects:project_list",
        download="projects:progress_export",
    )


def _import_page(request, task, page, *, title, lead, back, download, template_url=None):
    """The upload form; a valid upload becomes a job on the task queue (`task`, run by a
    worker), whose page (registry's job page) shows its progress and outcome."""
    form = ImportForm(request.POST or None, request.FILES or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            job = jobs.start_import_job(
                form.cleaned_data["file"], actor=request.user, task=task, page=page
            )
        except (Conflict, Unavailable) as exc:  # too many imports, or no queue: nothing kept
            form.add_error(None, str(exc))
            status = exc.status_code
        else:
            return redirect("registry:import_job", pk=job.pk)
    context = {
        "title": title,
        "lead": lead,
        "form": form,
        "back": back,
        "download": download,
        "template_url": template_url,
        "default_period": _last_month_end(),
    }
    return render(request, "projects/import.html", context, status=status)


@login_required
@require_safe
def cooperation_list(request):
    years = list(
        CooperationList.objects.order_by("-year").values_list("year", flat=True).distinct()
    )
    year = _year(request.GET.get("year"), years[0] if years else timezone.localdate().year)
    rows = list(
        CooperationProject.objects.filter(list__year=year)
        .select_related("list")
        .order_by("list__kind", "list__side_a_name", "list_id", "number", "pk")
    )
    lists: dict[int, dict] = {}
    for row in rows:
        entry = lists.setdefault(row.list_id, {"list": row.list, "projects": []})
        entry["projects"].append(row)
    by_category: dict[str, int] = {}
    for row in rows:
        by_category[row.get_category_display()] = by_category.get(row.get_category_display(), 0) + 1
    context = {
        "years": years,
        "year": year,
        "lists": list(lists.values()),
        "count": len(rows),
        "by_category": sorted(by_category.items(), key=lambda kv: -kv[1]),
        "all_years_count": CooperationProject.objects.count(),
        "can_import": may_write(request.user, CooperationProject),
    }
    return render(request, "projects/cooperation_list.html", context)


@login_required
@require_safe
def cooperation_export(request):
    qs = CooperationProject.objects.all()
    # isdigit() alone accepts "²" (int() does not): an unusable year exports every year.
    year = _year(request.GET.get("year"), None)
    if year is not None:
        qs = qs.filter(list__year=year)
    return _xlsx(sheets.export_cooperation(qs), f"cooperation-{year or 'all'}.xlsx")


@login_required
@require_safe
def cooperation_template(request):
    return _xlsx(sheets.cooperation_template(), "cooperation-template.xlsx")


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def cooperation_import(request):
    if not may_write(request.user, CooperationProject):
        return HttpResponseForbidden(_("You may not import cooperation lists."))
    return _import_page(
        request,
        COOPERATION_TASK,
        "projects:cooperation_import",
        title=_("Cooperation list import"),
        lead=_(
            "Upload cooperation projects as an xlsx file (one row per project, with its year, "
            "kind and both sides). Every row is checked first: if any row is wrong, nothing "
            "is written and each error is listed with its row and column. Projects are "
            "matched by list and name; importing the same file again changes nothing."
        ),
        back="projects:cooperation_list",
        download="projects:cooperation_export",
        template_url="projects:cooperation_template",
    )
