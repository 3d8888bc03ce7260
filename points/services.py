"""The writes of points. Each takes a keyword-only `actor`, refuses a missing one before it
reads anything, checks the actor's role on the scheme's village (or either side of its
shared grid), and owns its transaction. A refused call changes nothing.

An entry's state moves only here, and its household's tally (`points.models.Tally`) moves
with it in the same transaction. Points never change: `reverse_entry` writes a reversing
entry, which is verified and published like any other.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections import defaultdict

from django.db import connection, transaction
from django.db.models import Max, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.services import log_bulk
from core.actors import as_user, require_actor
from core.db import bulk_insert
from core.errors import Conflict, Invalid, NotAllowed
from core.imports import ImportResult, RowError, read_upload
from core.scope import holds_role, is_unscoped_admin, may_write
from grids.models import Household
from points import selectors, sheets
from points.choices import (
    AppealChannel,
    AppealOutcome,
    CapPeriod,
    Category,
    EntryState,
    YearClose,
)
from points.models import (
    PROPOSERS,
    SCORERS,
    STOREKEEPERS,
    Appeal,
    Entry,
    PointsNotice,
    Redemption,
    RuleItem,
    RuleVersion,
    Scheme,
    StoreItem,
    Tally,
)

__all__ = [
    "add_store_item",
    "adopt_version",
    "create_scheme",
    "decide_appeal",
    "file_appeal",
    "import_entries",
    "propose_entry",
    "publish_notice",
    "redeem",
    "reject_entry",
    "restock",
    "reverse_entry",
    "settle",
    "verify_entry",
]

IMPORT_MAX_BYTES = 20 * 1024 * 1024

#: Which tally column counts an entry in each state (a rejected one counts nowhere).
BUCKET = {
    EntryState.PROPOSED: "proposed",
    EntryState.REVIEW: "proposed",
    EntryState.VERIFIED: "verified",
    EntryState.PUBLISHED: "published",
    EntryState.HELD: "published",
    EntryState.EFFECTIVE: "effective",
    EntryState.REJECTED: None,
}
TALLY_COLUMNS = ("proposed", "verified", "published", "effective", "redeemed", "entries")


# --- rights -----------------------------------------------------------------------------------


def _require_clerk(actor, scheme_or_village, what: str) -> None:
    village = getattr(scheme_or_village, "village", scheme_or_village)
    if not may_write(actor, Scheme, village=village):
        raise NotAllowed(
            _("You may not %(what)s in %(village)s.") % {"what": what, "village": village}
        )


def _require_side(actor, scheme: Scheme, roles, what: str) -> None:
    if not any(holds_role(actor, roles, village=v) for v in selectors.sides(scheme)):
        raise NotAllowed(
            _("You may not %(what)s in the scheme %(scheme)s.") % {"what": what, "scheme": scheme}
        )


def _same_person(actor, user_id) -> bool:
    user = as_user(actor)
    return user is not None and user.pk == user_id


# --- tallies ----------------------------------------------------------------------------------


def _bump(deltas: dict[tuple[int, int, int], dict[str, int]]) -> None:
    """Add `deltas` ((scheme, household, year) → {column: delta}) to the tallies: one
    upsert statement run for every row (INSERT … ON CONFLICT DO UPDATE, both databases)."""
    if not deltas:
        return
    table = connection.ops.quote_name(Tally._meta.db_table)
    cols = ", ".join(TALLY_COLUMNS)
    sets = ", ".join(f"{c} = {table}.{c} + excluded.{c}" for c in TALLY_COLUMNS)
    sql = (
        f"INSERT INTO {table} (scheme_id, household_id, year, {cols}) "
        f"VALUES (%s, %s, %s, {', '.join(['%s'] * len(TALLY_COLUMNS))}) "
        f"ON CONFLICT (scheme_id, household_id, year) DO UPDATE SET {sets}"
    )
    rows = [
        (s, h, y, *(values.get(c, 0) for c in TALLY_COLUMNS))
        for (s, h, y), values in deltas.items()
    ]
    with connection.cursor() as cursor:
        cursor.executemany(sql, rows)


def _move(entry: Entry, state: str, deltas=None, **fields) -> None:
    """Move one entry to `state` (with its other fields) and its tally with it."""
    own = deltas is None
    deltas = defaultdict(lambda: defaultdict(int)) if own else deltas
    key = (entry.scheme_id, entry.household_id, entry.occurred_on.year)
    before, after = BUCKET[EntryState(entry.state)], BUCKET[EntryState(state)]
    if before != after:
        if before:
            deltas[key][before] -= entry.points
        if after:
            deltas[key][after] += entry.points
    if after is None and before is not None:
        deltas[key]["entries"] -= 1
    entry.state = state
    for name, value in fields.items():
        setattr(entry, name, value)
    entry.save(update_fields=["state", *fields])
    if own:
        _bump(deltas)


# --- schemes and rules ------------------------------------------------------------------------


@transaction.atomic
def create_scheme(
    *, actor, village, name: str, grid=None, rate_fen: int = 10, is_illustrative: bool = False
) -> Scheme:
    require_actor(actor)
    _require_clerk(actor, village, _("set up points schemes"))
    name = str(name or "").strip()
    if not name:
        raise Invalid(_("A scheme needs a name."))
    if grid is not None and grid.village_id != village.pk:
        raise Invalid(_("A shared grid's scheme belongs to the grid's own village."))
    if rate_fen < 0:
        raise Invalid(_("The rate cannot be negative."))
    if Scheme.objects.filter(village=village, name=name).exists():
        raise Conflict(_("The village already has a scheme of this name."))
    return Scheme.objects.create(
        village=village, grid=grid, name=name, rate_fen=rate_fen, is_illustrative=is_illustrative
    )


@transaction.atomic
def adopt_version(
    *,
    actor,
    scheme: Scheme,
    effective_from: dt.date,
    adopted_on: dt.date,
    items: list[dict],
    document_no: str = "",
    decision=None,
    base_points: int = 0,
    base_redeemable: bool = False,
    year_close: str = YearClose.RESET,
    notice_days: int = 7,
) -> RuleVersion:
    """A new version of the scheme's rules, adopted by a recorded decision (the meeting's
    date and document number, or a governance Decision), in force from `effective_from`.

    items: dicts of code, name, category, points (+ or −), cap, cap_period, evidence_required.
    """
    require_actor(actor)
    _require_clerk(actor, scheme, _("adopt points rules"))
    scheme = Scheme.objects.select_for_update(of=("self",)).get(pk=scheme.pk)
    document_no = str(document_no or "").strip()
    if not document_no and decision is None:
        raise Invalid(
            _("A rule version is adopted by a recorded decision: give its document number.")
        )
    if adopted_on > effective_from:
        raise Invalid(_("A version takes effect on or after the day it is adopted."))
    if year_close not in YearClose.values:
        raise Invalid(_("Unknown year close."))
    if not 1 <= int(notice_days) <= 60:
        raise Invalid(_("The notice period is from 1 to 60 days."))
    latest = RuleVersion.objects.filter(scheme=scheme).order_by("-effective_from").first()
    if latest is not None and effective_from <= latest.effective_from:
        raise Conflict(
            _("Version %(n)d is in force from %(day)s: a new version starts later.")
            % {"n": latest.number, "day": latest.effective_from}
        )
    if Entry.objects.filter(scheme=scheme, occurred_on__gte=effective_from).exists():
        raise Conflict(_("Entries are already scored on or after that day under the old rules."))
    if not items:
        raise Invalid(_("A rule version lists at least one item."))
    codes = set()
    clean = []
    for raw in items:
        code = str(raw.get("code") or "").strip()
        if not code or code in codes:
            raise Invalid(_("Each item has its own code (%(code)s).") % {"code": code or "—"})
        codes.add(code)
        points = raw.get("points")
        if isinstance(points, bool) or not isinstance(points, int) or points == 0:
            raise Invalid(_("Item %(code)s: points are a whole number, not zero.") % {"code": code})
        if raw.get("category") not in Category.values:
            raise Invalid(_("Item %(code)s: unknown category.") % {"code": code})
        cap = raw.get("cap")
        if cap is not None and (not isinstance(cap, int) or cap < abs(points)):
            raise Invalid(
                _("Item %(code)s: the cap is at least the item's points.") % {"code": code}
            )
        period = raw.get("cap_period") or CapPeriod.YEAR
        if period not in CapPeriod.values:
            raise Invalid(_("Item %(code)s: unknown cap period.") % {"code": code})
        clean.append(
            {
                "code": code,
                "name": str(raw.get("name") or code)[:200],
                "category": raw["category"],
                "points": points,
                "cap": cap,
                "cap_period": period,
                # A deduction always needs evidence.
                "evidence_required": bool(raw.get("evidence_required")) or points < 0,
            }
        )
    version = RuleVersion.objects.create(
        scheme=scheme,
        number=(latest.number + 1) if latest else 1,
        effective_from=effective_from,
        adopted_on=adopted_on,
        document_no=document_no,
        decision=decision,
        base_points=base_points,
        base_redeemable=base_redeemable,
        year_close=year_close,
        notice_days=notice_days,
    )
    for item in clean:
        RuleItem.objects.create(version=version, **item)
    return version


# --- entries ----------------------------------------------------------------------------------


def _period(day: dt.date, period: str) -> tuple[dt.date, dt.date]:
    if period == CapPeriod.MONTH:
        start = day.replace(day=1)
        end = (start + dt.timedelta(days=32)).replace(day=1) - dt.timedelta(days=1)
    elif period == CapPeriod.QUARTER:
        first = 3 * ((day.month - 1) // 3) + 1
        start = dt.date(day.year, first, 1)
        end = (
            dt.date(day.year + 1, 1, 1) if first == 10 else dt.date(day.year, first + 3, 1)
        ) - dt.timedelta(days=1)
    else:
        start, end = dt.date(day.year, 1, 1), dt.date(day.year, 12, 31)
    return start, end


def _used(scheme, household_id, code, start, end) -> int:
    """Points a household has from an item code in a period (rejected entries left out)."""
    return (
        Entry.objects.filter(
            scheme=scheme,
            household_id=household_id,
            item__code=code,
            occurred_on__gte=start,
            occurred_on__lte=end,
        )
        .exclude(state=EntryState.REJECTED)
        .aggregate(s=Sum("points"))["s"]
        or 0
    )


def _check_cap(item: RuleItem, used: int, points: int, number: str) -> None:
    if item.cap is not None and abs(used + points) > item.cap:
        raise Invalid(
            _(
                "Household %(number)s would have %(total)d points from item %(code)s in this "
                "%(period)s: the cap is %(cap)d."
            )
            % {
                "number": number,
                "total": abs(used + points),
                "code": item.code,
                "period": CapPeriod(item.cap_period).label.lower(),
                "cap": item.cap,
            }
        )


def _resolve_item(scheme: Scheme, code: str, day: dt.date) -> tuple[RuleVersion, RuleItem]:
    version, item = selectors.item_in_force(scheme, code, day)
    if version is None:
        raise Invalid(_("No rule version of this scheme is in force on %(day)s.") % {"day": day})
    if item is None:
        raise Invalid(
            _("Item %(code)s is not in version %(n)d, the rules in force on %(day)s.")
            % {"code": code, "n": version.number, "day": day}
        )
    return version, item


def _check_household(scheme: Scheme, household: Household) -> None:
    if not selectors.in_scheme(scheme, household):
        raise Invalid(
            _("Household %(number)s does not score in %(scheme)s.")
            % {"number": household.number, "scheme": scheme}
        )


@transaction.atomic
def propose_entry(
    *,
    actor,
    scheme: Scheme,
    household: Household,
    item_code: str,
    occurred_on: dt.date,
    note: str = "",
    evidence=None,
    evidence_note: str = "",
) -> Entry:
    """Propose an entry for a household: the item of the version in force on its day, its
    cap checked (under the household's row lock), evidence where the item needs it."""
    require_actor(actor)
    _require_side(actor, scheme, PROPOSERS, _("propose points"))
    if occurred_on > timezone.localdate():
        raise Invalid(_("An entry cannot be dated in the future."))
    household = (
        Household.objects.select_for_update(of=("self",))
        .select_related("micro_grid")
        .get(pk=household.pk)
    )
    _check_household(scheme, household)
    version, item = _resolve_item(scheme, str(item_code).strip(), occurred_on)
    evidence_note = str(evidence_note or "").strip()
    if item.evidence_required and not evidence and not evidence_note:
        raise Invalid(
            _("Item %(code)s needs evidence (a photo or a description of it).")
            % {"code": item.code}
        )
    start, end = _period(occurred_on, item.cap_period)
    _check_cap(
        item, _used(scheme, household.pk, item.code, start, end), item.points, household.number
    )
    entry = Entry(
        scheme=scheme,
        household=household,
        version=version,
        item=item,
        points=item.points,
        occurred_on=occurred_on,
        note=str(note or "")[:300],
        evidence_note=evidence_note[:300],
        proposed_by=as_user(actor),
        proposed_at=timezone.now(),
    )
    if evidence:
        entry.evidence = evidence
    entry.save()
    _bump({(scheme.pk, household.pk, occurred_on.year): {"proposed": entry.points, "entries": 1}})
    return entry


def _lock(entry: Entry) -> Entry:
    return (
        Entry.objects.select_for_update(of=("self",))
        .select_related("scheme__grid", "scheme__village", "item", "household")
        .get(pk=entry.pk)
    )


@transaction.atomic
def verify_entry(*, actor, entry: Entry) -> Entry:
    """A scorer who is not the proposer verifies; a deduction then needs a second reviewer,
    another person again."""
    require_actor(actor)
    entry = _lock(entry)
    _require_side(actor, entry.scheme, SCORERS, _("verify points"))
    if entry.state not in (EntryState.PROPOSED, EntryState.REVIEW):
        raise Conflict(
            _("This entry is %(state)s: only a proposed entry is verified.")
            % {"state": entry.get_state_display()}
        )
    user = as_user(actor)
    if _same_person(actor, entry.proposed_by_id) or (user is None and entry.proposed_by_id is None):
        raise NotAllowed(_("You proposed this entry: another scorer verifies it."))
    if entry.state == EntryState.PROPOSED and entry.points < 0:
        if not entry.evidence and not entry.evidence_note:
            raise Invalid(_("A deduction needs evidence."))
        _move(entry, EntryState.REVIEW, verified_by=user)
        return entry
    if entry.state == EntryState.REVIEW:
        if _same_person(actor, entry.verified_by_id) or (
            user is None and entry.verified_by_id is None
        ):
            raise NotAllowed(_("A deduction's second reviewer is another person than its first."))
        _move(entry, EntryState.VERIFIED, second_reviewer=user)
        return entry
    _move(entry, EntryState.VERIFIED, verified_by=user)
    return entry


@transaction.atomic
def reject_entry(*, actor, entry: Entry, reason: str) -> Entry:
    require_actor(actor)
    entry = _lock(entry)
    _require_side(actor, entry.scheme, SCORERS, _("reject points"))
    reason = str(reason or "").strip()
    if not reason:
        raise Invalid(_("Say why the entry is rejected."))
    if entry.state not in (EntryState.PROPOSED, EntryState.REVIEW, EntryState.VERIFIED):
        raise Conflict(
            _("This entry is %(state)s: a published entry is appealed or reversed.")
            % {"state": entry.get_state_display()}
        )
    _move(entry, EntryState.REJECTED, rejected_reason=reason[:300])
    return entry


@transaction.atomic
def reverse_entry(*, actor, entry: Entry, reason: str) -> Entry:
    """A correction: an entry of the opposite points, proposed for verification like any
    other (and published in the next notice)."""
    require_actor(actor)
    entry = _lock(entry)
    _require_side(actor, entry.scheme, SCORERS, _("correct points"))
    reason = str(reason or "").strip()
    if not reason:
        raise Invalid(_("Say why the entry is corrected."))
    if entry.state not in (EntryState.PUBLISHED, EntryState.EFFECTIVE):
        raise Conflict(_("Only a published entry is corrected by reversal; reject the others."))
    if entry.reverses_id is not None:
        raise Conflict(_("A reversing entry is not reversed again."))
    if Entry.objects.filter(reverses=entry).exists():
        raise Conflict(_("This entry is reversed already."))
    reversal = Entry.objects.create(
        scheme=entry.scheme,
        household=entry.household,
        version=entry.version,
        item=entry.item,
        points=-entry.points,
        occurred_on=entry.occurred_on,
        note=_("Reversal: %(reason)s") % {"reason": reason[:200]},
        evidence_note=reason[:300],
        proposed_by=as_user(actor),
        reverses=entry,
    )
    _bump(
        {
            (entry.scheme_id, entry.household_id, entry.occurred_on.year): {
                "proposed": reversal.points,
                "entries": 1,
            }
        }
    )
    return reversal


def _notice_payload(scheme: Scheme, entries: list[Entry], number: int, start, end) -> dict:
    heads = selectors.label_households({e.household_id for e in entries})
    return {
        "scheme": scheme.name,
        "village": scheme.village.short_name,
        "number": number,
        "illustrative": scheme.is_illustrative,
        "period": {"from": start.isoformat(), "to": end.isoformat()},
        "entries": [
            {
                "entry": e.pk,
                "household": e.household.number,
                "head": heads.get(e.household_id, ""),
                "item": e.item.code,
                "name": e.item.name,
                "category": e.item.category,
                "points": e.points,
                "date": e.occurred_on.isoformat(),
                "reverses": e.reverses_id,
            }
            for e in entries
        ],
        "total": sum(e.points for e in entries),
    }


@transaction.atomic
def publish_notice(*, actor, scheme: Scheme, published_on: dt.date | None = None) -> PointsNotice:
    """Publish every verified entry of the scheme in one frozen notice (公示); the entries
    become effective when its period (the version's notice days) ends with no open appeal."""
    require_actor(actor)
    _require_clerk(actor, scheme, _("publish points"))
    scheme = (
        Scheme.objects.select_for_update(of=("self",)).select_related("village").get(pk=scheme.pk)
    )
    day = published_on or timezone.localdate()
    entries = list(
        Entry.objects.filter(scheme=scheme, state=EntryState.VERIFIED, occurred_on__lte=day)
        .select_related("household", "item", "version")
        .order_by("household__number", "occurred_on", "pk")
    )
    if not entries:
        raise Conflict(_("No verified entries to publish."))
    version = selectors.version_in_force(scheme, day) or entries[-1].version
    end = day + dt.timedelta(days=version.notice_days - 1)
    number = (PointsNotice.objects.filter(scheme=scheme).aggregate(n=Max("number"))["n"] or 0) + 1
    payload = _notice_payload(scheme, entries, number, day, end)
    notice = PointsNotice.objects.create(
        scheme=scheme,
        number=number,
        published_on=day,
        ends_on=end,
        payload=payload,
        content_hash=PointsNotice.hash_of(payload),
        published_by=as_user(actor),
    )
    deltas = defaultdict(lambda: defaultdict(int))
    for entry in entries:
        _move(
            entry,
            EntryState.PUBLISHED,
            deltas,
            notice=notice,
            effective_on=end + dt.timedelta(days=1),
        )
    _bump(deltas)
    _bump_public()
    return notice


@transaction.atomic
def settle(*, actor, scheme: Scheme | None = None, day: dt.date | None = None) -> int:
    """Mark effective the published entries whose notice period ended by `day` (today) with
    no open appeal; their tallies move with them. Balances do not wait for this (the rule
    reads the dates), it keeps the tallies short. Returns how many moved."""
    require_actor(actor)
    day = day or timezone.localdate()
    qs = Entry.objects.filter(state=EntryState.PUBLISHED, effective_on__lte=day)
    if scheme is not None:
        _require_clerk(actor, scheme, _("settle points"))
        qs = qs.filter(scheme=scheme)
    elif not is_unscoped_admin(actor):
        raise NotAllowed(_("Only the city settles every scheme at once."))
    rows = list(qs.values_list("pk", "scheme_id", "household_id", "occurred_on", "points"))
    if not rows:
        return 0
    deltas = defaultdict(lambda: defaultdict(int))
    for _pk, s, h, d, p in rows:
        deltas[(s, h, d.year)]["published"] -= p
        deltas[(s, h, d.year)]["effective"] += p
    pks = [r[0] for r in rows]
    for i in range(0, len(pks), 5000):
        Entry.objects.filter(pk__in=pks[i : i + 5000]).update(state=EntryState.EFFECTIVE)
    log_bulk(
        Entry,
        (("update", pk, str(pk), {"state": "published"}, {"state": "effective"}) for pk in pks),
    )
    _bump(deltas)
    return len(rows)


# --- appeals ----------------------------------------------------------------------------------


@transaction.atomic
def file_appeal(
    *,
    actor,
    entry: Entry,
    reason: str,
    filed_on: dt.date | None = None,
    notice_code: str = "",
    household_number: str = "",
) -> Appeal:
    """An appeal holds its entry until it is decided. Recorded by a scorer for the household,
    or through the public form (`notice_code` and the household's number, as the system)."""
    require_actor(actor)
    entry = _lock(entry)
    public = bool(notice_code)
    if public:
        notice = entry.notice
        if notice is None or notice.code != str(notice_code).strip():
            raise Invalid(_("This entry is not in the notice with that code."))
        if str(household_number).strip() != entry.household.number:
            raise Invalid(_("The household number does not match the entry."))
        if not is_unscoped_admin(actor):  # the form acts as the system
            raise NotAllowed(_("The public form files appeals as the system."))
    else:
        _require_side(actor, entry.scheme, SCORERS, _("record appeals"))
    day = filed_on or timezone.localdate()
    reason = str(reason or "").strip()
    if len(reason) < 2:
        raise Invalid(_("Say why the entry is appealed."))
    if entry.state == EntryState.HELD:
        raise Conflict(_("An appeal against this entry is open already."))
    if entry.state != EntryState.PUBLISHED or entry.notice is None:
        raise Conflict(_("Only an entry in a public notice can be appealed."))
    if day > entry.notice.ends_on:
        raise Invalid(
            _("The notice period ended on %(day)s: an appeal is filed within it.")
            % {"day": entry.notice.ends_on}
        )
    appeal = Appeal.objects.create(
        entry=entry,
        channel=AppealChannel.PUBLIC if public else AppealChannel.CLERK,
        filed_on=day,
        filed_by=as_user(actor),
        reason=reason[:500],
    )
    _move(entry, EntryState.HELD, effective_on=None)
    _bump_public()
    return appeal


@transaction.atomic
def decide_appeal(
    *, actor, appeal: Appeal, outcome: str, reason: str, decided_on: dt.date | None = None
) -> Appeal:
    """Upheld: the entry does not count (rejected, with the reason). Rejected: the entry
    counts from the day after the decision (or the notice's end, if later)."""
    require_actor(actor)
    appeal = Appeal.objects.select_for_update(of=("self",)).get(pk=appeal.pk)
    entry = _lock(appeal.entry)
    _require_side(actor, entry.scheme, SCORERS, _("decide appeals"))
    if appeal.outcome != AppealOutcome.OPEN:
        raise Conflict(_("This appeal is decided already."))
    if outcome not in (AppealOutcome.UPHELD, AppealOutcome.REJECTED):
        raise Invalid(_("An appeal is upheld or rejected."))
    reason = str(reason or "").strip()
    if not reason:
        raise Invalid(_("Say why (it is recorded with the decision)."))
    day = decided_on or timezone.localdate()
    if day < appeal.filed_on:
        raise Invalid(_("An appeal is decided after it is filed."))
    appeal.outcome = outcome
    appeal.decided_on = day
    appeal.decided_by = as_user(actor)
    appeal.decision_reason = reason[:500]
    appeal.save()
    if outcome == AppealOutcome.UPHELD:
        _move(entry, EntryState.REJECTED, rejected_reason=reason[:300])
    else:
        start = max(day, entry.notice.ends_on) + dt.timedelta(days=1)
        _move(entry, EntryState.PUBLISHED, effective_on=start)
    _bump_public()
    return appeal


# --- the store --------------------------------------------------------------------------------


@transaction.atomic
def add_store_item(*, actor, scheme: Scheme, name: str, price: int, stock: int = 0) -> StoreItem:
    require_actor(actor)
    _require_clerk(actor, scheme, _("run the points store"))
    name = str(name or "").strip()
    if not name:
        raise Invalid(_("Name the goods."))
    if not isinstance(price, int) or price <= 0:
        raise Invalid(_("A price is a whole number of points, more than zero."))
    if not isinstance(stock, int) or stock < 0:
        raise Invalid(_("Stock cannot be negative."))
    if StoreItem.objects.filter(scheme=scheme, name=name).exists():
        raise Conflict(_("The store has goods of this name already."))
    return StoreItem.objects.create(scheme=scheme, name=name, price=price, stock=stock)


@transaction.atomic
def restock(*, actor, item: StoreItem, quantity: int) -> StoreItem:
    require_actor(actor)
    item = (
        StoreItem.objects.select_for_update(of=("self",))
        .select_related("scheme__village")
        .get(pk=item.pk)
    )
    _require_clerk(actor, item.scheme, _("run the points store"))
    if not isinstance(quantity, int) or quantity <= 0:
        raise Invalid(_("Restock by a whole number, more than zero."))
    item.stock += quantity
    item.save(update_fields=["stock"])
    return item


@transaction.atomic
def redeem(
    *,
    actor,
    household: Household,
    item: StoreItem,
    quantity: int = 1,
    redeemed_on: dt.date | None = None,
    handed_out_name: str = "",
) -> Redemption:
    """Spend effective points on goods: never below zero (nor into the base points when the
    rules keep them), the stock moves, who handed them out is recorded."""
    require_actor(actor)
    item = (
        StoreItem.objects.select_for_update(of=("self",))
        .select_related("scheme__village", "scheme__grid")
        .get(pk=item.pk)
    )
    scheme = item.scheme
    _require_side(actor, scheme, STOREKEEPERS, _("hand out goods"))
    household = (
        Household.objects.select_for_update(of=("self",))
        .select_related("micro_grid")
        .get(pk=household.pk)
    )
    _check_household(scheme, household)
    day = redeemed_on or timezone.localdate()
    if day > timezone.localdate():
        raise Invalid(_("A redemption cannot be dated in the future."))
    if not isinstance(quantity, int) or quantity <= 0:
        raise Invalid(_("The quantity is a whole number, more than zero."))
    if quantity > item.stock:
        raise Conflict(
            _("Only %(stock)d of %(name)s are in stock.") % {"stock": item.stock, "name": item.name}
        )
    points = item.price * quantity
    balance = selectors.household_balance(scheme, household, day)
    if points > balance.redeemable:
        raise Invalid(
            _("Household %(number)s can spend %(left)d points; this costs %(points)d.")
            % {"number": household.number, "left": balance.redeemable, "points": points}
        )
    user = as_user(actor)
    name = str(handed_out_name or "").strip() or (
        getattr(user, "display_name", "") or getattr(user, "username", "") or str(actor)
    )
    redemption = Redemption.objects.create(
        scheme=scheme,
        household=household,
        item=item,
        quantity=quantity,
        points=points,
        cost_fen=points * scheme.rate_fen,
        redeemed_on=day,
        handed_out_by=user,
        handed_out_name=name[:50],
    )
    item.stock -= quantity
    item.save(update_fields=["stock"])
    _bump({(scheme.pk, household.pk, day.year): {"redeemed": points}})
    return redemption


# --- the bulk sheet after a village meeting ---------------------------------------------------


def import_entries(
    source,
    *,
    actor,
    scheme: Scheme,
    filename: str | None = None,
    dry_run: bool = False,
    progress=None,
    limits=None,
) -> ImportResult:
    """The sheet of a village meeting (户号, 项目编号, 日期, 备注, 佐证): every row checked (the
    household, the item in the version in force on the row's day, caps with the rows before
    it, evidence), then all written or none. Idempotent: a row already imported (same file
    content and row) is counted unchanged, not written again."""
    require_actor(actor)
    _require_side(actor, scheme, PROPOSERS, _("import points"))
    from lib import tabular

    result = ImportResult(dry_run=dry_run)
    raw = source if isinstance(source, bytes) else _read(source)
    digest = hashlib.sha256(raw).hexdigest()[:40]
    parsed = read_upload(
        raw,
        sheets.COLUMNS,
        result,
        max_bytes=IMPORT_MAX_BYTES,
        filename=filename,
        progress=progress,
        limits=limits or tabular.NO_LIMITS,
    )
    if parsed is None:
        return result
    headers = parsed.headers
    errors = list(result.errors)
    households = {
        h.number: h for h in selectors.scheme_households(scheme).select_related("micro_grid")
    }
    versions = list(RuleVersion.objects.filter(scheme=scheme).order_by("effective_from"))
    items = {(i.version_id, i.code): i for i in RuleItem.objects.filter(version__scheme=scheme)}
    today = timezone.localdate()
    rows = []
    for number, row in parsed.rows():
        household = households.get(row["household"])
        if household is None:
            errors.append(
                RowError(
                    number,
                    headers["household"],
                    _("No household %(number)s scores in this scheme.")
                    % {"number": row["household"]},
                    row["household"],
                )
            )
            continue
        day = row["date"]
        if day > today:
            errors.append(
                RowError(number, headers["date"], _("An entry cannot be dated in the future."))
            )
            continue
        version = next((v for v in reversed(versions) if v.effective_from <= day), None)
        item = items.get((version.pk, row["item"])) if version else None
        if item is None:
            errors.append(
                RowError(
                    number,
                    headers["item"],
                    _("Item %(code)s is not in the rules in force on %(day)s.")
                    % {"code": row["item"], "day": day},
                    row["item"],
                )
            )
            continue
        if item.evidence_required and not row.get("evidence"):
            errors.append(
                RowError(
                    number,
                    headers.get("evidence", "佐证"),
                    _("Item %(code)s needs evidence.") % {"code": item.code},
                )
            )
            continue
        rows.append((number, household, version, item, day, row))
    # Caps, with the rows before each in the file.
    keys = [f"{digest}:{n}" for n, *_rest in rows]
    done = set(Entry.objects.filter(import_key__in=keys).values_list("import_key", flat=True))
    used: dict[tuple, int] = {}
    fresh = []
    for (number, household, version, item, day, row), key in zip(rows, keys, strict=True):
        if key in done:
            result.unchanged += 1
            continue
        if item.cap is not None:
            start, end = _period(day, item.cap_period)
            slot = (household.pk, item.code, start)
            if slot not in used:
                used[slot] = _used(scheme, household.pk, item.code, start, end)
            try:
                _check_cap(item, used[slot], item.points, household.number)
            except Invalid as exc:
                errors.append(RowError(number, headers["item"], str(exc), row["item"]))
                continue
            used[slot] += item.points
        fresh.append((key, household, version, item, day, row))
    if errors:
        result.errors = sorted(errors, key=lambda e: (e.row or 0, e.column))
        return result
    result.created = len(fresh)
    if dry_run or not fresh:
        return result
    if progress is not None:
        progress(0, len(fresh), "writing")
    with transaction.atomic():
        _write_entries(scheme, fresh, actor)
    if progress is not None:
        progress(len(fresh), len(fresh), "done")
    return result


def _read(source) -> bytes:
    if hasattr(source, "read"):
        return source.read()
    with open(source, "rb") as handle:
        return handle.read()


ENTRY_COLUMNS = [
    "scheme_id",
    "household_id",
    "version_id",
    "item_id",
    "points",
    "occurred_on",
    "note",
    "evidence",
    "evidence_note",
    "state",
    "proposed_by_id",
    "proposed_at",
    "import_key",
    "rejected_reason",
]


def _write_entries(scheme: Scheme, fresh, actor) -> None:
    """Bulk-write proposed entries (COPY on PostgreSQL), their change log and tallies."""
    from core.db import adapt

    user = as_user(actor)
    now = adapt(timezone.now())
    rows = [
        (
            scheme.pk,
            household.pk,
            version.pk,
            item.pk,
            item.points,
            day,
            str(row.get("note") or "")[:300],
            "",
            str(row.get("evidence") or "")[:300],
            EntryState.PROPOSED,
            user.pk if user else None,
            now,
            key,
            "",
        )
        for key, household, version, item, day, row in fresh
    ]
    _bulk_entries(scheme, rows)


def _bulk_entries(scheme: Scheme, rows: list[tuple]) -> None:
    """The bulk path of proposed entries (rows in ENTRY_COLUMNS order, import keys set):
    insert, log and tally (the benchmark calls it too)."""
    bulk_insert(Entry, ENTRY_COLUMNS, rows)
    keys = [r[12] for r in rows]
    pks = {}
    for i in range(0, len(keys), 5000):
        pks.update(
            Entry.objects.filter(import_key__in=keys[i : i + 5000]).values_list("import_key", "pk")
        )
    log_bulk(
        Entry,
        (
            (
                "create",
                pks[r[12]],
                f"{r[1]}·{r[4]:+d}",
                None,
                {
                    "household_id": r[1],
                    "item_id": r[3],
                    "points": r[4],
                    "occurred_on": str(r[5]),
                    "state": r[9],
                    "import_key": r[12],
                },
            )
            for r in rows
        ),
    )
    deltas = defaultdict(lambda: defaultdict(int))
    for r in rows:
        key = (r[0], r[1], r[5].year)
        deltas[key]["proposed"] += r[4]
        deltas[key]["entries"] += 1
    _bump(deltas)


def _bump_public() -> None:
    from points.public import bump_version

    bump_version()
