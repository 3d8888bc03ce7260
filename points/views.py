"""Pages of points: thin views over `points.selectors` and `points.services`.

Signed-in pages are scoped like the households they show (both sides of a shared grid's
scheme read it). The public pages (a notice and its appeal form, a scheme's ranking) are
cached, phone-first and carry household numbers and masked head names only.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from audit.context import change_context
from core.actors import SYSTEM
from core.errors import Conflict, DomainError, Unavailable
from core.scope import restrict
from points import selectors, services, sheets
from points.choices import AppealOutcome, EntryState
from points.forms import (
    AppealForm,
    DecideForm,
    ImportForm,
    ProposeForm,
    PublicAppealForm,
    ReasonForm,
    RedeemForm,
)
from points.models import Appeal, Entry, PointsNotice, Redemption, Scheme, StoreItem
from points.public import public_page
from points.tasks import IMPORT_TASK
from registry.services import jobs

#: Rows a queue page shows at once.
QUEUE_ROWS = 200


def _scheme(request, pk) -> Scheme:
    return get_object_or_404(
        restrict(Scheme.objects.all(), request.user, "view").select_related(
            "village", "grid__partner_village"
        ),
        pk=pk,
    )


@login_required
def scheme_list(request):
    schemes = list(
        restrict(Scheme.objects.all(), request.user, "view").select_related("village", "grid")
    )
    return render(request, "points/scheme_list.html", {"schemes": schemes})


@login_required
def scheme_detail(request, pk):
    scheme = _scheme(request, pk)
    versions = list(scheme.versions.prefetch_related("items").order_by("-effective_from"))
    today = timezone.localdate()
    return render(
        request,
        "points/scheme_detail.html",
        {
            "scheme": scheme,
            "versions": versions,
            "notices": list(scheme.notices.all()[:20]),
            "can": selectors.scheme_rights(request.user, scheme),
            "ranking": selectors.ranking(scheme, today, limit=10),
            "cost": selectors.store_cost(scheme, today.replace(month=1, day=1), today),
            "verified": scheme.entries.filter(state=EntryState.VERIFIED).count(),
            "spread": selectors.points_distribution(scheme, today),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def queue(request, pk):
    """The scorer's queue: proposals to verify (deductions twice), with the proposal form."""
    scheme = _scheme(request, pk)
    rights = selectors.scheme_rights(request.user, scheme)
    form = ProposeForm(request.POST or None, request.FILES or None)
    status = 200
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action in ("verify", "reject"):
                entry = get_object_or_404(
                    restrict(Entry.objects.filter(scheme=scheme), request.user, "view"),
                    pk=request.POST.get("entry"),
                )
                if action == "verify":
                    services.verify_entry(actor=request.user, entry=entry)
                else:
                    reason = ReasonForm(request.POST)
                    services.reject_entry(
                        actor=request.user,
                        entry=entry,
                        reason=reason.data.get("reason", ""),
                    )
                return redirect("points:queue", pk=scheme.pk)
            if action == "publish":
                notice = services.publish_notice(actor=request.user, scheme=scheme)
                messages.success(request, _("Notice %(n)d is published.") % {"n": notice.number})
                return redirect("points:queue", pk=scheme.pk)
            if form.is_valid():
                data = form.cleaned_data
                household = get_object_or_404(
                    selectors.scheme_households(scheme), number=data["household"]
                )
                services.propose_entry(
                    actor=request.user,
                    scheme=scheme,
                    household=household,
                    item_code=data["item"],
                    occurred_on=data["occurred_on"],
                    note=data["note"],
                    evidence=data.get("evidence"),
                    evidence_note=data["evidence_note"],
                )
                messages.success(request, _("The entry is proposed."))
                return redirect("points:queue", pk=scheme.pk)
        except DomainError as exc:
            messages.error(request, str(exc))
            if action in ("verify", "reject", "publish"):
                return redirect("points:queue", pk=scheme.pk)
            form.add_error(None, str(exc))
            status = exc.status_code
    waiting = list(
        restrict(Entry.objects.filter(scheme=scheme), request.user, "view")
        .filter(state__in=(EntryState.PROPOSED, EntryState.REVIEW, EntryState.VERIFIED))
        .select_related("household", "item", "proposed_by", "verified_by")
        .order_by("state", "occurred_on", "pk")[:QUEUE_ROWS]
    )
    return render(
        request,
        "points/queue.html",
        {"scheme": scheme, "entries": waiting, "form": form, "can": rights},
        status=status,
    )


@login_required
@require_http_methods(["GET", "POST"])
def household_card(request, pk, household):
    """A household's points card for the clerk: balance, entries, appeals, redemptions."""
    scheme = _scheme(request, pk)
    household = get_object_or_404(
        restrict(selectors.scheme_households(scheme), request.user, "view"), pk=household
    )
    rights = selectors.scheme_rights(request.user, scheme)
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "appeal":
                form = AppealForm(request.POST)
                if form.is_valid():
                    entry = get_object_or_404(
                        Entry.objects.filter(scheme=scheme, household=household),
                        pk=form.cleaned_data["entry"],
                    )
                    services.file_appeal(
                        actor=request.user, entry=entry, reason=form.cleaned_data["reason"]
                    )
            elif action == "decide":
                form = DecideForm(request.POST)
                if form.is_valid():
                    appeal = get_object_or_404(
                        Appeal.objects.filter(entry__household=household, entry__scheme=scheme),
                        pk=form.cleaned_data["appeal"],
                    )
                    services.decide_appeal(
                        actor=request.user,
                        appeal=appeal,
                        outcome=form.cleaned_data["outcome"],
                        reason=form.cleaned_data["reason"],
                    )
            elif action == "redeem":
                form = RedeemForm(request.POST)
                if form.is_valid():
                    item = get_object_or_404(
                        StoreItem.objects.filter(scheme=scheme), pk=form.cleaned_data["item"]
                    )
                    services.redeem(
                        actor=request.user,
                        household=household,
                        item=item,
                        quantity=form.cleaned_data["quantity"],
                    )
            elif action == "reverse":
                entry = get_object_or_404(
                    Entry.objects.filter(scheme=scheme, household=household),
                    pk=request.POST.get("entry"),
                )
                services.reverse_entry(
                    actor=request.user, entry=entry, reason=request.POST.get("reason", "")
                )
        except DomainError as exc:
            messages.error(request, str(exc))
        return redirect("points:household_card", pk=scheme.pk, household=household.pk)
    entries = list(
        Entry.objects.filter(scheme=scheme, household=household)
        .select_related("item", "notice")
        .prefetch_related("appeals")
        .order_by("-occurred_on", "-pk")
    )
    return render(
        request,
        "points/household_card.html",
        {
            "scheme": scheme,
            "household": household,
            "head": selectors.label_households([household.pk]).get(household.pk, ""),
            "balance": selectors.household_balance(scheme, household),
            "entries": entries,
            "redemptions": list(
                Redemption.objects.filter(scheme=scheme, household=household).select_related("item")
            ),
            "store": list(scheme.store_items.filter(stock__gt=0)),
            "can": rights,
            "open": AppealOutcome.OPEN,
        },
    )


@login_required
def balances(request, pk):
    scheme = _scheme(request, pk)
    rows = selectors.balances(scheme)
    heads = selectors.label_households([b.household_id for b in rows])
    return render(
        request,
        "points/balances.html",
        {"scheme": scheme, "rows": [(b, heads.get(b.household_id, "")) for b in rows]},
    )


@login_required
def store(request, pk):
    scheme = _scheme(request, pk)
    today = timezone.localdate()
    return render(
        request,
        "points/store.html",
        {
            "scheme": scheme,
            "items": list(scheme.store_items.all()),
            "recent": list(
                Redemption.objects.filter(scheme=scheme)
                .select_related("item", "household")
                .order_by("-redeemed_on", "-pk")[:50]
            ),
            "cost": selectors.store_cost(scheme, today.replace(month=1, day=1), today),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def entry_import(request, pk):
    scheme = _scheme(request, pk)
    if not selectors.may_propose(request.user, scheme):
        raise Http404
    form = ImportForm(request.POST or None, request.FILES or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            job = jobs.start_import_job(
                form.cleaned_data["file"],
                actor=request.user,
                task=IMPORT_TASK,
                page="points:scheme_list",
                params={"scheme": scheme.pk},
            )
        except (Conflict, Unavailable) as exc:
            form.add_error(None, str(exc))
            status = exc.status_code
        else:
            return redirect("registry:import_job", pk=job.pk)
    return render(request, "points/import.html", {"scheme": scheme, "form": form}, status=status)


@login_required
def template(request):
    response = HttpResponse(
        sheets.template(),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = 'attachment; filename="points-template.xlsx"'
    return response


# --- public pages -------------------------------------------------------------------------


@public_page
def public_notice(request, code):
    notice = get_object_or_404(PointsNotice.objects.select_related("scheme"), code=code)
    return render(
        request,
        "points/public_notice.html",
        {
            "notice": notice,
            "payload": notice.payload,
            "open": timezone.localdate() <= notice.ends_on,
            "form": PublicAppealForm(),
        },
    )


@require_POST
def public_appeal(request, code):
    """The public appeal form: the notice's code and the household's number identify the
    entry; the form files the appeal as the system (the change log names the public form)."""
    notice = get_object_or_404(PointsNotice, code=code)
    form = PublicAppealForm(request.POST)
    error = None
    if form.is_valid():
        entry = Entry.objects.filter(notice=notice, pk=form.cleaned_data["entry"]).first()
        if entry is None:
            error = _("This entry is not in the notice with that code.")
        else:
            try:
                with change_context(user=SYSTEM, source="web", path=request.path):
                    services.file_appeal(
                        actor=SYSTEM,
                        entry=entry,
                        reason=form.cleaned_data["reason"],
                        notice_code=code,
                        household_number=form.cleaned_data["household"],
                    )
            except DomainError as exc:
                error = str(exc)
    else:
        error = _("Fill in the entry number, the household number and the reason.")
    return render(
        request,
        "points/public_appeal_done.html",
        {"notice": notice, "error": error},
        status=400 if error else 200,
    )


@public_page
def public_ranking(request, pk):
    scheme = get_object_or_404(Scheme.objects.select_related("village"), pk=pk)
    return render(
        request,
        "points/public_ranking.html",
        {
            "scheme": scheme,
            "rows": selectors.ranking(scheme, timezone.localdate(), limit=100),
            "notices": list(scheme.notices.order_by("-published_on")[:10]),
        },
    )
