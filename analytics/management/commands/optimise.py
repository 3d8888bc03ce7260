"""`baotuan optimise --budget YUAN (--region CODE --year Y | --villages FILE.csv) --parks FILE.csv
[--county-cap SHARE] [--time-limit S] [--format json|table]` (issue 15, item 3).

Places a capital budget in enclave parks so that the most weak villages are lifted
(`lib.optimise`), and prints the plan beside the greedy and equal-split baselines. The
candidates come from a CSV file (`code,county,income_fen,line_fen`) or from the statistics:
the weak villages of a region in a year with the line in force (`selectors.optimiser_candidates`).
Parks always come from a CSV file (`park,rate_bp,capacity_fen,unit_fen`).

A plan is a proposal: the command reads, and writes nothing. Bad input is a message on stderr
(in the active language, Chinese by default) and exit code 2, never a traceback.
"""

from __future__ import annotations

import csv
import json
import re
from decimal import Decimal, InvalidOperation
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from analytics import selectors
from lib import optimise
from lib.money import fen_from_yuan

VILLAGE_COLUMNS = ("code", "county", "income_fen", "line_fen")
PARK_COLUMNS = ("park", "rate_bp", "capacity_fen", "unit_fen")
_INTEGER = re.compile(r"[+-]?[0-9]+")
# The `what` of lib.optimise's messages: "The budget", "Park P: the rate", "Village" …
_WHAT = re.compile(r"(Park|Village) (.*): the (rate|capacity|unit|income|line)")


class Failed(CommandError):
    """Bad input: the message is shown on stderr and the command exits with 2."""

    def __init__(self, message: str) -> None:
        super().__init__(message, returncode=2)


def _messages() -> dict[str, str]:
    # lib.optimise's MESSAGES, written out as plain _() calls so that makemessages finds them
    # (the English must stay identical to the library's, which the tests check).
    return {
        "optimise.empty_villages": _("No candidate villages were given."),
        "optimise.empty_parks": _("No parks were given."),
        "optimise.zero_budget": _("The budget is zero: nothing can be placed."),
        "optimise.negative": _("{what} is negative ({value})."),
        "optimise.not_integer": _(
            "{what} must be a whole number of fen or basis points, not {value!r}."
        ),
        "optimise.zero_rate": _(
            "Park {park} has a return rate of zero: a stake there lifts nobody."
        ),
        "optimise.zero_unit": _("Park {park} has a stake unit of zero."),
        "optimise.unit_above_capacity": _(
            "Park {park}: its stake unit ({unit_fen} fen) is larger than its capacity "
            "({capacity_fen} fen), so not one unit fits."
        ),
        "optimise.too_large": _("{what} is {value}, above the largest accepted ({limit})."),
        "optimise.duplicate": _("{what} {name} appears more than once."),
        "optimise.county_cap": _(
            "The county cap must be a share above 0 and at most 1, not {value!r}."
        ),
        "optimise.time_limit": _(
            "The time limit must be a positive number of seconds, not {value!r}."
        ),
        "optimise.no_candidates": _(
            "None of the {excluded} villages is below its line: there is nobody to lift."
        ),
        "optimise.infeasible": _(
            "No village can be lifted within the budget, the parks' capacities and the county "
            "cap: the cheapest lift needs {cheapest_fen} fen."
        ),
    }


def _what(text: str) -> str:
    """The translation of a `what` parameter of lib.optimise (English if unknown)."""
    if text == "The budget":
        return _("The budget")
    if text == "Park":
        return _("Park")
    if text == "Village":
        return _("Village")
    match = _WHAT.fullmatch(text)
    if match is None:
        return text
    kind, name, field = match.groups()
    figures = {
        "rate": _("the rate"),
        "capacity": _("the capacity"),
        "unit": _("the unit"),
        "income": _("the income"),
        "line": _("the line"),
    }
    if kind == "Park":
        return _("Park {park}: {figure}").format(park=name, figure=figures[field])
    return _("Village {village}: {figure}").format(village=name, figure=figures[field])


def message(error: optimise.OptimiseError) -> str:
    """An optimiser error in the active language."""
    template = _messages().get(error.key)
    if template is None:
        return str(error)
    params = dict(error.params)
    if "what" in params:
        params["what"] = _what(params["what"])
    return template.format(**params)


def read_csv(path: str, columns: tuple[str, ...], integers: tuple[str, ...]) -> list[dict]:
    """The rows of a CSV file with `columns` (others ignored), `integers` as non-negative ints."""
    try:
        with Path(path).open(encoding="utf-8-sig", newline="") as file:
            reader = csv.DictReader(file)
            header = [name.strip() for name in reader.fieldnames or []]
            missing = [name for name in columns if name not in header]
            if missing:
                raise Failed(
                    _("{file}: missing columns: {columns} (expected {expected}).").format(
                        file=path, columns=", ".join(missing), expected=",".join(columns)
                    )
                )
            reader.fieldnames = header
            rows = []
            for row in reader:
                line = reader.line_num
                if all(not (value or "").strip() for value in row.values()):
                    continue  # a blank line
                clean = {}
                for name in columns:
                    value = (row.get(name) or "").strip()
                    if name in integers:
                        if not _INTEGER.fullmatch(value):
                            raise Failed(
                                _(
                                    "{file}, line {line}: {column} must be a whole number, "
                                    "not {value!r}."
                                ).format(file=path, line=line, column=name, value=value)
                            )
                        value = int(value)
                        if value < 0:
                            raise Failed(
                                _("{file}, line {line}: {column} is negative ({value}).").format(
                                    file=path, line=line, column=name, value=value
                                )
                            )
                    clean[name] = value
                rows.append(clean)
            return rows
    except (OSError, UnicodeDecodeError, csv.Error):
        raise Failed(_("Cannot read {file} as a UTF-8 CSV file.").format(file=path)) from None


def budget_fen(text: str) -> int:
    """The budget in yuan (at most two decimals) as exact integer fen."""
    try:
        amount = Decimal(text.strip().replace(",", ""))
        if not amount.is_finite():
            raise InvalidOperation
        fen = fen_from_yuan(amount)
    except (InvalidOperation, ValueError):
        raise Failed(
            _(
                "The budget must be an amount of yuan with at most two decimals, not {value!r}."
            ).format(value=text)
        ) from None
    if fen < 0:
        raise Failed(_("The budget is negative ({value} yuan).").format(value=text))
    return fen


def result_dict(result: optimise.Result) -> dict:
    """The JSON output: issue 15's keys, then the figures that say how far to trust them."""
    return {
        "lifted": result.lifted,
        "capital_fen": result.capital_fen,
        "status": result.status,
        "gap": result.gap,
        "plan": [
            {
                "village": row.village,
                "park": row.park,
                "units": row.units,
                "stake_fen": row.stake_fen,
                "return_fen": row.return_fen,
            }
            for row in result.plan
        ],
        "greedy": {"lifted": result.greedy.lifted, "capital_fen": result.greedy.capital_fen},
        "equal": {"lifted": result.equal.lifted, "capital_fen": result.equal.capital_fen},
        "lifted_bound": result.lifted_bound,
        "capital_gap": result.capital_gap,
        "budget_fen": result.budget_fen,
        "county_cap_fen": result.county_cap_fen,
        "candidates": result.candidates,
        "excluded": result.excluded,
        "seconds": round(result.seconds, 3),
    }


def _yuan(fen: int | None) -> str:
    return "—" if fen is None else f"{fen / 100:,.2f}"


def table(data: dict) -> list[str]:
    """The result as aligned text lines (money in yuan)."""
    status = {
        "optimal": _("proven optimal"),
        "time_limit": _("time limit reached"),
        "stopped": _("stopped unproven"),
    }.get(data["status"], data["status"])
    # Plain _() calls, not inside the f-strings below: makemessages does not read those.
    label = {
        "lifted": _("Villages lifted"),
        "capital": _("Capital (yuan)"),
        "village": _("Village"),
        "park": _("Park"),
        "units": _("Units"),
        "stake": _("Stake (yuan)"),
        "return": _("Return (yuan)"),
    }
    lines = [
        _("Status: {status}, gap {gap:.2%} ({seconds:.1f} s)").format(
            status=status, gap=data["gap"], seconds=data["seconds"]
        ),
        _("Budget (yuan): {budget}; county cap (yuan): {cap}").format(
            budget=_yuan(data["budget_fen"]), cap=_yuan(data["county_cap_fen"])
        ),
        _("Candidate villages: {candidates} (already at their line, left out: {excluded})").format(
            candidates=data["candidates"], excluded=data["excluded"]
        ),
        "",
        f"{'':<16}{label['lifted']:>12}{label['capital']:>20}",
    ]
    for name, figures in (
        (_("Optimised"), data),
        (_("Greedy"), data["greedy"]),
        (_("Equal split"), data["equal"]),
    ):
        lines.append(f"{name:<16}{figures['lifted']:>12}{_yuan(figures['capital_fen']):>20}")
    lines += [
        "",
        f"{label['village']:<14}{label['park']:<16}{label['units']:>8}"
        f"{label['stake']:>18}{label['return']:>16}",
    ]
    for row in data["plan"]:
        lines.append(
            f"{row['village']:<14}{row['park']:<16}{row['units']:>8}"
            f"{_yuan(row['stake_fen']):>18}{_yuan(row['return_fen']):>16}"
        )
    return lines


class Command(BaseCommand):
    help = (
        "Place a capital budget in enclave parks to lift the most weak villages, beside the "
        "greedy and equal-split baselines (a proposal: nothing is written)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--budget", required=True, help="budget in yuan (two decimals)")
        source = parser.add_mutually_exclusive_group(required=True)
        source.add_argument("--region", help="region code: its weak villages are the candidates")
        source.add_argument("--villages", help="CSV file: code,county,income_fen,line_fen")
        parser.add_argument("--year", type=int, help="year of the statistics (with --region)")
        parser.add_argument(
            "--parks", required=True, help="CSV: park,rate_bp,capacity_fen,unit_fen"
        )
        parser.add_argument("--county-cap", help="largest share of the budget per county, e.g. 0.1")
        parser.add_argument("--time-limit", help="seconds for the solver (default: to optimum)")
        parser.add_argument("--format", choices=("json", "table"), default="table")

    def handle(self, *args, budget, region, villages, year, parks, format, **options):
        if region is not None and year is None:
            raise Failed(_("--region needs --year."))
        if villages is not None and year is not None:
            raise Failed(_("--year goes with --region, not with --villages."))
        fen = budget_fen(budget)
        time_limit = options["time_limit"]
        if time_limit is not None:
            try:
                time_limit = float(time_limit)
            except ValueError:
                raise Failed(_messages()["optimise.time_limit"].format(value=time_limit)) from None
        park_rows = [
            optimise.Park(r["park"], r["rate_bp"], r["capacity_fen"], r["unit_fen"])
            for r in read_csv(parks, PARK_COLUMNS, PARK_COLUMNS[1:])
        ]
        if region is not None:
            try:
                candidates = selectors.optimiser_candidates(region, year)
            except ValueError as exc:
                raise Failed(str(exc)) from None
            if not candidates:
                raise Failed(
                    _("No weak villages under {code} in {year}.").format(code=region, year=year)
                )
        else:
            candidates = [
                optimise.Village(r["code"], r["county"], r["income_fen"], r["line_fen"])
                for r in read_csv(villages, VILLAGE_COLUMNS, VILLAGE_COLUMNS[2:])
            ]
        try:
            result = optimise.optimise(
                candidates,
                park_rows,
                fen,
                county_cap=options["county_cap"],
                time_limit=time_limit,
            )
        except optimise.OptimiseError as exc:
            raise Failed(message(exc)) from None
        data = result_dict(result)
        if format == "json":
            self.stdout.write(json.dumps(data, ensure_ascii=False, indent=2))
        else:
            self.stdout.write("\n".join(table(data)))
