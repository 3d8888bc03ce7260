"""The alliances pages: alliance list and page, meeting page (with the minutes' sign-off),
duty board, duty page (progress, evidence, verification).

Views are thin: they fetch, call one service, and redirect or render. The services decide
who may do what; a refusal for lack of rights answers 403 and changes nothing, any other
refusal is shown on the page. List pages run a fixed number of queries (the duty board is
paged).
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count, Prefetch, Q
from django.http import FileResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from accounts.permissions import may_write
from alliances import services
from alliances.choices import CLOSED_DUTY_STATUSES, PRESENT_STATUSES, DutyStatus
from alliances.forms import DutyFilterForm, DutyUpdateForm, EvidenceForm
from alliances.models import (
    Alliance,
    Attendance,
    Consortium,
    Decision,
    Duty,
    DutyEvidence,
    Meeting,
    Membership,
    Minutes,
    Vote,
)
from alliances.models.duties import overdue_q
from alliances.selectors import projects_by_status
from lib import voting

__all__ = [
    "alliance_detail",
    "alliance_list",
    "duty_board",
    "duty_detail",
    "duty_evidence",
    "duty_update",
    "duty_verify",
    "evidence_download",
    "meeting_detail",
    "minutes_sign_off",
]

DUTIES_PER_PAGE = 50
MEETINGS_ON_ALLIANCE_PAGE = 6
DUTIES_ON_ALLIANCE_PAGE = 12


def _member_name(row) -> str:
    if row.village_id is not None:
        return row.village.short_name or row.village.name
    return row.organisation.name


@login_required
@require_safe
def alliance_list(request):
    today = timezone.localdate()
    alliances = Alliance.objects.annotate(
        member_count=Count(
            "memberships",
            filter=Q(memberships__joined_on__lte=today)
            & (Q(memberships__left_on__isnull=True) | Q(memberships__left_on__gte=today)),
            distinct=True,
        ),
        meeting_count=Count("meetings", distinct=True),
        open_duty_count=Count(
            "duties", filter=~Q(duties__status__in=CLOSED_DUTY_STATUSES), distinct=True
        ),
    ).order_by("name")
    return render(request, "alliances/alliance_list.html", {"alliances": alliances})


@login_required
@require_safe
def alliance_detail(request, pk: int):
    alliance = get_object_or_404(Alliance.objects.select_related("region"), pk=pk)
    today = timezone.localdate()
    now = timezone.now()
    members = list(
        Membership.objects.filter(alliance=alliance)
        .members_on(today)
        .select_related("village", "organisation")
        .order_by("role", "village_id", "organisation_id")
    )
    meetings = Meeting.objects.filter(alliance=alliance).select_related("consortium")
    upcoming = list(
        meetings.filter(starts_at__gte=now).order_by("starts_at")[:MEETINGS_ON_ALLIANCE_PAGE]
    )
    recent = list(
        meetings.filter(starts_at__lt=now).order_by("-starts_at")[:MEETINGS_ON_ALLIANCE_PAGE]
    )
    duties = Duty.objects.filter(alliance=alliance)
    counts = duties.aggregate(
        open=Count("pk", filter=~Q(status__in=CLOSED_DUTY_STATUSES)),
        overdue=Count("pk", filter=overdue_q(today)),
        done=Count("pk", filter=Q(status__in=CLOSED_DUTY_STATUSES)),
    )
    open_duties = list(
        duties.open()
        .with_overdue(today)
        .select_related("owner_village", "owner_organisation")
        .order_by("due_on", "pk")[:DUTIES_ON_ALLIANCE_PAGE]
    )
    consortia = list(
        Consortium.objects.filter(alliance=alliance)
        .select_related("type")
        .annotate(member_count=Count("memberships"))
        .order_by("name")
    )
    context = {
        "alliance": alliance,
        "mechanisms": list(alliance.mechanisms.order_by("order", "pk")),
        "members": members,
        "upcoming": upcoming,
        "recent": recent,
        "open_duties": open_duties,
        "duty_counts": counts,
        "consortia": consortia,
        "projects": projects_by_status(alliance),
        "section": "alliances",
    }
    return render(request, "alliances/alliance_detail.html", context)


def _owner_choices(alliance) -> list[tuple[str, str]]:
    """Owners to filter by: the alliance's member villages (ever) and owning organisations."""
    rows = (
        Membership.objects.filter(alliance=alliance)
        .select_related("village", "organisation")
        .order_by("village_id", "organisation_id")
    )
    seen, choices = set(), []
    for row in rows:
        key = f"v{row.village_id}" if row.village_id else f"o{row.organisation_id}"
        if key not in seen:
            seen.add(key)
            choices.append((key, _member_name(row)))
    return choices


@login_required
@require_safe
def duty_board(request, pk: int):
    alliance = get_object_or_404(Alliance, pk=pk)
    today = timezone.localdate()
    form = DutyFilterForm(request.GET or None, owners=_owner_choices(alliance))
    duties = (
        Duty.objects.filter(alliance=alliance)
        .with_overdue(today)
        .select_related("owner_village", "owner_organisation", "owner_user", "decision__meeting")
        .order_by("due_on", "pk")
    )
    if form.is_valid():
        owner = form.cleaned_data["owner"]
        if owner.startswith("v"):
            duties = duties.filter(owner_village_id=owner[1:])
        elif owner.startswith("o"):
            duties = duties.filter(owner_organisation_id=owner[1:])
        status = form.cleaned_data["status"]
        if status == "open":
            duties = duties.open()
        elif status:
            duties = duties.filter(status=status)
        if form.cleaned_data["overdue"]:
            duties = duties.overdue(today)
    page = Paginator(duties, DUTIES_PER_PAGE).get_page(request.GET.get("page"))
    context = {
        "alliance": alliance,
        "form": form,
        "page": page,
        "today": today,
        "section": "alliances",
    }
    return render(request, "alliances/duty_board.html", context)


def _meeting(pk: int) -> Meeting:
    return get_object_or_404(
        Meeting.objects.select_related("alliance", "consortium", "series"), pk=pk
    )


@login_required
@require_safe
def meeting_detail(request, pk: int):
    meeting = _meeting(pk)
    minutes = (
        Minutes.objects.filter(meeting=meeting).select_related("author", "signed_off_by").first()
    )
    group = (
        {"consortium": meeting.consortium}
        if meeting.consortium_id
        else {"alliance": meeting.alliance}
    )
    members = list(
        Membership.objects.filter(**group)
        .members_on(meeting.day)
        .select_related("village", "organisation")
        .order_by("role", "village_id", "organisation_id")
    )
    attendance = {
        (a.village_id, a.organisation_id): a for a in Attendance.objects.filter(meeting=meeting)
    }
    roll = []
    present = 0
    for membership in members:
        row = attendance.get((membership.village_id, membership.organisation_id))
        is_present = row is not None and row.status in PRESENT_STATUSES
        present += is_present
        roll.append({"name": _member_name(membership), "row": row, "present": is_present})
    needed = voting.quorum_needed(meeting.quorum_rule, len(members))
    decisions = list(
        Decision.objects.filter(meeting=meeting)
        .select_related("agenda_item")
        .prefetch_related(
            Prefetch("votes", queryset=Vote.objects.select_related("village", "organisation")),
            Prefetch(
                "duties",
                queryset=Duty.objects.select_related("owner_village", "owner_organisation"),
            ),
        )
    )
    for decision in decisions:
        votes = list(decision.votes.all())
        if decision.is_closed:
            decision.counted = services.tally(decision)
        else:
            decision.counted = voting.Tally(
                sum(v.choice == "for" for v in votes),
                sum(v.choice == "against" for v in votes),
                sum(v.choice == "abstain" for v in votes),
            )
        decision.needed = voting.votes_needed(
            decision.rule,
            decision.present_count if decision.is_closed else present,
            decision.member_count if decision.is_closed else len(members),
            decision.counted.against,
        )
    can_sign = (
        minutes is not None
        and not minutes.is_signed_off
        and may_write(request.user, Minutes)
        and minutes.author_id != request.user.pk
    )
    context = {
        "meeting": meeting,
        "agenda": list(meeting.agenda_items.order_by("order", "pk")),
        "roll": roll,
        "quorum": {
            "members": len(members),
            "present": present,
            "needed": needed,
            "met": present >= needed,
        },
        "minutes": minutes,
        "can_sign": can_sign,
        "decisions": decisions,
        "section": "alliances",
    }
    return render(request, "alliances/meeting_detail.html", context)


@login_required
@require_POST
def minutes_sign_off(request, pk: int):
    meeting = _meeting(pk)
    minutes = get_object_or_404(Minutes, meeting=meeting)
    try:
        services.sign_off_minutes(minutes, request.user)
    except services.NotAllowed as exc:
        if not may_write(request.user, Minutes):
            raise PermissionDenied(str(exc)) from None
        messages.error(request, str(exc))
    except services.AllianceError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("The minutes are signed off and can no longer be changed."))
    return redirect("alliances:meeting_detail", pk=meeting.pk)


def _duty(pk: int) -> Duty:
    return get_object_or_404(
        Duty.objects.with_overdue().select_related(
            "alliance",
            "owner_village",
            "owner_organisation",
            "owner_user",
            "verified_by",
            "decision__meeting",
        ),
        pk=pk,
    )


def _may_report(user, duty: Duty) -> bool:
    return may_write(user, Duty, village=duty.owner_village, organisation=duty.owner_organisation)


def _render_duty(request, duty: Duty, update_form=None, evidence_form=None, status=200):
    may_report = _may_report(request.user, duty) and duty.status != DutyStatus.VERIFIED
    if update_form is None:
        update_form = DutyUpdateForm(initial={"status": duty.status, "percent": duty.percent})
    context = {
        "duty": duty,
        "updates": list(duty.updates.select_related("author").order_by("-pk")),
        "evidence": list(duty.evidence.select_related("uploaded_by").order_by("-pk")),
        "may_report": may_report,
        "may_verify": duty.status == DutyStatus.DONE and may_write(request.user, Decision),
        "update_form": update_form,
        "evidence_form": evidence_form or EvidenceForm(),
        "section": "alliances",
    }
    return render(request, "alliances/duty_detail.html", context, status=status)


@login_required
@require_safe
def duty_detail(request, pk: int):
    return _render_duty(request, _duty(pk))


@login_required
@require_POST
def duty_update(request, pk: int):
    duty = _duty(pk)
    if not _may_report(request.user, duty):
        raise PermissionDenied(_("You may report progress only on your own village's duties."))
    form = DutyUpdateForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.add_duty_update(
                duty, data["status"], data["percent"], data["note"], request.user, on=data["on"]
            )
        except services.AllianceError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("Progress recorded."))
            return redirect("alliances:duty_detail", pk=duty.pk)
    return _render_duty(request, duty, update_form=form, status=400)


@login_required
@require_POST
def duty_evidence(request, pk: int):
    duty = _duty(pk)
    if not _may_report(request.user, duty):
        raise PermissionDenied(_("You may add evidence only to your own village's duties."))
    form = EvidenceForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            services.add_evidence(
                duty, form.cleaned_data["file"], form.cleaned_data["title"], request.user
            )
        except services.AllianceError as exc:
            form.add_error("file", str(exc))
        else:
            messages.success(request, _("Evidence attached."))
            return redirect("alliances:duty_detail", pk=duty.pk)
    return _render_duty(request, duty, evidence_form=form, status=400)


@login_required
@require_POST
def duty_verify(request, pk: int):
    duty = _duty(pk)
    if not may_write(request.user, Decision):
        raise PermissionDenied(_("Only a city administrator verifies duties."))
    try:
        services.verify_duty(duty, request.user, request.POST.get("note", ""))
    except (services.AllianceError, services.NotAllowed) as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("The duty is verified."))
    return redirect("alliances:duty_detail", pk=duty.pk)


@login_required
@require_safe
def evidence_download(request, pk: int):
    evidence = get_object_or_404(DutyEvidence.objects.restrict(request.user, "view"), pk=pk)
    name = evidence.file.name.rsplit("/", 1)[-1]
    return FileResponse(evidence.file.open("rb"), as_attachment=True, filename=name)
