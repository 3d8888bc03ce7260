"""Scenarios side by side and optimiser plans as xlsx workbooks (xlsxwriter, in memory),
and the rows both the pages and the workbooks show. No query here: the figures come from
`analytics.scenarios.comparison` and the optimiser run's stored result. Money is written in
yuan as numbers (fen / 100); the exact fen figures are the API's.
"""

from __future__ import annotations

import io
import json
from typing import Any

import xlsxwriter
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

__all__ = ["comparison_workbook", "measure_rows", "plan_workbook"]


def _yuan(fen: int | None) -> float | None:
    return None if fen is None else fen / 100


def measure_rows(data: dict[str, Any]) -> list[dict[str, Any]]:
    """One row per measure: {"label", "kind" (int, percent, money, ratio), "values": the
    actual's then each scenario's}. Money in fen (the pages format it; the workbook writes
    yuan)."""
    columns = [data["actual"], *data["scenarios"]]

    def row(label: str, kind: str, read) -> dict[str, Any]:
        return {"label": label, "kind": kind, "values": [read(c) for c in columns]}

    return [
        row(_("Villages with statistics"), "int", lambda c: c["villages"]),
        row(_("Weak villages"), "int", lambda c: c["weak"]["count"]),
        row(_("Share of weak villages"), "percent", lambda c: c["weak"]["share"]),
        row(_("Lifted against the actual"), "int", lambda c: c["weak"].get("lifted")),
        row(_("Newly weak against the actual"), "int", lambda c: c["weak"].get("newly_weak")),
        row(_("Villages whose figures change"), "int", lambda c: c.get("villages_changed")),
        row(_("Median total income"), "money", lambda c: c["total_income"]["median"]),
        row(_("Mean total income"), "money", lambda c: c["total_income"]["mean"]),
        row(_("Lowest total income"), "money", lambda c: c["total_income"]["min"]),
        row(_("Total income of all villages"), "money", lambda c: c["total_income"]["sum"]),
        row(_("Returns from parks"), "money", lambda c: c["returns"]),
        row(_("Capital placed by the scenario"), "money", lambda c: c["capital_added"]),
        row(_("Gini (total income)"), "ratio", lambda c: c["gini"]),
        row(_("Theil T (total income)"), "ratio", lambda c: c["theil_t"]),
        row(
            _("Share of Theil T between counties"), "percent", lambda c: c["theil_between_counties"]
        ),
        row(_("Max/min"), "ratio", lambda c: c["ratios"]["max_min"]),
        row("Palma", "ratio", lambda c: c["ratios"]["palma"]),
        row("S80/S20", "ratio", lambda c: c["ratios"]["s80_s20"]),
        row("P90/P10", "ratio", lambda c: c["ratios"]["p90_p10"]),
    ]


def _book():
    buffer = io.BytesIO()
    # strings_to_formulas off: a name such as "=HYPERLINK(...)" is text, never a live formula.
    book = xlsxwriter.Workbook(buffer, {"in_memory": True, "strings_to_formulas": False})
    fmt = {
        "title": book.add_format({"bold": True, "font_size": 14}),
        "head": book.add_format(
            {"bold": True, "bg_color": "#f3f4f6", "border": 1, "text_wrap": True, "valign": "top"}
        ),
        "money": book.add_format({"num_format": "#,##0.00"}),
        "ratio": book.add_format({"num_format": "0.0000"}),
        "percent": book.add_format({"num_format": "0.0%"}),
        "int": book.add_format({"num_format": "#,##0"}),
        "note": book.add_format({"italic": True, "font_color": "#6b7280"}),
    }
    return buffer, book, fmt


def _value(sheet, row: int, col: int, value: Any, kind: str, fmt: dict) -> None:
    if value is None:
        sheet.write_string(row, col, "—")
    elif kind == "money":
        sheet.write_number(row, col, _yuan(value), fmt["money"])
    else:
        sheet.write_number(row, col, value, fmt[kind])


def comparison_workbook(data: dict[str, Any]) -> bytes:
    """The measures of the actual and each scenario side by side (with a column chart of
    the weak villages), the villages whose figures change, and each scenario's changes."""
    buffer, book, fmt = _book()
    title = f"{data['region']['name']} ({data['region']['code']}) · {data['year']}"
    names = [_("Actual"), *(s["name"] for s in data["scenarios"])]

    sheet = book.add_worksheet(pgettext("report sheet", "Scenarios"))
    sheet.write(0, 0, title, fmt["title"])
    sheet.write_row(2, 0, [_("Indicator"), *names], fmt["head"])
    sheet.set_column(0, 0, 34)
    sheet.set_column(1, len(names), 18)
    rows = measure_rows(data)
    for r, measure in enumerate(rows, start=3):
        sheet.write_string(r, 0, measure["label"])
        for c, value in enumerate(measure["values"], start=1):
            _value(sheet, r, c, value, measure["kind"], fmt)
    sheet.write(
        len(rows) + 4,
        0,
        _(
            "Money in yuan. A scenario changes nothing real: its figures are recomputed from "
            "the year's statistics, capital and returns with its changes."
        ),
        fmt["note"],
    )
    chart = book.add_chart({"type": "column"})
    chart.add_series(
        {
            "name": _("Weak villages"),
            "categories": [sheet.name, 2, 1, 2, len(names)],
            "values": [sheet.name, 4, 1, 4, len(names)],
        }
    )
    chart.set_title({"name": _("Weak villages")})
    chart.set_legend({"none": True})
    sheet.insert_chart(2, len(names) + 2, chart)

    villages = book.add_worksheet(pgettext("report sheet", "Villages"))
    villages.write(0, 0, title, fmt["title"])
    heads = [_("Code"), _("Village"), _("Actual (yuan)"), _("Weak")]
    for name in names[1:]:
        heads += [f"{name} (" + _("yuan") + ")", _("Weak")]
    villages.write_row(2, 0, heads, fmt["head"])
    villages.set_column(0, 0, 15)
    villages.set_column(1, 1, 16)
    villages.set_column(2, len(heads), 14)
    yes, no = _("yes"), _("no")
    for r, row in enumerate(data["villages"], start=3):
        villages.write_string(r, 0, row["code"])
        villages.write_string(r, 1, row["name"])
        cells = [row["actual"], *row["scenarios"]]
        for k, cell in enumerate(cells):
            villages.write_number(r, 2 + 2 * k, _yuan(cell["total_income"]), fmt["money"])
            villages.write_string(r, 3 + 2 * k, yes if cell["weak"] else no)
    if data["villages_total"] > len(data["villages"]):
        villages.write(
            len(data["villages"]) + 4,
            0,
            _("{shown} of {total} villages whose figures change are listed.").format(
                shown=len(data["villages"]), total=data["villages_total"]
            ),
            fmt["note"],
        )

    changes = book.add_worksheet(pgettext("report sheet", "Changes"))
    changes.write_row(0, 0, [_("Scenario"), _("Kind"), _("Change")], fmt["head"])
    changes.set_column(0, 1, 20)
    changes.set_column(2, 2, 80)
    r = 1
    for scenario in data["scenarios"]:
        for change in scenario.get("change_list", []):
            changes.write_string(r, 0, scenario["name"])
            changes.write_string(r, 1, str(change.get("kind", "")))
            changes.write_string(r, 2, json.dumps(change, ensure_ascii=False))
            r += 1
    book.close()
    return buffer.getvalue()


def plan_workbook(run) -> bytes:
    """An optimiser run: its figures beside the greedy and equal baselines (with a column
    chart), and the plan (village, county, park, units, stake, return)."""
    buffer, book, fmt = _book()
    result = run.result
    title = f"{run.region.name} ({run.region_id}) · {run.year}"
    sheet = book.add_worksheet(pgettext("report sheet", "Summary"))
    sheet.write(0, 0, title, fmt["title"])
    sheet.write_row(2, 0, [_("Method"), _("Villages lifted"), _("Capital (yuan)")], fmt["head"])
    sheet.set_column(0, 0, 24)
    sheet.set_column(1, 2, 18)
    methods = [
        (_("Optimised"), result),
        (_("Greedy"), result["greedy"]),
        (_("Equal split"), result["equal"]),
    ]
    for r, (name, figures) in enumerate(methods, start=3):
        sheet.write_string(r, 0, name)
        sheet.write_number(r, 1, figures["lifted"], fmt["int"])
        sheet.write_number(r, 2, _yuan(figures["capital_fen"]), fmt["money"])
    facts = [
        (_("Budget (yuan)"), _yuan(result["budget_fen"]), "money"),
        (_("Candidate villages"), result["candidates"], "int"),
        (_("Solver status"), result["status"], None),
        (_("Proven gap"), result["gap"], "percent"),
        (_("Seconds"), result["seconds"], "ratio"),
    ]
    for r, (label, value, kind) in enumerate(facts, start=8):
        sheet.write_string(r, 0, label)
        if kind is None or value is None:
            sheet.write_string(r, 1, "—" if value is None else str(value))
        else:
            sheet.write_number(r, 1, value, fmt[kind])
    sheet.write(14, 0, _("A plan is a proposal: it changes no stake."), fmt["note"])
    chart = book.add_chart({"type": "column"})
    chart.add_series(
        {
            "name": _("Villages lifted"),
            "categories": [sheet.name, 3, 0, 5, 0],
            "values": [sheet.name, 3, 1, 5, 1],
        }
    )
    chart.set_title({"name": _("Villages lifted")})
    chart.set_legend({"none": True})
    sheet.insert_chart(2, 4, chart)

    plan = book.add_worksheet(pgettext("report sheet", "Plan"))
    heads = [
        _("Code"),
        _("Village"),
        _("County"),
        _("Park"),
        _("Units"),
        _("Stake (yuan)"),
        _("Return (yuan)"),
    ]
    plan.write_row(0, 0, heads, fmt["head"])
    plan.set_column(0, 3, 16)
    plan.set_column(4, 6, 14)
    for r, row in enumerate(result["plan"], start=1):
        plan.write_string(r, 0, row["village"])
        plan.write_string(r, 1, row.get("name", ""))
        plan.write_string(r, 2, row.get("county", ""))
        plan.write_string(r, 3, row["park"])
        plan.write_number(r, 4, row["units"], fmt["int"])
        plan.write_number(r, 5, _yuan(row["stake_fen"]), fmt["money"])
        plan.write_number(r, 6, _yuan(row["return_fen"]), fmt["money"])
    book.close()
    return buffer.getvalue()
