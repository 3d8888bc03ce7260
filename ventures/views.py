"""The ventures pages: venture list and page, run preparation and workflow, holder
statements, and the public notices (公示), which need no login.

Views are thin: they fetch, call one service, and redirect or render. The services decide
who may do what (maker-checker included); a refusal for lack of role answers 403 and
changes nothing, any other refusal (a `core.errors.DomainError`) is shown on the page it
came from. Every page runs a
fixed number of queries whatever the number of holders (lines and payees are paged).
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import EmptyPage, Paginator
from django.db.models import Count, Q, Sum
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_date
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from core.errors import DomainError
from core.scope import holds_role
from lib.money import fen_from_yuan
from registry.models import Organisation, Village
from ventures import selectors, services
from ventures.exceptions import NotAllowed, VentureError
from ventures.forms import (
    ContributionForm,
    HolderLookupForm,
    IncomeForm,
    PostForm,
    PublishForm,
    ReverseForm,
    RunPrepareForm,
)
from ventures.models import (
    DistributionRun,
    PublicNotice,
    Venture,
    parse_holder_key,
)
from ventures.public import notice_context, notice_pdf, notice_xlsx, public_page
from ventures.reports import (
    ACTIVE,
    holder_statement,
    ledger_returns,
    params_display,
    statement_xlsx,
    venture_returns,
)
from ventures.selectors import PREPARE_ROLES, REGISTER_ROLES, run_rights

__all__ = [
    "contribution_add",
    "holder_lookup",
    "holder_options",
    "income_add",
    "notice_detail",
    "notice_list",
    "notice_pdf_download",
    "notice_print",
    "notice_xlsx_download",
    "run_action",
    "run_detail",
    "run_prepare",
    "statement",
    "venture_detail",
    "venture_list",
]

LINES_PER_PAGE = 100
PAYEES_PER_PAGE = 200
NOTICES_PER_PAGE = 50
RUNS_ON_VENTURE_PAGE = 20


def _venture(pk: int) -> Venture:
    return get_object_or_404(
        Venture.objects.select_related("organisation", "site_county", "owner_county", "programme"),
        pk=pk,
    )


@login_required
@require_safe
def venture_list(request):
    ventures = (
        Venture.objects.select_related("organisation")
        .annotate(
            distributed=Sum("runs__distributed_amount", filter=Q(runs__status__in=ACTIVE)),
        )
        .order_by("name")
    )
    return render(request, "ventures/venture_list.html", {"ventures": ventures})


@login_required
@require_safe
def venture_detail(request, pk):
    venture = _venture(pk)
    today_register = selectors.register_at(venture, timezone.localdate())
    register = today_register.order_by().aggregate(holders=Count("pk"), units=Sum("units"))
    top_stakes = list(today_register.order_by("-units", "pk")[:10])
    returns = venture_returns(venture)
    try:
        as_of = parse_date(request.GET.get("as_of") or "")
    except ValueError:
        as_of = None
    booked = ledger_returns(venture, as_of=as_of)
    runs = list(
        venture.runs.select_related("prepared_by").order_by("-period_end", "-pk")[
            :RUNS_ON_VENTURE_PAGE
        ]
    )
    chart = {
        "labels": {
            "income": _("Income received"),
            "distributed": _("Distributed"),
            "cumulative": _("Cumulative distributed"),
            "holder_yearly": _("Holder, by year"),
            "holder_cumulative": _("Holder, cumulative"),
            "wan_yuan": _("10k yuan"),
        },
        "years": returns.years,
        "income": returns.income,
        "distributed": returns.distributed,
        "cumulative": returns.cumulative,
        "holders": [
            {
                "key": h["key"],
                "name": h["name"],
                "yearly": h["yearly"],
                "cumulative": h["cumulative"],
            }
            for h in returns.top_holders
        ],
    }
    context = {
        "venture": venture,
        "assets": list(venture.assets.all()),
        "tenants": list(venture.tenants.select_related("organisation", "asset")),
        "register": register,
        "top_stakes": top_stakes,
        "returns": returns,
        "booked": booked,
        "runs": runs,
        "chart": chart,
        "can_prepare": holds_role(request.user, PREPARE_ROLES, organisation=venture.organisation),
        "can_record": holds_role(request.user, REGISTER_ROLES, organisation=venture.organisation),
        "lookup_form": HolderLookupForm(venture),
    }
    return render(request, "ventures/venture_detail.html", context)


@login_required
def run_prepare(request, pk):
    venture = _venture(pk)
    if not holds_role(request.user, PREPARE_ROLES, organisation=venture.organisation):
        raise PermissionDenied
    form = RunPrepareForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            preview = services.prepare_run(
                venture,
                period_start=form.cleaned_data["period_start"],
                period_end=form.cleaned_data["period_end"],
                policy=form.cleaned_data["policy"],
                params=form.params(),
                actor=request.user,
            )
        except NotAllowed:
            raise PermissionDenied from None
        except DomainError as error:
            form.add_error(None, str(error))
        else:
            messages.success(
                request,
                _(
                    "Prepared run {pk}: check the preview, then ask an approver to approve it."
                ).format(pk=preview.run.pk),
            )
            return redirect("ventures:run_detail", pk=preview.run.pk)
    return render(request, "ventures/run_form.html", {"venture": venture, "form": form})


def _record(request, pk, form_class, template, save):
    venture = _venture(pk)
    if not holds_role(request.user, REGISTER_ROLES, organisation=venture.organisation):
        raise PermissionDenied
    form = form_class(request.POST or None)
    if hasattr(form, "for_venture"):
        form.for_venture(venture)
    if request.method == "POST" and form.is_valid():
        try:
            message = save(venture, form.cleaned_data)
        except NotAllowed:
            raise PermissionDenied from None
        except DomainError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, message)
            return redirect("ventures:venture_detail", pk=venture.pk)
    return render(request, template, {"venture": venture, "form": form})


@login_required
def income_add(request, pk):
    def save(venture, data):
        receipt = services.record_income(
            venture,
            amount=fen_from_yuan(data["amount"]),
            received_on=data["received_on"],
            kind=data["kind"],
            payer=data["payer"],
            period_start=data["period_start"],
            period_end=data["period_end"],
            note=data["note"],
            actor=request.user,
        )
        return _("Recorded and posted {kind} of {amount} yuan.").format(
            kind=receipt.get_kind_display(), amount=data["amount"]
        )

    return _record(request, pk, IncomeForm, "ventures/income_form.html", save)


@login_required
def contribution_add(request, pk):
    def save(venture, data):
        contribution = services.record_contribution(
            venture,
            holder=data["holder"],
            kind=data["kind"],
            amount=fen_from_yuan(data["amount"]),
            contributed_on=data["contributed_on"],
            note=data["note"],
            actor=request.user,
        )
        return _("Recorded and posted the {kind} contribution of {holder}.").format(
            kind=contribution.get_kind_display(), holder=contribution.holder
        )

    return _record(request, pk, ContributionForm, "ventures/contribution_form.html", save)


def _run(pk: int) -> DistributionRun:
    return get_object_or_404(
        DistributionRun.objects.select_related(
            "venture__organisation",
            "prepared_by",
            "approved_by",
            "posted_by",
            "published_by",
            "reversed_by",
        ),
        pk=pk,
    )


@login_required
@require_safe
def run_detail(request, pk):
    run = _run(pk)
    lines = run.lines.select_related("village", "organisation").order_by("pk")
    page = Paginator(lines, LINES_PER_PAGE).get_page(request.GET.get("page"))
    context = {
        "run": run,
        "venture": run.venture,
        "page": page,
        "params": params_display(run.params, run.policy),
        "can": run_rights(request.user, run),
        "notices": list(run.notices.order_by("published_at")),
        "post_form": PostForm(),
        "publish_form": PublishForm(
            initial={"issuer": run.venture.organisation.name, "contact": run.venture.notice_contact}
        ),
        "reverse_form": ReverseForm(),
    }
    return render(request, "ventures/run_detail.html", context)


@login_required
@require_POST
def run_action(request, pk, action):
    run = _run(pk)
    try:
        if action == "approve":
            services.approve_run(run, actor=request.user)
            message = _("Approved run {pk}.")
        elif action == "post":
            form = PostForm(request.POST)
            if not form.is_valid():
                raise VentureError(" ".join(e for errors in form.errors.values() for e in errors))
            services.post_run(run, actor=request.user, date=form.cleaned_data["date"])
            message = _("Posted run {pk} to the ledger.")
        elif action == "publish":
            form = PublishForm(request.POST)
            if not form.is_valid():
                raise VentureError(" ".join(e for errors in form.errors.values() for e in errors))
            services.publish_run(run, actor=request.user, **form.cleaned_data)
            message = _("Published the notice of run {pk}.")
        elif action == "reverse":
            form = ReverseForm(request.POST)
            if not form.is_valid():
                raise VentureError(" ".join(e for errors in form.errors.values() for e in errors))
            services.reverse_run(
                run,
                actor=request.user,
                reason=form.cleaned_data["reason"],
                date=form.cleaned_data["date"],
            )
            message = _("Reversed run {pk}.")
        elif action == "discard":
            venture_pk = run.venture_id
            services.discard_run(run, actor=request.user)
            messages.success(request, _("Discarded run {pk}.").format(pk=pk))
            return redirect("ventures:venture_detail", pk=venture_pk)
        else:
            raise Http404
    except NotAllowed:
        raise PermissionDenied from None
    except DomainError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, message.format(pk=run.pk))
    return redirect("ventures:run_detail", pk=run.pk)


@login_required
@require_safe
def statement(request, pk, holder):
    venture = _venture(pk)
    try:
        village_id, organisation_id = parse_holder_key(holder)
    except VentureError:
        raise Http404 from None
    if village_id is not None:
        owner = get_object_or_404(Village, pk=village_id)
    else:
        owner = get_object_or_404(Organisation, pk=organisation_id)
    if not selectors.may_read_statement(request.user, venture, owner):
        raise Http404  # out of scope: not confirmed to exist
    result = holder_statement(venture, owner)
    if request.GET.get("format") == "xlsx":
        response = HttpResponse(
            statement_xlsx(result),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
        filename = f"statement-venture{venture.pk}-{holder.replace(':', '-')}.xlsx"
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        return response
    return render(request, "ventures/statement.html", {"venture": venture, "statement": result})


@login_required
@require_safe
def holder_lookup(request, pk):
    """The statement picker on the venture page: the chosen holder → their statement."""
    venture = _venture(pk)
    form = HolderLookupForm(venture, request.GET)
    if not form.is_valid():
        messages.error(request, _("Choose a holder from the list."))
        return redirect("ventures:venture_detail", pk=venture.pk)
    return redirect("ventures:statement", pk=venture.pk, holder=form.cleaned_data["holder"])


@login_required
@require_safe
def holder_options(request, pk):
    """The holder pickers' options for what was typed (htmx): names and codes, keys as values."""
    venture = _venture(pk)
    options = selectors.holder_options(venture, request.GET.get("q", "")[:40])
    return render(request, "ventures/_holder_options.html", {"options": options})


# --- Public notices (no login) ----------------------------------------------------------------


@public_page("list")
def notice_list(request, page):
    notices = (
        PublicNotice.objects.select_related("run__venture")
        .defer("payload", "run__venture__description")
        .order_by("-published_at", "-pk")
    )
    paginator = Paginator(notices, NOTICES_PER_PAGE, allow_empty_first_page=True)
    try:
        page = paginator.page(page)
    except EmptyPage:
        raise Http404("no such page") from None
    return render(
        request,
        "ventures/notice_list.html",
        {"page": page, "today": timezone.localdate()},
    )


def _notice(pk: int) -> PublicNotice:
    return get_object_or_404(PublicNotice, pk=pk)


@public_page("notice")
def notice_detail(request, pk, page):
    notice = _notice(pk)
    payload = notice.payload
    paginator = Paginator(payload.get("payees", []), PAYEES_PER_PAGE)
    try:
        payees = paginator.page(page)
    except EmptyPage:
        raise Http404("no such page") from None
    context = {
        **notice_context(notice),
        "page": payees,
        "params": params_display(payload.get("params", {}), payload.get("policy")),
        "list_url": reverse("ventures:notice_list"),
    }
    return render(request, "ventures/notice_detail.html", context)


@public_page("notice", paged=False)
def notice_print(request, pk):
    """The wall copy: every payee, A4 print stylesheet."""
    return render(request, "ventures/notice_print.html", notice_context(_notice(pk)))


def _download(body: bytes, content_type: str, name: str) -> HttpResponse:
    response = HttpResponse(body, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@public_page("notice", paged=False)
def notice_pdf_download(request, pk):
    notice = _notice(pk)
    return _download(notice_pdf(notice), "application/pdf", f"notice-{notice.pk}.pdf")


@public_page("notice", paged=False)
def notice_xlsx_download(request, pk):
    notice = _notice(pk)
    return _download(
        notice_xlsx(notice),
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        f"notice-{notice.pk}.xlsx",
    )
