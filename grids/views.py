"""Pages of the villagers' layer: thin views over `grids.selectors` and `grids.services`.

Every page needs a signed-in user with a grant that reaches the rows (scoped reads); the
public never sees any of it. Personal data is shown masked; the one clear value a clerk may
ask for (with a reason, logged) is shown once on the household page and never cached.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from core.errors import Conflict, DomainError, Unavailable
from core.scope import may_write, restrict
from grids import selectors, services, sheets
from grids.forms import (
    EvaluationForm,
    HouseholdImportForm,
    LinkForm,
    MatterReportForm,
    MatterStepForm,
    RevealForm,
    VisitForm,
)
from grids.models import (
    Grid,
    Household,
    Matter,
    PartyLink,
    Person,
    ScreeningEntry,
    ScreeningTask,
)
from grids.tasks import HOUSEHOLD_TASK
from registry.models import Village
from registry.services import jobs


def _xlsx(data: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(
        data, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@login_required
def grid_list(request):
    grids = list(selectors.grids_for(request.user))
    villages = Village.objects.filter(
        pk__in=restrict(Household.objects.all(), request.user, "view").values("village_id")
    ).order_by("code")
    return render(request, "grids/grid_list.html", {"grids": grids, "villages": villages})


@login_required
def grid_detail(request, pk):
    grid = get_object_or_404(
        restrict(Grid.objects.all(), request.user, "view").select_related(
            "village__county", "partner_village__county"
        ),
        pk=pk,
    )
    context = selectors.grid_page(grid, request.user)
    context["rates"] = selectors.matter_rates(grid=grid)
    context["screenings"] = list(grid.screenings.order_by("-held_on"))
    context["report_form"] = MatterReportForm(micro_grids=context["micro_grids"])
    return render(request, "grids/grid_detail.html", context)


# Households per page of a village's list (a village has up to about a thousand).
HOUSEHOLDS_PER_PAGE = 100


@login_required
def household_list(request, village):
    village = get_object_or_404(Village, pk=village)
    page = Paginator(selectors.households_for(request.user, village), HOUSEHOLDS_PER_PAGE).get_page(
        request.GET.get("page")
    )
    if not page.object_list and not may_write(request.user, Household, village=village):
        raise Http404
    return render(
        request,
        "grids/household_list.html",
        {
            "village": village,
            "households": page.object_list,
            "page": page,
            "can_write": may_write(request.user, Household, village=village),
            "links": selectors.link_counts(village),
        },
    )


def _member_choices(members) -> list[tuple[int, str]]:
    return [
        (m.pk, f"{m.name}（{m.household.number}户 · {m.linked}/{settings.PARTY_LINK_MAX}）")
        for m in members
    ]


def _attempt(request, service, done: str, **kwargs) -> bool:
    """Run a service as the user; its refusal becomes a message (nothing is changed)."""
    try:
        service(actor=request.user, **kwargs)
    except DomainError as exc:
        messages.error(request, str(exc))
        return False
    messages.success(request, done)
    return True


@login_required
@require_http_methods(["GET", "POST"])
def party_links(request, village):
    """党员联户 of a village: the households no party member links, the members over (and
    under) their limit, and the form that links a household."""
    village = get_object_or_404(Village, pk=village)
    can_write = may_write(request.user, PartyLink, village=village)
    if (
        not can_write
        and not restrict(Household.objects.filter(village=village), request.user, "view").exists()
    ):
        raise Http404
    report = selectors.link_report(village, request.user)
    form = LinkForm(
        request.POST or None,
        members=_member_choices(report["members"]),
        households=[(h.pk, h.number) for h in report["unlinked"]],
    )
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            member = next(m for m in report["members"] if m.pk == data["member"])
            household = next(h for h in report["unlinked"] if h.pk == data["household"])
            if _attempt(
                request,
                services.link_household,
                _("The household is linked."),
                member=member,
                household=household,
                linked_on=data["linked_on"],
            ):
                return redirect("grids:party_links", village=village.pk)
        else:
            messages.error(
                request, _("Check the form: %(errors)s") % {"errors": form.errors.as_text()}
            )
        return redirect("grids:party_links", village=village.pk)
    return render(
        request,
        "grids/party_links.html",
        {"village": village, "report": report, "form": form, "can_write": can_write},
    )


@login_required
@require_POST
def household_link(request, pk):
    household = selectors.visible_or_404(Household, request.user, pk=pk)
    members = list(selectors.party_members(household.village, request.user))
    form = LinkForm(request.POST, members=_member_choices(members))
    if form.is_valid():
        _attempt(
            request,
            services.link_household,
            _("The household is linked."),
            member=next(m for m in members if m.pk == form.cleaned_data["member"]),
            household=household,
            linked_on=form.cleaned_data["linked_on"],
        )
    else:
        messages.error(request, _("Check the form: %(errors)s") % {"errors": form.errors.as_text()})
    return redirect("grids:household_detail", pk=household.pk)


@login_required
@require_POST
def link_visit(request, pk):
    link = selectors.visible_or_404(PartyLink, request.user, pk=pk)
    form = VisitForm(request.POST)
    if form.is_valid():
        _attempt(
            request,
            services.record_visit,
            _("The visit is recorded."),
            link=link,
            **form.cleaned_data,
        )
    else:
        messages.error(request, _("Check the form: %(errors)s") % {"errors": form.errors.as_text()})
    return redirect("grids:household_detail", pk=link.household_id)


@login_required
@require_POST
def link_evaluate(request, pk):
    link = selectors.visible_or_404(PartyLink, request.user, pk=pk)
    form = EvaluationForm(request.POST)
    if form.is_valid():
        _attempt(
            request,
            services.evaluate,
            _("The evaluation is recorded."),
            link=link,
            **form.cleaned_data,
        )
    else:
        messages.error(request, _("Check the form: %(errors)s") % {"errors": form.errors.as_text()})
    return redirect("grids:household_detail", pk=link.household_id)


@login_required
def household_export(request, village):
    village = get_object_or_404(Village, pk=village)
    qs = selectors.households_for(request.user, village)
    return _xlsx(sheets.export_households(qs), f"households-{village.pk}.xlsx")


@login_required
def household_template(request):
    return _xlsx(sheets.template(), "household-template.xlsx")


@login_required
@require_http_methods(["GET", "POST"])
def household_import(request, village):
    village = get_object_or_404(Village, pk=village)
    if not may_write(request.user, Household, village=village):
        raise Http404
    form = HouseholdImportForm(request.POST or None, request.FILES or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        # A job on the task queue (run by a worker); its page shows progress and the errors.
        try:
            job = jobs.start_import_job(
                form.cleaned_data["file"],
                actor=request.user,
                task=HOUSEHOLD_TASK,
                page="grids:grid_list",
                params={"village": village.pk},
            )
        except (Conflict, Unavailable) as exc:  # too many imports, or no queue: nothing kept
            form.add_error(None, str(exc))
            status = exc.status_code
        else:
            return redirect("registry:import_job", pk=job.pk)
    return render(
        request, "grids/household_import.html", {"village": village, "form": form}, status=status
    )


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def household_detail(request, pk):
    household = selectors.visible_or_404(Household, request.user, pk=pk)
    members = list(
        restrict(Person.objects.filter(household=household), request.user, "view").order_by(
            "relation", "pk"
        )
    )
    revealed = None
    form = RevealForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        person = get_object_or_404(
            restrict(Person.objects.filter(household=household), request.user, "view"),
            pk=request.POST.get("person"),
        )
        try:
            value = services.reveal(actor=request.user, person=person, **form.cleaned_data)
        except DomainError as exc:
            form.add_error(None, str(exc))
        else:
            revealed = {"person": person.pk, "field": form.cleaned_data["field"], "value": value}
    links = list(household.links.select_related("member").prefetch_related("visits", "evaluations"))
    active = next((link for link in links if link.ended_on is None), None)
    can_link = may_write(request.user, PartyLink, village=household.village)
    context = {
        "household": household,
        "members": members,
        "form": form,
        "revealed": revealed,
        "can_reveal": selectors.may_reveal(request.user, household.village),
        "links": links,
        "active_link": active,
        "can_link": can_link,
        "link_min": settings.PARTY_LINK_MIN,
        "link_max": settings.PARTY_LINK_MAX,
    }
    if can_link and active is None:
        context["link_form"] = LinkForm(
            members=_member_choices(selectors.party_members(household.village, request.user))
        )
    if can_link and active is not None:
        context["visit_form"] = VisitForm(auto_id="visit_%s")
        context["evaluation_form"] = EvaluationForm(auto_id="evaluation_%s")
    return render(request, "grids/household_detail.html", context)


@login_required
@require_POST
def matter_report(request, grid):
    grid = selectors.visible_or_404(Grid, request.user, pk=grid)
    micro_grids = list(grid.micro_grids.all())
    form = MatterReportForm(request.POST, request.FILES, micro_grids=micro_grids)
    if form.is_valid():
        data = form.cleaned_data
        micro = next((m for m in micro_grids if str(m.pk) == data["micro_grid"]), None)
        try:
            matter = services.report_matter(
                actor=request.user,
                grid=grid,
                category=data["category"],
                place=data["place"],
                description=data["description"],
                micro_grid=micro,
                photo=data.get("photo"),
            )
        except DomainError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, _("The matter is accepted."))
            return redirect("grids:matter_detail", pk=matter.pk)
    else:
        messages.error(
            request, _("Check the report: %(errors)s") % {"errors": form.errors.as_text()}
        )
    return redirect("grids:grid_detail", pk=grid.pk)


@login_required
@require_http_methods(["GET", "POST"])
def matter_detail(request, pk):
    matter = selectors.visible_or_404(Matter, request.user, pk=pk)
    form = MatterStepForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.step_matter(
                actor=request.user,
                matter=matter,
                kind=data["kind"],
                note=data["note"],
                level=data["level"] or None,
                satisfaction=data["satisfaction"],
            )
        except DomainError as exc:
            form.add_error(None, str(exc))
        else:
            return redirect("grids:matter_detail", pk=matter.pk)
    steps = list(matter.steps.select_related("by"))
    return render(
        request, "grids/matter_detail.html", {"matter": matter, "steps": steps, "form": form}
    )


@login_required
def matter_photo(request, token):
    matter = selectors.visible_or_404(Matter, request.user, photo_token=token)
    if not matter.photo:
        raise Http404
    response = HttpResponse(matter.photo.open("rb").read(), content_type="image/jpeg")
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response


@login_required
@require_http_methods(["GET", "POST"])
def screening_detail(request, pk):
    task = selectors.visible_or_404(ScreeningTask, request.user, pk=pk)
    if request.method == "POST":
        entry = get_object_or_404(
            restrict(ScreeningEntry.objects.filter(task=task), request.user, "view"),
            pk=request.POST.get("entry"),
        )
        try:
            services.check_off(actor=request.user, entry=entry)
        except DomainError as exc:
            messages.error(request, str(exc))
        return redirect("grids:screening_detail", pk=task.pk)
    entries = list(task.entries.select_related("micro_grid__side", "checked_by"))
    return render(
        request,
        "grids/screening_detail.html",
        {"task": task, "entries": entries, "progress": selectors.screening_progress(task)},
    )
