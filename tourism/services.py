"""The writes of scenic villages. Each takes a keyword-only `actor`, refuses a missing one
before it reads anything, checks scope with `core.scope`, and owns its transaction; a
refusal (`core.errors`) leaves the database as it was.

Rules decided here: an assessment's parts within the sheet's maxima and its grade derived
(a claimed grade the scores do not reach is refused; `lib.scenic` is the sheet); a
scenic-village grade only from an assessment; a route's stops are spots, never the same one
twice in a row; a monthly figure names a spot XOR an operator, a month not in the future
and no negative visitors or revenue. The monthly file is imported all or nothing and a
second import of the same keys replaces, never duplicates.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence

from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.models import ObjectChange
from audit.services import log_bulk, log_created_rows
from core.actors import require_actor
from core.db import bulk_insert, bulk_update
from core.errors import Conflict, Invalid, NotAllowed
from core.imports import ImportResult, RowError, gc_paused, read_upload, sort_errors
from core.scope import may_write, may_write_any
from lib import scenic, tabular
from lib.money import MAX_FEN
from registry.models import Village
from tourism import sheets
from tourism.choices import CountMethod, Grade, GradeScheme, OperatorKind, Premises, SpotKind
from tourism.models import (
    Assessment,
    Association,
    CumulativeFigure,
    GradeAward,
    MonthlyFigure,
    Operator,
    Route,
    RouteStop,
    Spot,
    SpotPhoto,
)

__all__ = [
    "add_photo",
    "award_grade",
    "create_association",
    "create_route",
    "create_spot",
    "import_figures",
    "publish_cumulative",
    "record_assessment",
    "record_figure",
    "register_operator",
    "set_stops",
    "update_spot",
]

IMPORT_MAX_BYTES = 200 * 1024 * 1024
MAX_VISITORS = 2_000_000_000
PART_LABELS = {part.key: part.label for part in scenic.SHEET} | {"bonus": "加分"}


class TourismError(Invalid):
    """Bad input for a tourism record; nothing was written."""


def _require_write(actor, model, village, what: str) -> None:
    if not may_write(actor, model, village=village):
        raise NotAllowed(
            _("You may not %(what)s in %(village)s.")
            % {"what": what, "village": getattr(village, "short_name", village)}
        )


def _require_admin(actor, model, what: str) -> None:
    # No village or organisation: only an unscoped grant (city admin, SYSTEM) reaches it.
    if not may_write(actor, model):
        raise NotAllowed(_("Only the city's tourism administrators may %(what)s.") % {"what": what})


def _check_kind(value: str, choices, what: str) -> None:
    if value not in choices.values:
        raise TourismError(_("Unknown %(what)s: %(value)s.") % {"what": what, "value": value})


def _check_place(latitude, longitude) -> None:
    try:
        lat, lon = float(latitude), float(longitude)
    except (TypeError, ValueError):
        raise TourismError(_("The coordinates must be numbers (degrees).")) from None
    if not (-90 <= lat <= 90 and -180 <= lon <= 180):
        raise TourismError(_("The coordinates are outside the earth's range."))


# --- Spots ----------------------------------------------------------------------------------


def create_spot(
    *,
    actor,
    village: Village,
    name: str,
    kind: str,
    latitude,
    longitude,
    description: str = "",
    is_illustrative: bool = False,
) -> Spot:
    """A spot of `village` (its clerk, or a city admin)."""
    require_actor(actor)
    _require_write(actor, Spot, village, _("add a scenic spot"))
    name = (name or "").strip()
    if not name:
        raise TourismError(_("A spot needs a name."))
    _check_kind(kind, SpotKind, _("kind of spot"))
    _check_place(latitude, longitude)
    if Spot.objects.filter(village=village, name=name).exists():
        raise Conflict(
            _("%(village)s already has a spot named %(name)s.")
            % {"village": village.short_name, "name": name}
        )
    with transaction.atomic():
        return Spot.objects.create(
            village=village,
            name=name,
            kind=kind,
            latitude=latitude,
            longitude=longitude,
            description=description,
            is_illustrative=is_illustrative,
        )


SPOT_FIELDS = ("name", "kind", "latitude", "longitude", "description")


def update_spot(*, actor, spot: Spot, **changes) -> Spot:
    """Change a spot's name, kind, place or description (never its village)."""
    require_actor(actor)
    _require_write(actor, Spot, spot.village, _("change a scenic spot"))
    unknown = set(changes) - set(SPOT_FIELDS)
    if unknown:
        raise TourismError(
            _("These fields cannot be changed: %(names)s.") % {"names": ", ".join(sorted(unknown))}
        )
    if "kind" in changes:
        _check_kind(changes["kind"], SpotKind, _("kind of spot"))
    _check_place(changes.get("latitude", spot.latitude), changes.get("longitude", spot.longitude))
    with transaction.atomic():
        spot = Spot.objects.select_for_update().get(pk=spot.pk)
        for field, value in changes.items():
            setattr(spot, field, value)
        spot.save(update_fields=list(changes) or None)
    return spot


PHOTO_SUFFIXES = (".jpg", ".jpeg", ".png", ".webp")


def add_photo(*, actor, spot: Spot, file, caption: str = "") -> SpotPhoto:
    """A photo of a spot (jpg, png or webp)."""
    require_actor(actor)
    _require_write(actor, Spot, spot.village, _("add a photo"))
    if not str(getattr(file, "name", "")).lower().endswith(PHOTO_SUFFIXES):
        raise TourismError(_("A photo is a JPEG, PNG or WebP file."))
    with transaction.atomic():
        return SpotPhoto.objects.create(spot=spot, file=file, caption=caption[:200])


# --- Grades and assessments -----------------------------------------------------------------


def record_assessment(
    *,
    actor,
    spot: Spot,
    assessed_on: dt.date,
    scores: Mapping[str, int],
    bonus: int = 0,
    claimed_grade: str = "",
    assessor: str = "",
    is_illustrative: bool = False,
) -> Assessment:
    """Score a scenic village on the sheet; the total and grade are derived. A grade of A or
    above is awarded (the spot's grade history). Refused: a part above its maximum (or
    missing, or negative), a bonus above 15, and a claimed grade the scores do not reach."""
    require_actor(actor)
    _require_admin(actor, Assessment, _("record an assessment"))
    keys = {part.key for part in scenic.SHEET}
    missing = keys - set(scores)
    unknown = set(scores) - keys
    if missing or unknown:
        raise TourismError(
            _("An assessment scores every part of the sheet: %(parts)s.")
            % {"parts": "、".join(part.label for part in scenic.SHEET)}
        )
    try:
        values = {key: int(scores[key]) for key in keys}
        bonus = int(bonus or 0)
    except (TypeError, ValueError):
        raise TourismError(_("Scores are whole numbers of points.")) from None
    broken = scenic.problems(values, bonus)
    if broken:
        raise TourismError(
            "；".join(
                _("%(part)s: %(score)d points is above its maximum of %(maximum)d")
                % {"part": PART_LABELS[p.key], "score": p.score, "maximum": p.maximum}
                if p.score > p.maximum
                else _("%(part)s: a score is not negative") % {"part": PART_LABELS[p.key]}
                for p in broken
            )
            + "。"
        )
    grade = scenic.grade_for(values, bonus)
    total = scenic.total(values, bonus)
    if claimed_grade:
        if claimed_grade not in scenic.RANK or not claimed_grade:
            raise TourismError(_("A scenic village is graded A, AA or AAA."))
        if not scenic.reaches(grade, claimed_grade):
            threshold = dict(scenic.GRADES)[claimed_grade]
            raise TourismError(
                _(
                    "%(total)d points do not reach %(grade)s (at least %(threshold)d); "
                    "the scores give %(derived)s."
                )
                % {
                    "total": total,
                    "grade": claimed_grade,
                    "threshold": threshold,
                    "derived": grade or _("no grade"),
                }
            )
    if assessed_on > timezone.localdate():
        raise TourismError(_("An assessment cannot be dated in the future."))
    with transaction.atomic():
        assessment = Assessment.objects.create(
            spot=spot,
            assessed_on=assessed_on,
            bonus=bonus,
            total=total,
            grade=grade,
            assessor=assessor,
            is_illustrative=is_illustrative,
            **values,
        )
        if grade:
            if GradeAward.objects.filter(
                spot=spot, scheme=GradeScheme.SCENIC_VILLAGE, awarded_on=assessed_on
            ).exists():
                raise Conflict(_("This spot already has a grade awarded on that day."))
            GradeAward.objects.create(
                spot=spot,
                scheme=GradeScheme.SCENIC_VILLAGE,
                grade=grade,
                awarded_on=assessed_on,
                assessment=assessment,
                is_illustrative=is_illustrative,
            )
    return assessment


def award_grade(
    *,
    actor,
    spot: Spot,
    grade: str,
    awarded_on: dt.date,
    note: str = "",
    is_illustrative: bool = False,
) -> GradeAward:
    """A national scenic-area grade (A to AAAAA, given by its own body). A scenic-village
    grade is never typed: it comes from `record_assessment`."""
    require_actor(actor)
    _require_admin(actor, GradeAward, _("award a grade"))
    _check_kind(grade, Grade, _("grade"))
    if awarded_on > timezone.localdate():
        raise TourismError(_("A grade cannot be awarded in the future."))
    with transaction.atomic():
        if GradeAward.objects.filter(
            spot=spot, scheme=GradeScheme.NATIONAL, awarded_on=awarded_on
        ).exists():
            raise Conflict(_("This spot already has a grade awarded on that day."))
        return GradeAward.objects.create(
            spot=spot,
            scheme=GradeScheme.NATIONAL,
            grade=grade,
            awarded_on=awarded_on,
            note=note,
            is_illustrative=is_illustrative,
        )


# --- Operators and associations -------------------------------------------------------------


def create_association(
    *, actor, name: str, lead=None, description: str = "", is_illustrative: bool = False
) -> Association:
    """An industry association (行业协会), led by an organisation."""
    require_actor(actor)
    _require_admin(actor, Association, _("create an association"))
    name = (name or "").strip()
    if not name:
        raise TourismError(_("An association needs a name."))
    with transaction.atomic():
        if Association.objects.filter(name=name).exists():
            raise Conflict(_("An association of this name exists already."))
        return Association.objects.create(
            name=name, lead=lead, description=description, is_illustrative=is_illustrative
        )


def register_operator(
    *,
    actor,
    village: Village,
    name: str,
    kind: str,
    premises: str,
    rooms: int = 0,
    beds: int = 0,
    seats: int = 0,
    staff: int = 0,
    association: Association | None = None,
    spot: Spot | None = None,
    is_illustrative: bool = False,
) -> Operator:
    """A farm restaurant or homestay of `village` (its clerk, or a city admin)."""
    require_actor(actor)
    _require_write(actor, Operator, village, _("register an operator"))
    name = (name or "").strip()
    if not name:
        raise TourismError(_("An operator needs a name."))
    _check_kind(kind, OperatorKind, _("kind of operator"))
    _check_kind(premises, Premises, _("premises"))
    counts = {"rooms": rooms, "beds": beds, "seats": seats, "staff": staff}
    if any(not isinstance(v, int) or isinstance(v, bool) or v < 0 for v in counts.values()):
        raise TourismError(_("Rooms, beds, seats and staff are whole numbers, not negative."))
    if kind == OperatorKind.HOMESTAY and beds < rooms:
        raise TourismError(_("A homestay has at least one bed per room."))
    if spot is not None and spot.village_id != village.pk:
        raise TourismError(_("The operator's spot is in another village."))
    with transaction.atomic():
        if Operator.objects.filter(village=village, name=name).exists():
            raise Conflict(
                _("%(village)s already has an operator named %(name)s.")
                % {"village": village.short_name, "name": name}
            )
        return Operator.objects.create(
            village=village,
            name=name,
            kind=kind,
            premises=premises,
            association=association,
            spot=spot,
            is_illustrative=is_illustrative,
            **counts,
        )


# --- Routes ---------------------------------------------------------------------------------


def _check_stops(stops: Sequence) -> list[Spot]:
    """The stops as spots: each a spot (refused otherwise, by position), never the same spot
    twice in a row, at least two."""
    spots = []
    for position, stop in enumerate(stops, start=1):
        if not isinstance(stop, Spot) or stop.pk is None:
            raise TourismError(
                _("Stop %(position)d is not a scenic spot.") % {"position": position}
            )
        if spots and spots[-1].pk == stop.pk:
            raise TourismError(
                _("Stops %(first)d and %(second)d are the same spot (%(name)s) twice in a row.")
                % {"first": position - 1, "second": position, "name": stop.name}
            )
        spots.append(stop)
    if len(spots) < 2:
        raise TourismError(_("A route has at least two stops."))
    return spots


def create_route(
    *,
    actor,
    consortium,
    name: str,
    stops: Sequence,
    description: str = "",
    is_public: bool = True,
    is_illustrative: bool = False,
) -> Route:
    """A route of `consortium` with its stops in order."""
    require_actor(actor)
    _require_admin(actor, Route, _("plan a route"))
    name = (name or "").strip()
    if not name:
        raise TourismError(_("A route needs a name."))
    spots = _check_stops(stops)
    with transaction.atomic():
        if Route.objects.filter(consortium=consortium, name=name).exists():
            raise Conflict(_("The consortium has a route of this name already."))
        route = Route.objects.create(
            consortium=consortium,
            name=name,
            description=description,
            is_public=is_public,
            is_illustrative=is_illustrative,
        )
        for position, spot in enumerate(spots, start=1):
            RouteStop.objects.create(route=route, position=position, spot=spot)
    return route


def set_stops(*, actor, route: Route, stops: Sequence) -> Route:
    """Replace a route's stops (the same checks as a new route)."""
    require_actor(actor)
    _require_admin(actor, Route, _("change a route"))
    spots = _check_stops(stops)
    with transaction.atomic():
        route = Route.objects.select_for_update().get(pk=route.pk)
        for stop in route.stops.all():
            stop.delete()
        for position, spot in enumerate(spots, start=1):
            RouteStop.objects.create(route=route, position=position, spot=spot)
    return route


# --- Monthly figures ------------------------------------------------------------------------


def _this_month() -> dt.date:
    return timezone.localdate().replace(day=1)


def _figure_problems(month: dt.date, visitors, revenue, method) -> list[str]:
    found = []
    if not isinstance(month, dt.date):
        found.append(_("The month is not a date."))
    elif month.replace(day=1) > _this_month():
        found.append(
            _("%(month)s is in the future: figures are recorded for past months.")
            % {"month": f"{month:%Y-%m}"}
        )
    if not isinstance(visitors, int) or isinstance(visitors, bool):
        found.append(_("Visitors are a whole number."))
    elif visitors < 0:
        found.append(_("Visitors cannot be negative."))
    elif visitors > MAX_VISITORS:
        found.append(_("Too many visitors for one month."))
    if not isinstance(revenue, int) or isinstance(revenue, bool):
        found.append(_("Revenue is a whole number of fen."))
    elif revenue < 0:
        found.append(_("Revenue cannot be negative."))
    elif revenue > MAX_FEN:
        found.append(_("The revenue is beyond the money limit."))
    if method not in CountMethod.values:
        found.append(_("Unknown method: %(value)s.") % {"value": method})
    return found


def record_figure(
    *,
    actor,
    month: dt.date,
    visitors: int,
    revenue: int,
    method: str,
    spot: Spot | None = None,
    operator: Operator | None = None,
    is_illustrative: bool = False,
    is_collective_income: bool = False,
) -> MonthlyFigure:
    """Record (or replace) one month of a spot XOR an operator. Revenue in fen."""
    require_actor(actor)
    if (spot is None) == (operator is None):
        raise TourismError(_("A figure is of a spot or of an operator, not both or neither."))
    target = spot or operator
    _require_write(actor, MonthlyFigure, target.village, _("record tourism figures"))
    found = _figure_problems(month, visitors, revenue, method)
    if found:
        raise TourismError(" ".join(found))
    month = month.replace(day=1)
    values = {
        "village": target.village,
        "visitors": visitors,
        "revenue": revenue,
        "method": method,
        "is_illustrative": is_illustrative,
        "is_collective_income": is_collective_income,
    }
    key = {"spot": spot} if spot is not None else {"operator": operator}
    try:
        with transaction.atomic():
            figure = MonthlyFigure.objects.select_for_update().filter(month=month, **key).first()
            if figure is None:
                return MonthlyFigure.objects.create(month=month, **key, **values)
            for field, value in values.items():
                setattr(figure, field, value)
            figure.save()
            return figure
    except IntegrityError:
        raise Conflict(_("Another user recorded this month at the same time.")) from None


def publish_cumulative(
    *,
    actor,
    spot: Spot,
    as_of: dt.date,
    visitors: int,
    revenue: int,
    source: str,
    since: dt.date | None = None,
    is_illustrative: bool = False,
) -> CumulativeFigure:
    """A published cumulative total of a spot ("截至目前"), with its source."""
    require_actor(actor)
    _require_write(actor, CumulativeFigure, spot.village, _("record a cumulative figure"))
    if not source.strip():
        raise TourismError(_("A published total names its source."))
    found = _figure_problems(as_of, visitors, revenue, CountMethod.ESTIMATE)
    if isinstance(visitors, int) and visitors > MAX_VISITORS:
        found = [f for f in found if f != _("Too many visitors for one month.")]
    if as_of > timezone.localdate():
        found.append(_("A total cannot be dated in the future."))
    if since is not None and since > as_of:
        found.append(_("The count starts after its end."))
    if found:
        raise TourismError(" ".join(dict.fromkeys(found)))
    with transaction.atomic():
        figure, _created = CumulativeFigure.objects.update_or_create(
            spot=spot,
            as_of=as_of,
            defaults={
                "since": since,
                "visitors": visitors,
                "revenue": revenue,
                "source": source.strip()[:300],
                "is_illustrative": is_illustrative,
            },
        )
    return figure


# Columns of the bulk path, in the order the rows are built.
FIGURE_FIELDS = (
    "village_id",
    "spot_id",
    "operator_id",
    "month",
    "visitors",
    "revenue",
    "method",
    "is_illustrative",
    "is_collective_income",
)
VALUE_FIELDS = FIGURE_FIELDS[4:]
#: A figure's text in the change log: its village and month ("330482106209 2022-06").
_LABEL_SQL = {
    "sqlite": "village_id || ' ' || SUBSTR(month, 1, 7)",
    "postgresql": "village_id || ' ' || TO_CHAR(month, 'YYYY-MM')",
}
MSG_CONFLICT = _(
    "Another import wrote some of these figures meanwhile; nothing was imported. Try again."
)


def import_figures(
    source,
    *,
    actor,
    filename: str | None = None,
    dry_run: bool = False,
    progress=None,
    limits: tabular.Limits = tabular.NO_LIMITS,
) -> ImportResult:
    """The monthly tourism file (`tourism.sheets.COLUMNS`), all or nothing.

    A row names its village by code and its spot (or operator, 对象 经营户) by name within the
    village; a key (spot or operator, month) already stored is replaced, so a second import
    of the same file changes nothing and never duplicates. Refused, by row and column: an
    unknown village or name, a village the actor may not write, a month in the future,
    negative visitors or revenue, the same key twice in the file. Written by the bulk path
    and change-logged row by row (`audit.services.log_bulk`).
    """
    require_actor(actor)
    if not may_write_any(actor, MonthlyFigure):
        raise NotAllowed(_("You may not import tourism figures."))
    # The statistics import's collector pause: millions of small acyclic objects.
    with gc_paused():
        return _import_figures(source, actor, filename, dry_run, progress, limits)


def _import_figures(source, actor, filename, dry_run, progress, limits) -> ImportResult:
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
    if parsed is None:  # unreadable, a wrong header or no rows: nothing to check further
        return result
    headers = parsed.headers
    values = parsed.values
    numbers = parsed.row_numbers
    count = len(numbers)
    targets = values.get("target") or [sheets.SPOT] * count
    illustrative = values.get("is_illustrative") or [False] * count
    collective = values.get("is_collective_income") or [False] * count
    errors: list[RowError] = []

    codes = set(values["village"])
    villages = {v.pk: v for v in Village.objects.filter(pk__in=codes)}
    writable = {code for code, v in villages.items() if may_write(actor, MonthlyFigure, village=v)}
    spots = {
        (v, n): pk
        for pk, v, n in Spot.objects.filter(village_id__in=codes).values_list(
            "pk", "village_id", "name"
        )
    }
    operators = {
        (v, n): pk
        for pk, v, n in Operator.objects.filter(village_id__in=codes).values_list(
            "pk", "village_id", "name"
        )
    }
    latest = _this_month()
    rows = (
        None
        if parsed.bad_rows
        else _clean_rows(values, count, targets, illustrative, collective, writable, spots, latest)
    )
    if rows is None:  # some row is wrong: find each one, by row and column
        rows = []
        errors = _row_errors(
            parsed,
            count,
            targets,
            illustrative,
            collective,
            villages,
            writable,
            spots,
            operators,
            latest,
            rows,
        )
    if errors or result.errors:
        result.errors = sort_errors(result.errors + errors, sheets.COLUMNS, headers)
        return result
    if progress is not None:
        progress(count, count, "writing")
    try:
        with transaction.atomic():
            _write_figures(rows, codes, result, dry_run=dry_run)
    except IntegrityError:
        result.created = result.updated = result.unchanged = 0
        result.errors = [RowError(None, "", str(MSG_CONFLICT))]
    if progress is not None:
        progress(count, count, "done")
    return result


def _clean_rows(values, count, targets, illustrative, collective, writable, spots, latest):
    """The rows to write when every row is right, by whole-column operations (the common
    case of a good file: a few set operations, no per-row branches); None when some row is
    wrong (`_row_errors` then names each)."""
    codes, names, months = values["village"], values["name"], values["month"]
    if sheets.OPERATOR in set(targets) or not set(codes) <= writable:
        return None
    pks = list(map(spots.get, zip(codes, names, strict=True)))
    if None in pks or max(months) > latest or len(set(zip(pks, months, strict=True))) != count:
        return None
    return list(
        zip(
            codes,
            pks,
            [None] * count,
            map(dt.date.isoformat, months),
            values["visitors"],
            values["revenue"],
            values["method"],
            illustrative,
            collective,
            strict=True,
        )
    )


def _row_errors(
    parsed,
    count,
    targets,
    illustrative,
    collective,
    villages,
    writable,
    spots,
    operators,
    latest,
    rows,
) -> list[RowError]:
    """Check row by row: each problem by row and column; the good rows go to `rows`."""
    seen: dict[tuple, int] = {}
    errors: list[RowError] = []
    headers, values, numbers = parsed.headers, parsed.values, parsed.row_numbers
    village_header, name_header, month_header = (
        headers["village"],
        headers["name"],
        headers["month"],
    )
    bad = parsed.bad_rows  # rows with a cell error: reported already, not checked further
    for index, number, code, name, target, month, visitors, revenue, method, ill, coll in zip(
        range(count),
        numbers,
        values["village"],
        values["name"],
        targets,
        values["month"],
        values["visitors"],
        values["revenue"],
        values["method"],
        illustrative,
        collective,
        strict=True,
    ):
        if bad and index in bad:
            continue
        if code not in villages:
            errors.append(RowError(number, village_header, _("No village has this code."), code))
            continue
        if code not in writable:
            errors.append(
                RowError(
                    number, village_header, _("You may not write this village's figures."), code
                )
            )
            continue
        is_spot = target == sheets.SPOT
        pk = (spots if is_spot else operators).get((code, name))
        if pk is None:
            message = (
                _("The village has no spot of this name.")
                if is_spot
                else _("The village has no operator of this name.")
            )
            errors.append(RowError(number, name_header, message, name))
            continue
        if month > latest:
            errors.append(
                RowError(
                    number,
                    month_header,
                    _("This month is in the future: figures are recorded for past months."),
                    f"{month:%Y-%m}",
                )
            )
            continue
        key = (is_spot, pk, month)
        first = seen.get(key)
        if first is not None:
            errors.append(
                RowError(
                    number,
                    name_header,
                    _("The same %(what)s and month are on row %(row)d.")
                    % {"what": _("spot") if is_spot else _("operator"), "row": first},
                    name,
                )
            )
            continue
        seen[key] = number
        month_text = month.isoformat()
        rows.append(
            (
                code,
                pk if is_spot else None,
                None if is_spot else pk,
                month_text,
                visitors,
                revenue,
                method,
                ill,
                coll,
            )
        )
    return errors


def _existing_figures(rows: list[tuple], codes: Iterable[str]) -> dict[tuple, tuple]:
    """{(is_spot, target pk, month text): (pk, *values)} of the stored figures of the
    file's villages (one query; none on a first import of the villages)."""
    qs = MonthlyFigure.objects.filter(village_id__in=list(codes)).values_list(
        "pk", "spot_id", "operator_id", "month", *VALUE_FIELDS
    )
    existing = {}
    for pk, spot_id, operator_id, month, *rest in qs.iterator(chunk_size=10_000):
        key = (
            (True, spot_id, month.isoformat())
            if spot_id
            else (False, operator_id, month.isoformat())
        )
        existing[key] = (pk, *rest)
    return existing


def _write_figures(rows: list[tuple], codes, result: ImportResult, *, dry_run: bool) -> None:
    existing = _existing_figures(rows, codes)
    creates, updates = [], []
    unchanged = 0
    if not existing:
        creates = rows
    else:
        get = existing.get
        for row in rows:
            key = (True, row[1], row[3]) if row[1] is not None else (False, row[2], row[3])
            old = get(key)
            if old is None:
                creates.append(row)
            elif tuple(old[1:]) == row[4:]:
                unchanged += 1
            else:
                updates.append((old[0], tuple(old[1:]), row))
    result.created, result.updated, result.unchanged = len(creates), len(updates), unchanged
    if dry_run or not (creates or updates):
        return
    if creates:
        before = MonthlyFigure.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
        bulk_insert(MonthlyFigure, FIGURE_FIELDS, creates)
        # The new rows are logged by the database itself (one INSERT … SELECT), the file's
        # villages named in a subquery-free IN list.
        villages = sorted(codes)
        logged = log_created_rows(
            MonthlyFigure,
            FIGURE_FIELDS,
            where=f"id > %s AND village_id IN ({', '.join(['%s'] * len(villages))})",
            params=[before, *villages],
            label=_LABEL_SQL[connection.vendor],
        )
        if logged != len(creates):  # another writer's rows interleaved: refuse, roll back
            raise IntegrityError("concurrent insert")
    if updates:
        bulk_update(
            MonthlyFigure, "id", VALUE_FIELDS, ((pk, *new[4:]) for pk, _old, new in updates)
        )
    updated = []
    for pk, old, new in updates:
        before_values, after_values = {}, {}
        for name, old_value, new_value in zip(VALUE_FIELDS, old, new[4:], strict=True):
            if old_value != new_value:
                before_values[name] = old_value
                after_values[name] = new_value
        updated.append(
            (ObjectChange.Action.UPDATE, pk, f"{new[0]} {new[3][:7]}", before_values, after_values)
        )
    log_bulk(MonthlyFigure, updated)
