"""Writes of analytics: computing and freezing a ranking scheme's snapshot of a period.

Every function takes the acting `actor` (keyword-only, required; commands and the demo pass
`core.actors.SYSTEM`) and refuses a missing one before reading anything. The reads are in
`analytics.selectors` (indicators) and `analytics.rankings` (snapshots as shown).
"""

from __future__ import annotations

import logging
import math
from datetime import timedelta
from decimal import Decimal

import orjson
from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from analytics import reports, scenarios, selectors
from analytics.choices import ScenarioSource
from analytics.errors import NotAllowed, RankingError
from analytics.kpis import KPI_SOURCES
from analytics.management.commands.optimise import message as optimiser_message
from analytics.management.commands.optimise import result_dict
from analytics.models import (
    OptimiserRun,
    RankingEntry,
    RankingKPI,
    RankingScheme,
    RankingSnapshot,
    ReportJob,
    Scenario,
)
from analytics.rankings import bump_showcase_version, ranked_villages
from audit.models import ObjectChange
from audit.services import log_bulk
from core.actors import as_user, is_system, require_actor
from core.db import bulk_insert
from core.errors import Conflict, Invalid, Unavailable
from core.jobs import beat, enqueue
from core.scope import may_write
from lib import optimise
from lib import ranking as scoring
from registry.choices import ImportStatus
from registry.models import Region, Village

__all__ = [
    "NotAllowed",
    "RankingError",
    "compute_snapshot",
    "create_scenario",
    "delete_scenario",
    "purge_reports",
    "request_report",
    "run_optimiser",
    "run_report_job",
    "save_plan_as_scenario",
    "start_optimiser_run",
    "update_scenario",
]

logger = logging.getLogger(__name__)


def _clean(value: float | int | None) -> float | int | None:
    if value is None or isinstance(value, int):
        return value
    return round(float(value), 6) if math.isfinite(value) else None


ENTRY_FIELDS = ["snapshot_id", "village_id", "values", "scores", "score", "rank", "tied"]


def compute_snapshot(
    scheme: RankingScheme, year: int, *, actor, correction: str | None = None
) -> RankingSnapshot:
    """Rank the scheme's villages for `year` and freeze the result.

    Args:
        actor: who computes (an unscoped city admin, or SYSTEM for the `baotuan rank`
            command and the demo loader); stored as `computed_by` (None for SYSTEM).
        correction: None for the first computation of the period. To correct a frozen
            period, the reason: the result is a new version that supersedes the latest.

    Raises:
        NotAllowed: no actor, or one who may not compute rankings.
        RankingError: the period is frozen (and no correction was asked), there is nothing
            to correct, the scheme has no KPIs or an unknown one, nobody is
            ranked, or no village has any value for the year.
    """
    actor = require_actor(actor)
    if not may_write(actor, RankingSnapshot):
        raise NotAllowed(_("You may not compute rankings."))
    year = int(year)
    if correction is not None and not correction.strip():
        raise RankingError(_("A correction needs a reason."))
    with transaction.atomic():
        # The scheme row is the lock: two computations of one scheme run one after the other.
        scheme = RankingScheme.objects.select_for_update().get(pk=scheme.pk)
        latest = (
            RankingSnapshot.objects.filter(scheme=scheme, period=year).order_by("-version").first()
        )
        if latest is not None and correction is None:
            raise RankingError(
                _(
                    "The ranking of {year} is frozen (version {version}); a correction is a "
                    "new version with a reason."
                ).format(year=year, version=latest.version)
            )
        if latest is None and correction is not None:
            raise RankingError(_("There is no ranking of {year} to correct.").format(year=year))
        kpis = list(RankingKPI.objects.filter(scheme=scheme).order_by("order", "pk"))
        if not kpis:
            raise RankingError(_("The scheme has no KPIs."))
        for kpi in kpis:
            source = KPI_SOURCES.get(kpi.key)
            if source is None:
                raise RankingError(
                    _("The indicator “{key}” is unknown or not available.").format(key=kpi.key)
                )
        codes = ranked_villages(scheme, year)
        if not codes:
            raise RankingError(_("Nobody to rank in {year}.").format(year=year))
        columns = [KPI_SOURCES[kpi.key].values(scheme, codes, year) for kpi in kpis]
        matrix = [[_clean(column.get(code)) for column in columns] for code in codes]
        try:
            result = scoring.rank(matrix, [k.direction for k in kpis], [k.weight for k in kpis])
        except ValueError:
            raise RankingError(
                _("No village ranked has any value for {year}.").format(year=year)
            ) from None

        shares = dict(zip(result.used, result.weights.tolist(), strict=True))
        method = [
            {
                "key": kpi.key,
                "label": kpi.label or str(KPI_SOURCES[kpi.key].label),
                "unit": KPI_SOURCES[kpi.key].unit,
                "direction": kpi.direction,
                "weight": str(kpi.weight),
                "share": round(shares[k], 6) if k in shares else None,
                "omitted": k in result.omitted,
            }
            for k, kpi in enumerate(kpis)
        ]
        snapshot = RankingSnapshot.objects.create(
            scheme=scheme,
            period=year,
            version=1 if latest is None else latest.version + 1,
            supersedes=latest,
            reason=correction or "",
            kpis=method,
            computed_by=as_user(actor),
            is_illustrative=scheme.is_illustrative,
        )
        rows = []
        for i, code in enumerate(codes):
            values = {kpi.key: matrix[i][k] for k, kpi in enumerate(kpis)}
            scores = {
                kpis[k].key: round(float(result.kpi_scores[i][j]), 2)
                for j, k in enumerate(result.used)
            }
            rows.append(
                (
                    snapshot.pk,
                    code,
                    orjson.dumps(values).decode(),
                    orjson.dumps(scores).decode(),
                    Decimal(result.points[i]) / 100,
                    result.ranks[i],
                    result.tied[i],
                )
            )
        bulk_insert(RankingEntry, ENTRY_FIELDS, rows)
        pks = dict(RankingEntry.objects.filter(snapshot=snapshot).values_list("village_id", "pk"))
        names = ["id", *ENTRY_FIELDS]
        log_bulk(
            RankingEntry,
            (
                (
                    ObjectChange.Action.CREATE,
                    pks[row[1]],
                    f"{row[1]} #{row[5]}",
                    None,
                    dict(zip(names, (pks[row[1]], *row[:4], str(row[4]), *row[5:]), strict=True)),
                )
                for row in rows
            ),
        )
        transaction.on_commit(bump_showcase_version)
    return snapshot


# --- Region reports as jobs -----------------------------------------------------------------

REPORT_TASK = "analytics.region_report"
MSG_REPORT_FAILED = _lazy("The report could not be built; try again in a few minutes.")


def request_report(code: str, year: int, *, actor, unit: str = "wan") -> ReportJob:
    """The job building the xlsx report of `code` and `year` in the active language from
    the current data: an existing one (queued, running or done) when the data has not
    changed since, else a new one sent to the task queue (a worker builds it; inline when
    settings.IMPORT_RUN_INLINE, for tests). Raises Unavailable (nothing kept) when the queue
    does not answer."""
    actor = require_actor(actor)
    if unit not in reports.UNITS:
        raise Invalid(_("Unknown unit."))
    version = selectors.data_version()
    language = translation.get_language() or settings.LANGUAGE_CODE
    same = ReportJob.objects.filter(
        region_code=code, year=year, language=language, unit=unit, data_version=version
    ).exclude(status="failed")
    job = same.order_by("-pk").first()
    if job is not None:
        return job
    job = ReportJob.objects.create(
        created_by=as_user(actor),
        region_code=code,
        year=year,
        language=language,
        unit=unit,
        data_version=version,
        rows_total=2,
    )
    from analytics.tasks import region_report  # the task module imports this one

    if settings.IMPORT_RUN_INLINE:
        region_report.run(job.pk)
    else:
        try:
            enqueue(region_report, job.pk)
        except Unavailable:
            job.delete()
            raise
    job.refresh_from_db()
    return job


def run_report_job(job_pk: int, *, actor) -> None:
    """Build a queued report job's workbook (in a worker) and keep it in Django's storage;
    progress: the figures, then the workbook. The region's own refusal (no statistics that
    year) is the job's error."""
    require_actor(actor)
    jobs = ReportJob.objects.filter(pk=job_pk)
    if not jobs.filter(status="queued").update(status="running", heartbeat_at=timezone.now()):
        return  # delivered twice, or failed meanwhile
    job = jobs.get()
    with translation.override(job.language):
        try:
            beat(ReportJob, job_pk, phase="computing", rows_done=0)
            data = selectors.cached(selectors.indicators, job.region_code, job.year, detail=True)
            trend = selectors.cached(selectors.trend, job.region_code)
            beat(ReportJob, job_pk, phase="writing", rows_done=1)
            content = reports.workbook(data, trend, job.unit)
        except ValueError as exc:
            message = str(exc)
        except Exception:
            logger.exception("report job %s failed", job_pk)
            message = str(MSG_REPORT_FAILED)
        else:
            job.result.save(job.filename, ContentFile(content), save=False)
            jobs.update(
                status="succeeded",
                phase="done",
                rows_done=2,
                result=job.result.name,
                summary={"bytes": len(content)},
                finished_at=timezone.now(),
            )
            return
    jobs.update(
        status="failed",
        summary={"error_count": 1},
        errors=[{"row": None, "column": "", "value": "", "message": message}],
        finished_at=timezone.now(),
    )


def purge_reports(*, actor, older_than: timedelta | None = None) -> int:
    """Remove report jobs (and their workbooks) made longer than `older_than` ago (default
    JOB_FILES_KEEP_DAYS): a report asked for again is built afresh. Returns how many. Run
    daily by beat."""
    require_actor(actor)
    if older_than is None:
        older_than = timedelta(days=settings.JOB_FILES_KEEP_DAYS)
    old = ReportJob.objects.filter(created_at__lt=timezone.now() - older_than).exclude(
        status="running"
    )
    removed = 0
    for job in old.only("pk", "result"):
        if job.result:
            job.result.delete(save=False)
        removed += ReportJob.objects.filter(pk=job.pk).delete()[0]
    return removed


# ------------------------------------------------------------------------------ scenarios


def _decision_region(region, actor, what: str):
    """The region (a Region or its code), refused unless `actor` may write decision data
    (scenarios, optimiser runs) for it."""
    if not isinstance(region, Region):
        region = Region.objects.filter(code=str(region or "").strip()).first()
        if region is None:
            raise Invalid(_("Unknown region."))
    if not may_write(actor, Scenario, village=region):
        raise NotAllowed(what)
    return region


def create_scenario(
    *,
    region,
    year: int,
    name: str,
    changes: list | None = None,
    description: str = "",
    source: str = ScenarioSource.MANUAL,
    actor,
) -> Scenario:
    """Save a named what-if over `year`'s data of `region` (a Region or its code).

    The changes are checked against the data (`analytics.scenarios.clean_changes`); nothing
    but the scenario row is written, and the change log records it.

    Raises:
        NotAllowed: no actor, or one who is not a city admin for the region.
        Invalid: an unknown region, no statistics in the year, bad changes, an empty name.
        Conflict: the region and year already have a scenario of that name.
    """
    actor = require_actor(actor)
    region = _decision_region(region, actor, _("You may not write scenarios for this region."))
    name = (name or "").strip()
    if not name:
        raise Invalid(_("A scenario needs a name."))
    changes = list(changes or [])
    scenarios.clean_changes(changes, scenarios.load_base(region.code, year))
    with transaction.atomic():
        if Scenario.objects.filter(region=region, year=year, name=name).exists():
            raise Conflict(
                _("{region} already has a scenario “{name}” for {year}.").format(
                    region=region.name, name=name, year=year
                )
            )
        return Scenario.objects.create(
            region=region,
            year=int(year),
            name=name,
            description=description or "",
            changes=changes,
            source=source,
            created_by=as_user(actor),
        )


def _writable(scenario: Scenario, actor, action: str) -> Scenario:
    found = Scenario.objects.restrict(actor, action).select_for_update().filter(pk=scenario.pk)
    scenario = found.first()
    if scenario is None:
        raise NotAllowed(_("You may not change this scenario."))
    return scenario


def update_scenario(
    scenario: Scenario,
    *,
    actor,
    name: str | None = None,
    description: str | None = None,
    changes: list | None = None,
) -> Scenario:
    """Rename, describe or change a scenario (None leaves a field as it is).

    Raises NotAllowed (no actor, or out of the actor's scope), Invalid (bad changes or an
    empty name) or Conflict (the new name is taken)."""
    actor = require_actor(actor)
    if scenario is None:
        raise Invalid(_("No scenario."))
    with transaction.atomic():
        scenario = _writable(scenario, actor, "change")
        if name is not None:
            name = name.strip()
            if not name:
                raise Invalid(_("A scenario needs a name."))
            taken = Scenario.objects.filter(
                region_id=scenario.region_id, year=scenario.year, name=name
            ).exclude(pk=scenario.pk)
            if taken.exists():
                raise Conflict(
                    _("This region already has a scenario “{name}” for {year}.").format(
                        name=name, year=scenario.year
                    )
                )
            scenario.name = name
        if description is not None:
            scenario.description = description
        if changes is not None:
            changes = list(changes)
            scenarios.clean_changes(changes, scenarios.load_base(scenario.region_id, scenario.year))
            scenario.changes = changes
        scenario.save()
    return scenario


def delete_scenario(scenario: Scenario, *, actor) -> None:
    """Delete a scenario (the change log keeps what it was). Raises NotAllowed."""
    actor = require_actor(actor)
    if scenario is None:
        raise Invalid(_("No scenario."))
    with transaction.atomic():
        _writable(scenario, actor, "delete").delete()


# ----------------------------------------------------------------------- optimiser runs


def start_optimiser_run(
    *,
    region,
    year: int,
    budget_fen: int,
    parks: list[dict],
    county_cap: str = "",
    time_limit: float | None = None,
    actor,
) -> OptimiserRun:
    """Run the optimiser over the weak villages of `region` in `year` with these `parks`
    ([{park, rate_bp, capacity_fen, unit_fen}]) and budget; a proposal: no stake changes.

    Runs in the request when the village–park pairs are at most
    settings.OPTIMISE_INLINE_MAX_PAIRS, else on the task queue (`analytics.optimise`); the
    returned row says which (`queued`) and holds the result once done.

    Raises NotAllowed (no actor, not a city admin for the region, or SYSTEM: a run belongs
    to a signed-in user), Invalid (unknown region, no weak villages), Unavailable (the
    task queue is down: nothing is kept).
    """
    actor = require_actor(actor)
    if is_system(actor):
        raise NotAllowed(_("An optimiser run is started by a signed-in user."))
    region = _decision_region(region, actor, _("You may not run the optimiser for this region."))
    candidates = selectors.optimiser_candidates(region.code, year)
    if not candidates:
        raise Invalid(
            _("No weak villages under {code} in {year}.").format(code=region.code, year=year)
        )
    pairs = len(candidates) * len(parks)
    queued = pairs > settings.OPTIMISE_INLINE_MAX_PAIRS
    with transaction.atomic():
        run = OptimiserRun.objects.create(
            created_by=actor,
            region=region,
            year=int(year),
            budget_fen=int(budget_fen),
            county_cap=county_cap or "",
            time_limit=time_limit,
            parks=list(parks),
            pairs=pairs,
            queued=queued,
        )
        if queued:
            from analytics.tasks import optimise as task

            enqueue(task, run.pk, actor.pk)  # Unavailable rolls the row back
    if not queued:
        run_optimiser(run.pk, actor=actor)
        run.refresh_from_db()
    return run


def run_optimiser(run_pk: int, *, actor) -> None:
    """Solve an optimiser run and store its result (or its error) on the row; the body of
    the task and of a run in the request. Reads, and writes nothing but the run's row."""
    actor = require_actor(actor)
    runs = OptimiserRun.objects.filter(pk=run_pk)
    run = runs.first()
    if run is None:
        raise Invalid(_("No optimiser run {pk}.").format(pk=run_pk))
    beat(OptimiserRun, run_pk, status=ImportStatus.RUNNING)
    time_limit = run.time_limit
    if run.queued:
        # The solver reports no progress while it works, so a queued run must end before the
        # sweep takes its silence for a dead worker: its limit stays under JOB_STALE_MINUTES
        # (the plan then says how far from proven it is: the gap).
        cap = max(30.0, settings.JOB_STALE_MINUTES * 60 - 30)
        time_limit = min(time_limit or cap, cap)
    try:
        candidates = selectors.optimiser_candidates(run.region_id, run.year)
        result = optimise.optimise(
            candidates,
            [
                optimise.Park(p["park"], p["rate_bp"], p["capacity_fen"], p["unit_fen"])
                for p in run.parks
            ],
            run.budget_fen,
            county_cap=run.county_cap or None,
            time_limit=time_limit,
        )
        data = result_dict(result)
        counties = {v.code: v.county for v in candidates}
        names = dict(
            Village.objects.filter(code__in=[row["village"] for row in data["plan"]]).values_list(
                "code", "short_name"
            )
        )
        for row in data["plan"]:
            row["county"] = counties.get(row["village"], "")
            row["name"] = names.get(row["village"], "")
        # Only a run still running: one the sweep failed meanwhile stays failed.
        runs.filter(status=ImportStatus.RUNNING).update(
            status=ImportStatus.SUCCEEDED,
            result=data,
            summary={"lifted": result.lifted, "error_count": 0},
            finished_at=timezone.now(),
        )
    except optimise.OptimiseError as exc:
        runs.update(
            status=ImportStatus.FAILED,
            summary={"error_count": 1},
            errors=[{"row": None, "column": "", "value": "", "message": optimiser_message(exc)}],
            finished_at=timezone.now(),
        )


def save_plan_as_scenario(run: OptimiserRun, *, name: str, actor) -> Scenario:
    """A scenario holding the run's plan: each park of the run a new park at its rate, each
    planned stake a stake in it. The plan stays a proposal: no real stake changes.

    Raises NotAllowed, Invalid (the run has no plan), Conflict (the name is taken)."""
    actor = require_actor(actor)
    if run is None or run.status != ImportStatus.SUCCEEDED or not run.result:
        raise Invalid(_("This optimiser run has no plan to save."))
    used = {row["park"] for row in run.result["plan"]}
    changes: list[dict] = [
        {"kind": "new_park", "park": p["park"], "rate_bp": p["rate_bp"]}
        for p in run.parks
        if p["park"] in used
    ]
    changes += [
        {
            "kind": "stake",
            "village": row["village"],
            "park": row["park"],
            "stake_fen": row["stake_fen"],
        }
        for row in run.result["plan"]
    ]
    return create_scenario(
        region=run.region,
        year=run.year,
        name=name,
        changes=changes,
        description=_(
            "Optimiser plan: budget {budget} fen, {lifted} villages lifted, capital {capital} fen."
        ).format(
            budget=run.budget_fen, lifted=run.result["lifted"], capital=run.result["capital_fen"]
        ),
        source=ScenarioSource.OPTIMISER,
        actor=actor,
    )
