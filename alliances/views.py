"""The alliances pages: alliance list and page, meeting page (with the minutes' sign-off),
duty board, duty page (progress, evidence, verification).

Views are thin: they fetch, call one service (acting as the signed-in user), and redirect
or render. The services decide who may do what; a refusal for lack of rights answers 403 and
changes nothing, any other refusal is shown on the page with the status its class names
(409 for a frozen record or a refused vote, else 400). Quorum and tally are the selectors'
(`alliances.selectors`), the frozen-minutes rule is `meeting_frozen`. List pages run a fixed
number of queries (the duty board is paged).
"""

from __future__ import annotations

from dataclasses import asdict

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count, OuterRef, Prefetch, Q, Subquery
from django.db.models.functions import Coalesce
from django.http import FileResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from alliances import selectors, services
from alliances.choices import CLOSED_DUTY_STATUSES, PRESENT_STATUSES, DecisionResult, DutyStatus
from alliances.forms import (
    AgendaItemForm,
    AttendanceForm,
    DecisionForm,
    DutyFilterForm,
    DutyUpdateForm,
    EvidenceForm,
    MeetingForm,
    MinutesForm,
    SeriesForm,
    VoteGridForm,
    duty_formset,
)
from alliances.models import (
    AgendaItem,
    Alliance,
    Attendance,
    Consortium,
    Decision,
    Duty,
    DutyEvidence,
    Meeting,
    MeetingSeries,
    Membership,
    Minutes,
    Vote,
)
from alliances.models.duties import overdue_q
from alliances.models.meetings import meeting_frozen
from core.errors import DomainError, NotAllowed
from core.exports import wants_xlsx, xlsx_response, xlsx_url
from core.scope import may_write
from projects.selectors import projects_by_status

__all__ = [
    "agenda_add",
    "alliance_detail",
    "alliance_list",
    "attendance_record",
    "decision_add",
    "decision_close",
    "decision_duties",
    "duty_board",
    "duty_detail",
    "duty_evidence",
    "duty_update",
    "duty_verify",
    "evidence_download",
    "meeting_create",
    "meeting_detail",
    "minutes_sign_off",
    "minutes_write",
    "series_create",
    "votes_record",
]

DUTIES_PER_PAGE = 50
MEETINGS_ON_ALLIANCE_PAGE = 6
DUTIES_ON_ALLIANCE_PAGE = 12


def _member_name(row) -> str:
    if row.village_id is not None:
        return row.village.short_name or row.village.name
    return row.organisation.name


def _count_of(rows, group: str):
    """How many of `rows` (correlated with OuterRef), as a scalar subquery (0 if none)."""
    counted = rows.order_by().values(group).annotate(n=Count("pk")).values("n")
    return Coalesce(Subquery(counted[:1]), 0)


@login_required
@require_safe
def alliance_list(request):
    today = timezone.localdate()
    # One subquery per count: counting over three joins would multiply the rows
    # (members × meetings × duties) before DISTINCT, seconds for one active alliance.
    alliances = Alliance.objects.annotate(
        member_count=_count_of(
            Membership.objects.filter(alliance=OuterRef("pk")).members_on(today), "alliance"
        ),
        meeting_count=_count_of(Meeting.objects.filter(alliance=OuterRef("pk")), "alliance"),
        open_duty_count=_count_of(
            Duty.objects.filter(alliance=OuterRef("pk")).exclude(status__in=CLOSED_DUTY_STATUSES),
            "alliance",
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
        # Current members only (those who have left are not counted), as on the roll.
        .annotate(
            member_count=_count_of(
                Membership.objects.filter(consortium=OuterRef("pk")).members_on(today), "consortium"
            )
        )
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
        "may_run_meetings": may_write(request.user, Meeting),
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
    if wants_xlsx(request):
        return _duty_xlsx(alliance, duties)
    page = Paginator(duties, DUTIES_PER_PAGE).get_page(request.GET.get("page"))
    context = {
        "alliance": alliance,
        "form": form,
        "page": page,
        "xlsx_url": xlsx_url(request),
        "today": today,
        "section": "alliances",
    }
    return render(request, "alliances/duty_board.html", context)


def _duty_xlsx(alliance, duties):
    """The filtered board (every page) as Excel, with the board's columns."""
    headers = [
        _("Duty"),
        _("Owner"),
        _("Responsible person"),
        _("Due on"),
        _("Status"),
        _("Overdue"),
        _("Progress (%)"),
        _("Decided at"),
    ]
    rows = (
        [
            duty.title,
            duty.owner_label,
            duty.person,
            duty.due_on,
            duty.get_status_display(),
            _("yes") if duty.overdue else "",
            duty.percent,
            duty.decision.meeting.starts_at if duty.decision else None,
        ]
        for duty in duties
    )
    return xlsx_response(f"责任清单_{alliance.pk}", headers, rows, sheet=_("Duties"))


def _meeting(pk: int) -> Meeting:
    return get_object_or_404(
        Meeting.objects.select_related("alliance", "consortium", "series"), pk=pk
    )


def _member_key(village_id, organisation_id) -> str:
    return f"v{village_id}" if village_id is not None else f"o{organisation_id}"


def _roll(meeting: Meeting) -> list[dict]:
    """The members on the meeting day with their attendance (two queries)."""
    group = (
        {"consortium": meeting.consortium}
        if meeting.consortium_id
        else {"alliance": meeting.alliance}
    )
    members = (
        Membership.objects.filter(**group)
        .members_on(meeting.day)
        .select_related("village", "organisation")
        .order_by("role", "village_id", "organisation_id")
    )
    attendance = {
        (a.village_id, a.organisation_id): a for a in Attendance.objects.filter(meeting=meeting)
    }
    roll = []
    for membership in members:
        row = attendance.get((membership.village_id, membership.organisation_id))
        roll.append(
            {
                "key": _member_key(membership.village_id, membership.organisation_id),
                "member_key": selectors.member_key(
                    membership.village_id, membership.organisation_id
                ),
                "name": _member_name(membership),
                "member": membership.member,
                "row": row,
                "present": row is not None and row.status in PRESENT_STATUSES,
            }
        )
    return roll


def _voters(user, roll: list[dict], votes) -> list[dict]:
    """The members present, each with their vote (if cast) and whether `user` may cast it."""
    cast = {_member_key(v.village_id, v.organisation_id): v for v in votes}
    return [
        {
            **entry,
            "vote": cast.get(entry["key"]),
            "may_vote": entry["key"] not in cast
            and may_write(
                user,
                Vote,
                village=entry["member"] if entry["key"][0] == "v" else None,
                organisation=entry["member"] if entry["key"][0] == "o" else None,
            ),
        }
        for entry in roll
        if entry["present"]
    ]


def _meeting_context(request, meeting: Meeting, bound: dict | None = None) -> dict:
    """Everything the meeting page shows, with its forms (bound ones replace blank ones).

    A fixed number of queries whatever the size of the meeting: form choices come from the
    rows read here, permissions from the user's cached grants.
    """
    bound = bound or {}
    user = request.user
    minutes = (
        Minutes.objects.filter(meeting=meeting)
        .select_related("author", "amended_by", "signed_off_by")
        .first()
    )
    frozen = meeting_frozen(meeting, minutes)
    roll = _roll(meeting)
    # The selectors' quorum, from the roll read here (no query of its own).
    quorum = selectors.quorum(
        meeting,
        members={entry["member_key"] for entry in roll},
        attendance=[entry["row"] for entry in roll if entry["row"] is not None],
    )
    agenda = list(meeting.agenda_items.order_by("order", "pk"))
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
    may_run = may_write(user, Meeting)
    may_manage_duties = may_write(user, Decision)
    owners = {entry["key"]: entry for entry in roll}
    for decision in decisions:
        votes = list(decision.votes.all())
        decision.counted = selectors.tally(decision, votes)
        decision.needed = selectors.votes_needed(decision, quorum, decision.counted)
        decision.vote_form = decision.duty_forms = None
        decision.may_close = may_run and not frozen and not decision.is_closed
        if not decision.is_closed and not frozen:
            voters = _voters(user, roll, votes)
            if any(v["may_vote"] for v in voters):
                decision.vote_form = bound.get(("votes", decision.pk)) or VoteGridForm(
                    voters=voters
                )
        if decision.result == DecisionResult.PASSED and may_manage_duties:
            decision.duty_forms = bound.get(("duties", decision.pk)) or duty_formset(
                decision, owners
            )
    editable = may_run and not frozen
    forms_ = {}
    if editable:
        forms_["agenda_form"] = bound.get("agenda") or AgendaItemForm()
        forms_["attendance_form"] = bound.get("attendance") or AttendanceForm(roll=roll)
        forms_["decision_form"] = bound.get("decision") or DecisionForm(agenda=agenda)
    if not frozen and may_write(user, Minutes):
        forms_["minutes_form"] = bound.get("minutes") or MinutesForm(
            initial={"text": minutes.text if minutes else ""}
        )
    can_sign = (
        minutes is not None
        and not frozen
        and may_write(user, Minutes)
        and user.pk not in (minutes.author_id, minutes.amended_by_id)
    )
    return {
        "meeting": meeting,
        "agenda": agenda,
        "roll": roll,
        "quorum": asdict(quorum),
        "minutes": minutes,
        "frozen": frozen,
        "can_sign": can_sign,
        "decisions": decisions,
        "section": "alliances",
        **forms_,
    }


def _render_meeting(request, meeting: Meeting, bound: dict | None = None, status: int = 200):
    context = _meeting_context(request, meeting, bound)
    return render(request, "alliances/meeting_detail.html", context, status=status)


@login_required
@require_safe
def meeting_detail(request, pk: int):
    return _render_meeting(request, _meeting(pk))


def _attempt(request, function, *args, **kwargs):
    """Call a service as the signed-in user; returns (result, None) or (None, HTTP status)
    with the refusal shown on the page.

    Lack of rights answers 403; any other refusal the status its class names (a frozen
    record or a refused vote 409, another broken rule 400). The service changed nothing in
    every refusal.
    """
    try:
        return function(*args, actor=request.user, **kwargs), None
    except NotAllowed as exc:
        raise PermissionDenied(str(exc)) from None
    except DomainError as exc:
        messages.error(request, str(exc))
        return None, exc.status_code


def _require_write(user, model) -> None:
    # The services' own check, made before reading the form so that a refused user gets 403.
    if not may_write(user, model):
        raise PermissionDenied(
            _("Only the alliance secretariat (a city administrator) may do this.")
        )


def _back_to(meeting: Meeting, anchor: str):
    return redirect(reverse("alliances:meeting_detail", args=[meeting.pk]) + f"#{anchor}")


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def meeting_create(request, pk: int):
    alliance = get_object_or_404(Alliance, pk=pk)
    _require_write(request.user, Meeting)
    consortia = list(Consortium.objects.filter(alliance=alliance).order_by("name"))
    form = MeetingForm(request.POST or None, consortia=consortia)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            data = form.cleaned_data
            consortium = next((c for c in consortia if str(c.pk) == data["consortium"]), None)
            meeting, status = _attempt(
                request,
                services.create_meeting,
                alliance,
                data["kind"],
                data["title"],
                data["starts_at"],
                location=data["location"],
                consortium=consortium,
                quorum_rule=data["quorum_rule"],
            )
            if meeting is not None:
                messages.success(request, _("The meeting is called."))
                return redirect("alliances:meeting_detail", pk=meeting.pk)
    context = {"alliance": alliance, "form": form, "mode": "meeting", "section": "alliances"}
    return render(request, "alliances/meeting_form.html", context, status=status)


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def series_create(request, pk: int):
    alliance = get_object_or_404(Alliance, pk=pk)
    _require_write(request.user, MeetingSeries)
    form = SeriesForm(request.POST or None)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            data = form.cleaned_data
            created, status = _attempt(
                request,
                services.create_series,
                alliance,
                data["kind"],
                data["title"],
                data["first_on"],
                data["every_months"],
                data["until"],
                start_time=data["start_time"],
                location=data["location"],
                quorum_rule=data["quorum_rule"],
            )
            if created is not None:
                _series, meetings = created
                messages.success(
                    request,
                    ngettext(
                        "The series is scheduled: %(count)d meeting.",
                        "The series is scheduled: %(count)d meetings.",
                        len(meetings),
                    )
                    % {"count": len(meetings)},
                )
                return redirect("alliances:alliance_detail", pk=alliance.pk)
    context = {"alliance": alliance, "form": form, "mode": "series", "section": "alliances"}
    return render(request, "alliances/meeting_form.html", context, status=status)


@login_required
@require_POST
def agenda_add(request, pk: int):
    meeting = _meeting(pk)
    _require_write(request.user, AgendaItem)
    form = AgendaItemForm(request.POST)
    status = 400
    if form.is_valid():
        data = form.cleaned_data
        item, status = _attempt(
            request,
            services.add_agenda_item,
            meeting,
            data["title"],
            description=data["description"],
        )
        if item is not None:
            messages.success(request, _("Agenda item added."))
            return _back_to(meeting, "agenda")
    return _render_meeting(request, meeting, {"agenda": form}, status)


@login_required
@require_POST
def attendance_record(request, pk: int):
    meeting = _meeting(pk)
    _require_write(request.user, Attendance)
    form = AttendanceForm(request.POST, roll=_roll(meeting))
    status = 400
    if form.is_valid():
        rows, status = _attempt(request, services.record_attendances, meeting, form.entries())
        if rows is not None:
            messages.success(request, _("Attendance saved."))
            return _back_to(meeting, "attendance")
    return _render_meeting(request, meeting, {"attendance": form}, status)


@login_required
@require_POST
def minutes_write(request, pk: int):
    meeting = _meeting(pk)
    _require_write(request.user, Minutes)
    form = MinutesForm(request.POST)
    status = 400
    if form.is_valid():
        minutes, status = _attempt(
            request, services.write_minutes, meeting, form.cleaned_data["text"]
        )
        if minutes is not None:
            messages.success(request, _("Minutes saved."))
            return _back_to(meeting, "minutes")
    return _render_meeting(request, meeting, {"minutes": form}, status)


@login_required
@require_POST
def decision_add(request, pk: int):
    meeting = _meeting(pk)
    _require_write(request.user, Decision)
    form = DecisionForm(request.POST, agenda=meeting.agenda_items.all())
    status = 400
    if form.is_valid():
        data = form.cleaned_data
        decision, status = _attempt(
            request,
            services.add_decision,
            meeting,
            data["text"],
            data["rule"],
            data["agenda_item"],
        )
        if decision is not None:
            messages.success(request, _("Decision added; it is open for votes."))
            return _back_to(meeting, f"decision-{decision.pk}")
    return _render_meeting(request, meeting, {"decision": form}, status)


def _decision(pk: int) -> Decision:
    return get_object_or_404(
        Decision.objects.select_related(
            "meeting__alliance", "meeting__consortium", "meeting__series"
        ),
        pk=pk,
    )


@login_required
@require_POST
def votes_record(request, pk: int):
    decision = _decision(pk)
    meeting = decision.meeting
    voters = _voters(request.user, _roll(meeting), decision.votes.all())
    form = VoteGridForm(request.POST, voters=voters)
    status = 400
    if form.is_valid():
        votes, status = _attempt(request, services.cast_votes, decision, form.votes())
        if votes is not None:
            messages.success(request, _("Votes recorded."))
            return _back_to(meeting, f"decision-{decision.pk}")
    return _render_meeting(request, meeting, {("votes", decision.pk): form}, status)


@login_required
@require_POST
def decision_close(request, pk: int):
    decision = _decision(pk)
    _require_write(request.user, Decision)
    closed, status = _attempt(request, services.close_decision, decision)
    if closed is not None:
        messages.success(
            request,
            _("Voting is closed: %(result)s.") % {"result": closed.get_result_display()},
        )
        return _back_to(decision.meeting, f"decision-{decision.pk}")
    return _render_meeting(request, decision.meeting, status=status)


@login_required
@require_POST
def decision_duties(request, pk: int):
    decision = _decision(pk)
    _require_write(request.user, Decision)
    meeting = decision.meeting
    owners = {entry["key"]: entry for entry in _roll(meeting)}
    formset = duty_formset(decision, owners, request.POST)
    status = 400
    if formset.is_valid():
        items = [
            {
                "title": row["title"],
                "owner": row["owner"],
                "owner_name": row["owner_name"],
                "due_on": row["due_on"],
            }
            for row in formset.cleaned_data
            if row
        ]
        duties, status = _attempt(request, services.create_duties_from_decision, decision, items)
        if duties is not None:
            messages.success(
                request,
                ngettext(
                    "%(count)d duty added to the responsibility list.",
                    "%(count)d duties added to the responsibility list.",
                    len(duties),
                )
                % {"count": len(duties)},
            )
            return _back_to(meeting, f"decision-{decision.pk}")
    return _render_meeting(request, meeting, {("duties", decision.pk): formset}, status)


@login_required
@require_POST
def minutes_sign_off(request, pk: int):
    meeting = _meeting(pk)
    minutes = get_object_or_404(Minutes, meeting=meeting)
    try:
        services.sign_off_minutes(minutes, actor=request.user)
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
        # Only the files this user may open: their links are not shown to anyone else.
        "evidence": list(
            duty.evidence.restrict_reads(request.user).select_related("uploaded_by").order_by("-pk")
        ),
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
                duty,
                data["status"],
                data["percent"],
                data["note"],
                actor=request.user,
                on=data["on"],
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
                duty, form.cleaned_data["file"], form.cleaned_data["title"], actor=request.user
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
        services.verify_duty(duty, request.POST.get("note", ""), actor=request.user)
    except (services.AllianceError, services.NotAllowed) as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("The duty is verified."))
    return redirect("alliances:duty_detail", pk=duty.pk)


@login_required
@require_safe
def evidence_download(request, token):
    """An evidence file at its random token, to users whose grants reach the duty's owner
    (`restrict_reads`; else 404)."""
    evidence = get_object_or_404(DutyEvidence.objects.restrict_reads(request.user), token=token)
    name = evidence.file.name.rsplit("/", 1)[-1]
    response = FileResponse(evidence.file.open("rb"), as_attachment=True, filename=name)
    # Scoped content: not for shared caches.
    response["Cache-Control"] = "private, max-age=3600"
    return response
