"""The writes of the villagers' layer. Each takes a keyword-only `actor`, refuses a missing
one before it reads anything, checks scope with `core.scope`, and owns its transaction.

Personal data: ID numbers are checked (GB 11643), sealed, indexed and masked here and only
here (`_seal_person_data`); `reveal` is the one way back to a clear value and logs who, whose,
when and why. No message raised here carries a clear ID number or phone.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.services import log_bulk
from core.actors import as_user, require_actor
from core.db import bulk_insert, is_postgres
from core.errors import Conflict, Invalid, NotAllowed
from core.imports import ImportResult, RowError, read_upload
from core.pii import blind_index, seal, unseal
from core.roles import Role
from core.scope import holds_role, may_write
from grids import sheets
from grids.choices import (
    MATTER_DEADLINE_DAYS,
    MatterLevel,
    MatterStatus,
    Relation,
    RevealField,
    Satisfaction,
    ScreeningStatus,
    StepKind,
    WorkerRole,
)
from grids.models import (
    Evaluation,
    Grid,
    GridWorker,
    Household,
    HouseholdFlag,
    Matter,
    MatterStep,
    MicroGrid,
    PartyLink,
    Person,
    PersonalDataReveal,
    PersonMove,
    ScreeningEntry,
    ScreeningTask,
    Visit,
)
from grids.selectors import may_reveal
from lib import tabular
from lib.idcard import (
    IdNumberError,
    mask_id,
    mask_name,
    mask_phone,
    normalise_id,
    normalise_phone,
    validate_id,
)
from registry.models import Village

__all__ = [
    "add_micro_grid",
    "add_person",
    "appoint_leader",
    "assign_household",
    "assign_member",
    "check_off",
    "create_grid",
    "create_household",
    "create_screening",
    "end_link",
    "evaluate",
    "import_households",
    "link_household",
    "move_person",
    "record_visit",
    "report_matter",
    "reveal",
    "set_flag",
    "step_matter",
]

# A reason for a reveal has at least this many characters (核对, 联系户主).
MIN_REASON = 2


def _require_write(actor, model, village, what: str):
    if not may_write(actor, model, village=village):
        raise NotAllowed(
            _("You may not %(what)s in %(village)s.")
            % {
                "what": what,
                "village": getattr(village, "name", village),
            }
        )


def _side_actor(actor, grid: Grid) -> None:
    """The actor works in one of the grid's villages (either side of a shared grid)."""
    if not any(
        holds_role(actor, Matter.scope_policy.write_roles, village=v)
        for v in (grid.village, grid.partner_village)
        if v is not None
    ):
        raise NotAllowed(_("You do not work in this grid."))


def _sealed(number: str, phone: str) -> dict[str, str]:
    """Sealed values, blind indexes and masks of an already checked ID number and phone
    (blank stays blank)."""
    return {
        "id_sealed": seal(number) if number else "",
        "id_hash": blind_index("id", number) if number else "",
        "id_masked": mask_id(number) if number else "",
        "phone_sealed": seal(phone) if phone else "",
        "phone_hash": blind_index("phone", phone) if phone else "",
        "phone_masked": mask_phone(phone) if phone else "",
    }


def _seal_person_data(target, *, id_number: str = "", phone: str = "") -> None:
    """Check, seal, index and mask an ID number and a phone onto `target` (blank clears)."""
    if id_number:
        try:
            number = validate_id(id_number)
        except IdNumberError as exc:
            raise Invalid(_("The ID number is not valid: %(why)s.") % {"why": exc}) from None
        target.id_sealed = seal(number)
        target.id_hash = blind_index("id", number)
        target.id_masked = mask_id(number)
    if phone:
        try:
            digits = normalise_phone(phone)
        except ValueError as exc:
            raise Invalid(_("The phone number is not valid: %(why)s.") % {"why": exc}) from None
        target.phone_sealed = seal(digits)
        target.phone_hash = blind_index("phone", digits)
        target.phone_masked = mask_phone(digits)


# --- Households and people ------------------------------------------------------------------


@transaction.atomic
def create_household(
    *,
    actor,
    village,
    number: str,
    group_name: str = "",
    micro_grid=None,
    is_illustrative: bool = False,
) -> Household:
    require_actor(actor)
    _require_write(actor, Household, village, _("add households"))
    number = str(number).strip()
    if not number:
        raise Invalid(_("A household needs a number."))
    if Household.objects.filter(village=village, number=number).exists():
        raise Conflict(
            _("Household %(number)s already exists in this village.") % {"number": number}
        )
    household = Household(
        village=village, number=number, group_name=group_name, is_illustrative=is_illustrative
    )
    if micro_grid is not None:
        _check_micro_grid_takes(micro_grid, household)
        household.micro_grid = micro_grid
    household.save()
    return household


def _duplicate_of(id_hash: str, *, exclude_pk=None) -> Person | None:
    qs = Person.objects.filter(id_hash=id_hash).select_related("household__village")
    if exclude_pk is not None:
        qs = qs.exclude(pk=exclude_pk)
    return qs.first()


def _refuse_duplicate(id_hash: str, *, exclude_pk=None) -> None:
    other = _duplicate_of(id_hash, exclude_pk=exclude_pk)
    if other is not None:
        raise Conflict(
            _("This ID number is already registered in household %(number)s of %(village)s.")
            % {"number": other.household.number, "village": other.household.village.name}
        )


@transaction.atomic
def add_person(
    *,
    actor,
    household: Household,
    name: str,
    gender: str,
    birth_year: int,
    relation: str,
    id_number: str = "",
    phone: str = "",
    is_party_member: bool = False,
    is_shareholder: bool = False,
    shares: int = 0,
) -> Person:
    require_actor(actor)
    _require_write(actor, Person, household.village, _("add people"))
    name = str(name).strip()
    if not name:
        raise Invalid(_("A person needs a name."))
    if relation not in Relation.values:
        raise Invalid(_("Unknown relation to the head."))
    if shares and not is_shareholder:
        raise Invalid(_("Only a collective-economy member holds shares."))
    if relation == Relation.HEAD and household.members.filter(relation=Relation.HEAD).exists():
        raise Conflict(_("This household already has a head."))
    person = Person(
        household=household,
        name=name,
        gender=gender,
        birth_year=birth_year,
        relation=relation,
        is_party_member=is_party_member,
        is_shareholder=is_shareholder,
        shares=shares,
    )
    _seal_person_data(person, id_number=id_number, phone=phone)
    if id_number and int(normalise_id(id_number)[6:10]) != int(birth_year):
        raise Invalid(_("The birth year does not match the ID number."))
    if person.id_hash:
        _refuse_duplicate(person.id_hash)
    try:
        with transaction.atomic():
            person.save()
    except IntegrityError:  # a concurrent registration of the same ID number
        _refuse_duplicate(person.id_hash)
        raise
    return person


@transaction.atomic
def move_person(
    *, actor, person: Person, to_household: Household, moved_on: dt.date, reason: str = ""
) -> PersonMove:
    """A person moves to another household; the move is kept (history, never edited)."""
    require_actor(actor)
    person = (
        Person.objects.select_for_update().select_related("household__village").get(pk=person.pk)
    )
    _require_write(actor, Person, person.household.village, _("move people"))
    _require_write(actor, Person, to_household.village, _("move people"))
    if person.household_id == to_household.pk:
        raise Invalid(_("The person already lives in this household."))
    if person.relation == Relation.HEAD:
        raise Conflict(_("Name a new head of the household before the head moves."))
    move = PersonMove.objects.create(
        person=person,
        from_household=person.household,
        to_household=to_household,
        moved_on=moved_on,
        reason=reason,
    )
    person.household = to_household
    person.relation = Relation.OTHER
    person.save(update_fields=["household", "relation"])
    return move


@transaction.atomic
def set_flag(
    *, actor, household: Household, year: int, kind: str, per_capita_income_fen: int | None = None
) -> HouseholdFlag:
    require_actor(actor)
    _require_write(actor, HouseholdFlag, household.village, _("flag households"))
    if per_capita_income_fen is not None and per_capita_income_fen < 0:
        raise Invalid(_("An income cannot be negative."))
    flag, _created = HouseholdFlag.objects.update_or_create(
        household=household,
        year=year,
        kind=kind,
        defaults={"per_capita_income_fen": per_capita_income_fen},
    )
    return flag


@transaction.atomic
def reveal(
    *,
    actor,
    field: str,
    reason: str,
    person: Person | None = None,
    entry: ScreeningEntry | None = None,
) -> str:
    """The clear ID number or phone of one person (or roster line), logged with its reason."""
    require_actor(actor)
    if (person is None) == (entry is None):
        raise Invalid(_("Name one record to reveal."))
    if field not in RevealField.values:
        raise Invalid(_("Unknown field."))
    record = person if person is not None else entry
    village = person.household.village if person is not None else entry.task.grid.village
    if not may_reveal(actor, village):
        raise NotAllowed(_("Only the village's clerk may see personal data in full."))
    reason = str(reason or "").strip()
    if len(reason) < MIN_REASON:
        raise Invalid(
            _("Say why you need to see it (at least %(n)d characters).") % {"n": MIN_REASON}
        )
    sealed = record.id_sealed if field == RevealField.ID_NUMBER else record.phone_sealed
    if not sealed:
        raise Invalid(_("Nothing is recorded in this field."))
    user = as_user(actor)
    if user is None:
        raise NotAllowed(_("A reveal is made by a person, who is logged."))
    PersonalDataReveal.objects.create(
        user=user, village=village, person=person, entry=entry, field=field, reason=reason[:300]
    )
    return unseal(sealed)


# --- Grids ---------------------------------------------------------------------------------


@transaction.atomic
def create_grid(*, actor, village, name: str, partner_village=None) -> Grid:
    require_actor(actor)
    _require_write(actor, Grid, village, _("add grids"))
    name = str(name).strip()
    if not name:
        raise Invalid(_("A grid needs a name."))
    if partner_village is not None:
        if partner_village.pk == village.pk:
            raise Invalid(_("The other side must be another village."))
        if partner_village.pk[:6] == village.pk[:6]:
            raise Invalid(_("A shared grid joins villages of two jurisdictions (counties)."))
    if Grid.objects.filter(village=village, name=name).exists():
        raise Conflict(_("This village already has a grid of that name."))
    return Grid.objects.create(village=village, name=name, partner_village=partner_village)


@transaction.atomic
def add_micro_grid(*, actor, grid: Grid, name: str, side=None) -> MicroGrid:
    """A micro-grid on one side of the grid (the home side unless told)."""
    require_actor(actor)
    side = side or grid.village
    _side_of(grid, side)
    _may_staff(actor, side)
    name = str(name).strip()
    if not name:
        raise Invalid(_("A micro-grid needs a name."))
    if grid.micro_grids.filter(name=name).exists():
        raise Conflict(_("This grid already has a micro-grid of that name."))
    return MicroGrid.objects.create(grid=grid, name=name, side=side)


def _side_of(grid: Grid, side) -> None:
    if side.pk not in grid.side_ids:
        raise Invalid(_("%(village)s is not a side of this grid.") % {"village": side.name})


def _may_staff(actor, side) -> None:
    # Each side names its own people: that side's clerk (or partner of the other side).
    if not holds_role(actor, {Role.VILLAGE_CLERK, Role.PARTNER}, village=side):
        raise NotAllowed(_("Each side names its own grid leader and members."))


@transaction.atomic
def appoint_leader(*, actor, grid: Grid, side, name: str, user=None) -> GridWorker:
    """双网格长: each side names its own grid leader (one per side; a new one replaces)."""
    require_actor(actor)
    _side_of(grid, side)
    _may_staff(actor, side)
    GridWorker.objects.filter(grid=grid, side=side, role=WorkerRole.LEADER).delete()
    return GridWorker.objects.create(
        grid=grid, side=side, role=WorkerRole.LEADER, name=str(name).strip(), user=user
    )


@transaction.atomic
def assign_member(*, actor, micro_grid: MicroGrid, side, name: str, user=None) -> GridWorker:
    require_actor(actor)
    grid = micro_grid.grid
    _side_of(grid, side)
    _may_staff(actor, side)
    if side.pk != micro_grid.side_id:
        raise Invalid(_("A grid member works on a micro-grid of their own side."))
    return GridWorker.objects.create(
        grid=grid,
        micro_grid=micro_grid,
        side=side,
        role=WorkerRole.MEMBER,
        name=str(name).strip(),
        user=user,
    )


def _check_micro_grid_takes(micro_grid: MicroGrid, household: Household) -> None:
    if household.village_id not in micro_grid.grid.side_ids:
        raise Invalid(_("This micro-grid's grid does not cover the household's village."))


@transaction.atomic
def assign_household(*, actor, household: Household, micro_grid: MicroGrid | None) -> Household:
    require_actor(actor)
    _require_write(actor, Household, household.village, _("assign households"))
    if micro_grid is not None:
        _check_micro_grid_takes(micro_grid, household)
    household.micro_grid = micro_grid
    household.save(update_fields=["micro_grid"])
    return household


# --- 党员联户 --------------------------------------------------------------------------------


@transaction.atomic
def link_household(*, actor, member: Person, household: Household, linked_on: dt.date) -> PartyLink:
    require_actor(actor)
    _require_write(actor, PartyLink, household.village, _("link households"))
    if not member.is_party_member:
        raise Invalid(_("Only a party member links households."))
    if member.household.village_id != household.village_id:
        raise Invalid(_("A party member links households of their own village."))
    # Lock the member's links so two clerks cannot both take the last place.
    active = list(
        PartyLink.objects.select_for_update().filter(member=member, ended_on__isnull=True)
    )
    if len(active) >= settings.PARTY_LINK_MAX:
        raise Conflict(
            _("%(name)s already links %(n)d households, the most allowed.")
            % {"name": member.name, "n": len(active)}
        )
    if PartyLink.objects.filter(household=household, ended_on__isnull=True).exists():
        raise Conflict(_("This household is already linked to a party member."))
    return PartyLink.objects.create(member=member, household=household, linked_on=linked_on)


@transaction.atomic
def end_link(*, actor, link: PartyLink, ended_on: dt.date) -> PartyLink:
    require_actor(actor)
    _require_write(actor, PartyLink, link.household.village, _("link households"))
    if link.ended_on is not None:
        raise Conflict(_("This link has already ended."))
    link.ended_on = ended_on
    link.save(update_fields=["ended_on"])
    return link


@transaction.atomic
def record_visit(
    *, actor, link: PartyLink, visited_on: dt.date, kind: str, note: str = ""
) -> Visit:
    require_actor(actor)
    _require_write(actor, Visit, link.household.village, _("record visits"))
    if visited_on > timezone.localdate():
        raise Invalid(_("A visit cannot be in the future."))
    if visited_on < link.linked_on:
        raise Invalid(_("The visit is before the household was linked."))
    return Visit.objects.create(link=link, visited_on=visited_on, kind=kind, note=note)


@transaction.atomic
def evaluate(
    *, actor, link: PartyLink, year: int, kind: str, verdict: str, note: str = ""
) -> Evaluation:
    require_actor(actor)
    _require_write(actor, Evaluation, link.household.village, _("record evaluations"))
    evaluation, _created = Evaluation.objects.update_or_create(
        link=link, year=year, kind=kind, defaults={"verdict": verdict, "note": note}
    )
    return evaluation


# --- Grid matters --------------------------------------------------------------------------

# The loop: which step may follow which status, and the status it leads to.
_NEXT = {
    StepKind.TRANSFER: (
        {MatterStatus.ACCEPTED, MatterStatus.TRANSFERRED},
        MatterStatus.TRANSFERRED,
    ),
    StepKind.HANDLE: ({MatterStatus.ACCEPTED, MatterStatus.TRANSFERRED}, MatterStatus.HANDLED),
    StepKind.FEED_BACK: ({MatterStatus.HANDLED}, MatterStatus.FED_BACK),
    StepKind.EVALUATE: ({MatterStatus.FED_BACK}, MatterStatus.EVALUATED),
}


@transaction.atomic
def report_matter(
    *,
    actor,
    grid: Grid,
    category: str,
    place: str,
    description: str,
    micro_grid: MicroGrid | None = None,
    household: Household | None = None,
    photo=None,
    reported_at: dt.datetime | None = None,
) -> Matter:
    """受理: a grid member reports a matter; its deadline follows from its category."""
    require_actor(actor)
    _side_actor(actor, grid)
    if category not in MATTER_DEADLINE_DAYS:
        raise Invalid(_("Unknown category."))
    if not str(place).strip() or not str(description).strip():
        raise Invalid(_("Say where it is and what happened."))
    if micro_grid is not None and micro_grid.grid_id != grid.pk:
        raise Invalid(_("The micro-grid is not in this grid."))
    if household is not None and household.village_id not in grid.side_ids:
        raise Invalid(_("The household is not in this grid's villages."))
    at = reported_at or timezone.now()
    matter = Matter(
        grid=grid,
        micro_grid=micro_grid,
        category=category,
        place=place,
        description=description,
        household=household,
        reported_by=as_user(actor),
        reported_at=at,
        due_at=at + dt.timedelta(days=MATTER_DEADLINE_DAYS[category]),
    )
    if photo is not None:
        matter.photo = photo
    matter.save()
    MatterStep.objects.create(
        matter=matter, kind=StepKind.ACCEPT, level=MatterLevel.GRID, by=as_user(actor), at=at
    )
    return matter


@transaction.atomic
def step_matter(
    *,
    actor,
    matter: Matter,
    kind: str,
    note: str = "",
    level: str | None = None,
    satisfaction: str = "",
    at: dt.datetime | None = None,
) -> Matter:
    """流转 (to another level: village, township or the other side), 处置, 反馈, 评价."""
    require_actor(actor)
    matter = (
        Matter.objects.select_for_update(of=("self",))
        .select_related("grid__village", "grid__partner_village")
        .get(pk=matter.pk)
    )
    _side_actor(actor, matter.grid)
    if kind not in _NEXT:
        raise Invalid(_("Unknown step."))
    allowed_from, to_status = _NEXT[kind]
    if matter.status not in allowed_from:
        raise Conflict(
            _("A matter that is %(status)s cannot take this step.")
            % {"status": matter.get_status_display()}
        )
    if kind == StepKind.TRANSFER:
        if level not in MatterLevel.values or level == matter.level:
            raise Invalid(_("Transfer the matter to another level."))
        if level == MatterLevel.OTHER_SIDE and not matter.grid.is_shared:
            raise Invalid(_("Only a shared grid has another side."))
        matter.level = level
    if kind == StepKind.EVALUATE and satisfaction not in Satisfaction.values:
        raise Invalid(_("Record how satisfied the reporter is."))
    if kind in (StepKind.TRANSFER, StepKind.HANDLE) and not note.strip():
        raise Invalid(_("Say what was done."))
    at = at or timezone.now()
    if at < matter.reported_at:
        raise Invalid(_("A step cannot come before the report."))
    matter.status = to_status
    if kind == StepKind.HANDLE:
        matter.handled_at = at
    if kind == StepKind.EVALUATE:
        matter.closed_at = at
    matter.save(update_fields=["status", "level", "handled_at", "closed_at"])
    MatterStep.objects.create(
        matter=matter,
        kind=kind,
        level=matter.level,
        by=as_user(actor),
        at=at,
        note=note,
        satisfaction=satisfaction,
    )
    return matter


# --- Joint screening -----------------------------------------------------------------------


@transaction.atomic
def create_screening(
    *, actor, grid: Grid, name: str, held_on: dt.date, roster: list[dict]
) -> ScreeningTask:
    """A screening task over a roster: each line {name, id_number, phone, micro_grid} is
    sealed and placed on a micro-grid of this grid (either side)."""
    require_actor(actor)
    _side_actor(actor, grid)
    if not roster:
        raise Invalid(_("A screening needs a roster."))
    micro = {m.name: m for m in grid.micro_grids.all()}
    task = ScreeningTask.objects.create(grid=grid, name=str(name).strip(), held_on=held_on)
    entries = []
    for line, row in enumerate(roster, start=1):
        target = micro.get(row.get("micro_grid"))
        if target is None:
            raise Invalid(
                _("Line %(line)d: no micro-grid %(name)s in this grid.")
                % {"line": line, "name": row.get("micro_grid")}
            )
        entry = ScreeningEntry(
            task=task,
            micro_grid=target,
            line=line,
            name_sealed=seal(str(row["name"])),
            name_masked=mask_name(row["name"]),
        )
        try:
            _seal_person_data(entry, id_number=row.get("id_number", ""), phone=row.get("phone", ""))
        except Invalid as exc:
            raise Invalid(_("Line %(line)d: %(why)s") % {"line": line, "why": exc}) from None
        entries.append(entry)
    ScreeningEntry.objects.bulk_create(entries)
    return task


@transaction.atomic
def check_off(*, actor, entry: ScreeningEntry, note: str = "") -> ScreeningEntry:
    """A grid member checks off one person; the task closes when every line is done."""
    require_actor(actor)
    entry = (
        ScreeningEntry.objects.select_for_update(of=("self",))
        .select_related("task__grid__village", "task__grid__partner_village")
        .get(pk=entry.pk)
    )
    task = entry.task
    _side_actor(actor, task.grid)
    if task.status == ScreeningStatus.CLOSED:
        raise Conflict(_("This screening is closed."))
    if entry.checked_at is not None:
        raise Conflict(_("This line is already checked."))
    entry.checked_at = timezone.now()
    entry.checked_by = as_user(actor)
    entry.note = note
    entry.save(update_fields=["checked_at", "checked_by", "note"])
    left = task.entries.filter(checked_at__isnull=True).count()
    if left == 0:
        # The task's row lock keeps the close exactly-once under concurrent check-offs.
        task = ScreeningTask.objects.select_for_update().get(pk=task.pk)
        if task.status != ScreeningStatus.CLOSED:
            task.status = ScreeningStatus.CLOSED
            task.closed_at = entry.checked_at
            task.save(update_fields=["status", "closed_at"])
    return entry


# --- The household file ----------------------------------------------------------------------

IMPORT_MAX_BYTES = 20 * 1024 * 1024
# The longest list of keys one query is asked about (SQLite's limit on parameters is 32,766).
_CHUNK = 5_000
_PERSON_FIELDS = (
    "name",
    "gender",
    "birth_year",
    "relation",
    "is_party_member",
    "is_shareholder",
    "shares",
)
_HOUSEHOLD_COLUMNS = ("village_id", "number", "group_name", "micro_grid_id", "is_illustrative")
_PERSON_COLUMNS = ("household_id", *_PERSON_FIELDS, *Person.SEALED, "id_masked", "phone_masked")
_LOGGED_PERSON_COLUMNS = tuple(c for c in _PERSON_COLUMNS if c not in Person.SEALED)


def _chunks(keys):
    keys = list(keys)
    for start in range(0, len(keys), _CHUNK):
        yield keys[start : start + _CHUNK]


def import_households(
    source,
    *,
    actor,
    village=None,
    filename: str | None = None,
    dry_run: bool = False,
    progress=None,
    limits: tabular.Limits = tabular.NO_LIMITS,
):
    """The household file of one village, or of many (a township's or a county's
    households, each row naming its village by 村代码), all or nothing (`sheets.COLUMNS`).

    With `village`, the file is that village's (a 村代码 cell, where given, must name it);
    without, every row names its village and the actor must write in each. Households are
    matched by village and 户号, people by ID number (its blind index) or, without one, by
    household and name; a re-import of the same file changes nothing. An ID number already
    registered in another household (of any village) is refused naming that household. A
    masked ID number or phone (from an export) keeps what is stored. Errors name the row and
    the column and never repeat an ID number or phone in clear. `limits`: what the file may
    hold, checked before parsing (a web upload's: `core.imports.upload_limits`).

    Set-based: whatever the number of villages, a fixed number of reads (chunked by
    `_CHUNK` keys), one bulk write per table and one change-log write per model, in one
    transaction.
    """
    require_actor(actor)
    if village is not None:
        _require_write(actor, Household, village, _("import households"))
    result = ImportResult(dry_run=dry_run)
    parsed = read_upload(
        source,
        sheets.COLUMNS,
        result,
        max_bytes=IMPORT_MAX_BYTES,
        filename=filename,
        progress=progress,
        limits=limits,
    )
    if parsed is None:
        return result
    with transaction.atomic():
        return _import_parsed(parsed, result, actor=actor, village=village, dry_run=dry_run)


def _import_parsed(parsed, result, *, actor, village, dry_run):
    """Check every row of a parsed household file against the file itself and the database
    (a fixed number of reads), then write it (`_write_households`), inside the caller's
    transaction; with any error, nothing is written and the errors are sorted by row."""
    headers = parsed.headers
    village_header = headers.get("village", "村代码")
    errors = list(result.errors)

    # The file's villages, known and written by the actor: one query for all of them.
    if village is not None:
        villages = {village.pk: village}
    else:
        named = {str(c or "").strip() for c in parsed.values.get("village", [])} - {""}
        villages = Village.objects.in_bulk(sorted(named)) if named else {}
    writable = {c for c, v in villages.items() if may_write(actor, Household, village=v)}
    codes = sorted(writable)
    if not dry_run and codes:
        # Imports of the same village one after the other (the new people's keys are read
        # back in insertion order below); a foreign key's share lock is not blocked.
        list(
            Village.objects.select_for_update(no_key=True)
            .filter(code__in=codes)
            .values_list("code", flat=True)
        )
    # Micro-grids by (village, name): of the village's grids and the grids it shares.
    micro: dict[tuple[str, str], int] = {}
    for pk, name, home, partner in MicroGrid.objects.filter(
        Q(grid__village__in=codes) | Q(grid__partner_village__in=codes)
    ).values_list("pk", "name", "grid__village_id", "grid__partner_village_id"):
        for side in (home, partner):
            if side is not None:
                micro.setdefault((side, name), pk)
    existing = {
        (code, number): (pk, micro_grid)
        for pk, code, number, micro_grid in Household.objects.filter(village__in=codes).values_list(
            "pk", "village_id", "number", "micro_grid_id"
        )
    }
    existing_heads = set(
        Person.objects.filter(household__village__in=codes, relation=Relation.HEAD).values_list(
            "household__village_id", "household__number"
        )
    )

    rows = []
    seen_ids: dict[str, int] = {}
    heads: dict[tuple[str, str], list[int]] = {}
    first_rows: dict[tuple[str, str], dict] = {}  # each household's first row in the file
    for number, row in parsed.rows():
        code = (row.get("village") or "").strip()
        if village is not None:
            if code and code != village.pk:
                errors.append(
                    RowError(
                        number,
                        village_header,
                        _("This file is the households of %(village)s: the row names another.")
                        % {"village": village.name},
                    )
                )
                continue
            code = village.pk
        elif code not in writable:
            if not code:
                message = _("Name the row's village (村代码).")
            elif code in villages:
                message = _("You may not import households in %(village)s.") % {
                    "village": villages[code].name
                }
            else:
                message = _("No village has the code %(code)s.") % {"code": code}
            errors.append(RowError(number, village_header, message))
            continue
        id_text, phone_text = row.get("id_number") or "", row.get("phone") or ""
        clean = row  # a fresh dict per row
        clean["village"] = code
        clean["id_hash"] = clean["phone_hash"] = ""
        if id_text and "*" not in id_text:  # a masked value (an export's) keeps what is stored
            try:
                clean["id_number"] = validate_id(id_text)
            except IdNumberError as exc:
                errors.append(
                    RowError(
                        number,
                        headers["id_number"],
                        _("The ID number is not valid: %(why)s.") % {"why": exc},
                    )
                )
                continue
            if int(clean["id_number"][6:10]) != row["birth_year"]:
                errors.append(
                    RowError(
                        number,
                        headers["birth_year"],
                        _("The birth year does not match the ID number."),
                    )
                )
            digest = blind_index("id", clean["id_number"])
            if digest in seen_ids:
                errors.append(
                    RowError(
                        number,
                        headers["id_number"],
                        _("The same ID number is on row %(row)d.") % {"row": seen_ids[digest]},
                    )
                )
            seen_ids[digest] = number
            clean["id_hash"] = digest
        else:
            clean["id_number"] = ""
        if phone_text and "*" not in phone_text:
            try:
                clean["phone"] = normalise_phone(phone_text)
            except ValueError as exc:
                errors.append(
                    RowError(
                        number,
                        headers["phone"],
                        _("The phone number is not valid: %(why)s.") % {"why": exc},
                    )
                )
                continue
            clean["phone_hash"] = blind_index("phone", clean["phone"])
        else:
            clean["phone"] = ""
        if clean.get("shares") and not clean.get("is_shareholder"):
            errors.append(
                RowError(
                    number,
                    headers.get("shares", "股份数"),
                    _("Only a collective-economy member holds shares."),
                )
            )
        name = clean.get("micro_grid") or ""
        if name and (code, name) not in micro:
            errors.append(
                RowError(
                    number,
                    headers["micro_grid"],
                    _("No micro-grid of this name covers the village."),
                )
            )
        key = (code, clean["number"])
        first_rows.setdefault(key, clean)
        if clean["relation"] == Relation.HEAD:
            heads.setdefault(key, []).append(number)
        clean["row"] = number
        rows.append(clean)
    for key, first in first_rows.items():
        found = heads.get(key, ())
        if len(found) > 1:
            errors.append(
                RowError(
                    found[1],
                    headers["relation"],
                    _("Household %(number)s has two heads.") % {"number": key[1]},
                )
            )
        elif not found and key not in existing_heads:
            errors.append(
                RowError(
                    first["row"],
                    headers["relation"],
                    _("Household %(number)s has no head (户主).") % {"number": key[1]},
                )
            )
    # People already registered: by blind index anywhere, by household and name here.
    by_hash = _people_by_hash(seen_ids)
    by_name = {
        (p.household.village_id, p.household.number, p.name): p
        for p in Person.objects.filter(household__village__in=codes).select_related("household")
    }
    for r in rows if by_hash else ():
        other = by_hash.get(r["id_hash"]) if r["id_hash"] else None
        if other is not None and (other.household.village_id, other.household.number) != (
            r["village"],
            r["number"],
        ):
            errors.append(
                RowError(
                    r["row"],
                    headers["id_number"],
                    _(
                        "This ID number is already registered in household %(number)s of %(village)s."
                    )
                    % {"number": other.household.number, "village": other.household.village.name},
                )
            )
    if errors:
        result.errors = sorted(errors, key=lambda e: (e.row or 0, e.column))
        transaction.set_rollback(True)
        return result
    return _write_households(
        codes, rows, first_rows, micro, existing, by_hash, by_name, result, dry_run=dry_run
    )


def _people_by_hash(hashes) -> dict[str, Person]:
    """The people registered under these ID blind indexes (any village), with their
    household and village: on PostgreSQL one query (an array parameter), on SQLite one per
    `_CHUNK` keys."""
    if not hashes:
        return {}
    found = Person.objects.select_related("household__village")
    if is_postgres():
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT id FROM {Person._meta.db_table} WHERE id_hash = ANY(%s)", [list(hashes)]
            )
            pks = [pk for (pk,) in cursor.fetchall()]
        return {p.id_hash: p for p in found.filter(pk__in=pks)} if pks else {}
    people: dict[str, Person] = {}
    for chunk in _chunks(hashes):
        people.update((p.id_hash, p) for p in found.filter(id_hash__in=chunk))
    return people


def _write_households(
    codes, rows, first_rows, micro, existing, by_hash, by_name, result, *, dry_run
):
    """The writes of a validated household file, by the bulk path (COPY on PostgreSQL): new
    households, then new people, each with one change-log write; changed households and
    people one by one (rare: a re-import of a corrected file)."""
    new_households, moved = [], {}
    for key, first in first_rows.items():
        target = micro.get((key[0], first.get("micro_grid") or ""))
        known = existing.get(key)
        if known is None:
            new_households.append((key[0], key[1], first.get("group_name") or "", target, False))
        elif target is not None and known[1] != target:
            moved[known[0]] = target
    created, updated = [], []
    for r in rows:
        values = (
            r["name"],
            r["gender"],
            r["birth_year"],
            r["relation"],
            bool(r.get("is_party_member")),
            bool(r.get("is_shareholder")),
            r.get("shares") or 0,
        )
        person = None
        if by_hash or by_name:
            person = (r["id_hash"] and by_hash.get(r["id_hash"])) or by_name.get(
                (r["village"], r["number"], r["name"])
            )
        if person is None:
            created.append((r, values))
            continue
        changed = [
            f for f, v in zip(_PERSON_FIELDS, values, strict=True) if getattr(person, f) != v
        ]
        for f, v in zip(_PERSON_FIELDS, values, strict=True):
            setattr(person, f, v)
        if r["id_number"] and person.id_hash != r["id_hash"]:
            _seal_person_data(person, id_number=r["id_number"])
            changed += ["id_sealed", "id_hash", "id_masked"]
        if r["phone"] and person.phone_hash != r["phone_hash"]:
            _seal_person_data(person, phone=r["phone"])
            changed += ["phone_sealed", "phone_hash", "phone_masked"]
        if changed:
            updated.append((person, changed))
    result.created, result.updated = len(created), len(updated)
    result.unchanged = len(rows) - len(created) - len(updated)
    if dry_run:
        return result
    for household in Household.objects.filter(pk__in=list(moved)):
        household.micro_grid_id = moved[household.pk]
        household.save(update_fields=["micro_grid"])
    if new_households:
        bulk_insert(Household, _HOUSEHOLD_COLUMNS, new_households)
    ids = {
        (code, number): pk
        for pk, code, number in Household.objects.filter(village__in=codes).values_list(
            "pk", "village_id", "number"
        )
    }
    if new_households:
        log_bulk(
            Household,
            (
                (
                    "create",
                    ids[h[:2]],
                    f"{h[0]}-{h[1]}",
                    None,
                    dict(zip(_HOUSEHOLD_COLUMNS, h, strict=True)),
                )
                for h in new_households
            ),
        )
    if created:
        person_rows, logged = [], []
        for r, values in created:
            number, phone = r["id_number"], r["phone"]
            household = ids[(r["village"], r["number"])]
            masked = (mask_id(number) if number else "", mask_phone(phone) if phone else "")
            person_rows.append(
                (
                    household,
                    *values,
                    seal(number) if number else "",
                    r["id_hash"],
                    seal(phone) if phone else "",
                    r["phone_hash"],
                    *masked,
                )
            )
            name = mask_name(values[0])
            logged.append(
                (
                    name,
                    dict(
                        zip(
                            _LOGGED_PERSON_COLUMNS,
                            (household, name, *values[1:], *masked),
                            strict=True,
                        )
                    ),
                )
            )
        # The new rows' keys, in insertion order: above the largest key before the insert,
        # in this file's villages (locked above, so no other import writes them meanwhile).
        before = Person.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
        bulk_insert(Person, _PERSON_COLUMNS, person_rows)
        pks = (
            Person.objects.filter(pk__gt=before, household__village__in=codes)
            .order_by("pk")
            .values_list("pk", flat=True)
        )
        log_bulk(
            Person,
            (
                ("create", pk, name, None, after)
                for pk, (name, after) in zip(pks, logged, strict=True)
            ),
        )
    for person, changed in updated:
        person.save(update_fields=sorted(set(changed)))
    return result
