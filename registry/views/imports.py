"""Statistics import and export pages.

Thin views: the import itself is registry.services.stats_io, run as a job on the task queue
(registry.services.jobs) whose progress the job page polls with htmx; the job page serves
every web import (statistics, projects' progress and cooperation lists). Downloads stream
from registry.sheets.
"""

from __future__ import annotations

import os
import tempfile

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpResponseBadRequest, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from core.errors import Conflict, Unavailable
from core.scope import is_unscoped_admin, may_write_any
from registry.forms import StatsExportForm, StatsImportForm
from registry.models import ImportJob, VillageStat
from registry.services import jobs, stats_io
from registry.sheets import STAT_COLUMNS, export_stats, iter_export_csv, write_template

ERRORS_PER_PAGE = 100
RECENT_JOBS = 10


def _may_import(user) -> bool:
    """Whether the user holds any grant that lets them write statistics (rows are checked
    one by one by the import itself)."""
    return may_write_any(user, VillageStat)


def _jobs_for(user):
    """Import jobs a user may see: their own; every job for an unscoped city admin."""
    jobs = ImportJob.objects.select_related("created_by")
    return jobs if is_unscoped_admin(user) or user.is_superuser else jobs.filter(created_by=user)


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def stats_import(request):
    if not _may_import(request.user):
        raise PermissionDenied
    form = StatsImportForm(request.POST or None, request.FILES or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            job = stats_io.start_import_job(
                form.cleaned_data["file"],
                actor=request.user,
                dry_run=form.cleaned_data["dry_run"],
            )
        except (Conflict, Unavailable) as exc:  # too many imports, or no queue: nothing kept
            form.add_error(None, str(exc))
            status = exc.status_code
        else:
            return redirect("registry:import_job", pk=job.pk)
    context = {
        "form": form,
        "export_form": StatsExportForm(),
        "jobs": ImportJob.objects.filter(created_by=request.user)[:RECENT_JOBS],
        "columns": STAT_COLUMNS,
    }
    return render(request, "registry/import.html", context, status=status)


def _job_context(request, job: ImportJob) -> dict:
    finished = job.finished
    errors = None
    if finished and job.errors:
        errors = Paginator(job.errors, ERRORS_PER_PAGE).get_page(request.GET.get("page"))
    return {
        "job": job,
        "finished": finished,
        "errors": errors,
        "error_count": job.summary.get("error_count", len(job.errors)),
        "stored_errors": len(job.errors),
        "may_retry": job.retryable and job.created_by_id == request.user.pk,
        "back": job.page or "registry:stats_import",
    }


@login_required
@require_safe
def import_job(request, pk: int):
    job = get_object_or_404(_jobs_for(request.user), pk=pk)
    return render(request, "registry/import_job.html", _job_context(request, job))


@login_required
@require_POST
def import_job_retry(request, pk: int):
    """Start again a job that stopped without a result (its worker died)."""
    job = get_object_or_404(_jobs_for(request.user), pk=pk)
    try:
        jobs.retry_import_job(job, actor=request.user)
    except (Conflict, Unavailable) as exc:
        context = _job_context(request, job) | {"retry_error": str(exc)}
        return render(request, "registry/import_job.html", context, status=exc.status_code)
    return redirect("registry:import_job", pk=job.pk)


@login_required
@require_safe
def import_job_status(request, pk: int):
    """The job's progress (and, once finished, its outcome) as a fragment for htmx."""
    job = get_object_or_404(_jobs_for(request.user), pk=pk)
    return render(request, "registry/_import_status.html", _job_context(request, job))


@login_required
@require_safe
def stats_template(request, fmt: str):
    if fmt not in ("xlsx", "csv"):
        raise Http404
    unit = "wan" if request.GET.get("unit") == "wan" else "yuan"
    name = "村级统计导入模板" + ("（万元）" if unit == "wan" else "")
    return _file_response(lambda path: write_template(path, fmt, unit), fmt, name)


@login_required
@require_safe
def stats_export(request):
    form = StatsExportForm(request.GET)
    if not form.is_valid():
        return HttpResponseBadRequest(
            " ".join(str(e) for errors in form.errors.values() for e in errors)
        )
    year, region, fmt = (form.cleaned_data[k] for k in ("year", "region", "format"))
    queryset = VillageStat.objects.restrict(request.user, "view")
    name = "村级统计" + "".join(f"_{part}" for part in (region, year) if part)
    if fmt == "csv":
        response = StreamingHttpResponse(
            iter_export_csv(queryset, year=year, region=region),
            content_type="text/csv; charset=utf-8",
        )
        response["Content-Disposition"] = content_disposition_header(True, f"{name}.csv")
        return response
    return _file_response(
        lambda path: export_stats(path, "xlsx", queryset=queryset, year=year, region=region),
        "xlsx",
        name,
    )


def _file_response(write, fmt: str, name: str) -> FileResponse:
    """Write a file with `write(path)` to a temporary path and send it; the file is
    unlinked at once (the open handle keeps it readable until the response is closed)."""
    handle, path = tempfile.mkstemp(prefix="baotuan-export-", suffix=f".{fmt}")
    os.close(handle)
    try:
        write(path)
        stream = open(path, "rb")  # noqa: SIM115 - FileResponse closes it
    finally:
        os.unlink(path)
    content_type = (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        if fmt == "xlsx"
        else "text/csv; charset=utf-8"
    )
    return FileResponse(
        stream, as_attachment=True, filename=f"{name}.{fmt}", content_type=content_type
    )
