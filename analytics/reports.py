"""The indicators of a region and year as an xlsx workbook with native Excel charts.

Built with xlsxwriter in memory from the dicts of `analytics.selectors` (`indicators(...,
detail=True)` and `trend(...)`): no query here. Money is written in 万元 by default (10k
yuan, fen / 1,000,000) or in 元 (`unit="yuan"`) as numbers for reading and charting; the
exact fen figures are the API's. Headings follow the active language.

Every sheet prints on A4: portrait, or landscape where the table is wide; one page wide;
the heading row repeated on every page (print titles); the title and page number in the
header and footer; and each chart starts a new page (a manual page break above it) and is
no taller than a page, so no chart is ever split between two pages.
"""

from __future__ import annotations

import io
from typing import Any

import xlsxwriter
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

__all__ = ["UNITS", "workbook"]

#: The money units a report is written in; the first is the default.
UNITS = ("wan", "yuan")
#: A4 in xlsxwriter's paper codes.
A4 = 9
#: Rows of the default height (15 pt) that fit an A4 page at 100 % with the margins below:
#: portrait and landscape. A chart is never taller than this.
ROWS_PER_PAGE = {"portrait": 46, "landscape": 30}
CHART_ROWS = 16  # a chart of the default 288 px height at y_scale 1.0 spans 15 rows


def _yuan(fen: int | None) -> float | None:
    return None if fen is None else fen / 100


def _wan(fen: int | None) -> float | None:
    return None if fen is None else fen / 1_000_000


def _money_in(unit: str):
    """(fen → the number written, the cell format's key) for the report's unit."""
    return (_wan, "wan_money") if unit == "wan" else (_yuan, "money")


def _heading(unit: str, wan: str, yuan: str) -> str:
    return wan if unit == "wan" else yuan


def _print_setup(sheet, title: str, headings_row: int, *, landscape: bool = False) -> None:
    """A4, one page wide, the heading row on every page, title and page number."""
    sheet.set_paper(A4)
    if landscape:
        sheet.set_landscape()
    else:
        sheet.set_portrait()
    sheet.set_margins(left=0.5, right=0.5, top=0.75, bottom=0.75)
    sheet.fit_to_pages(1, 0)  # one page wide, as many pages tall as the rows need
    sheet.repeat_rows(headings_row)
    sheet.center_horizontally()
    # "&" starts a code in a header: the title's own ampersands are doubled.
    sheet.set_header("&L" + title.replace("&", "&&"))
    sheet.set_footer("&C&P / &N")


def _chart_rows(after_row: int, charts: int) -> tuple[list[int], list[int]]:
    """Where charts go below a table ending at `after_row`: each on a new page.

    Returns (the first row of each chart, the manual page breaks above them). Charts take
    CHART_ROWS rows each, two to a page (2 × 16 rows fit a landscape page's 30 rows at the
    scales used here, and a portrait page's 46), so a page break is set above each pair."""
    start = after_row + 2
    rows, breaks = [], []
    for n in range(charts):
        if n % 2 == 0:
            breaks.append(start)
        rows.append(start)
        start += CHART_ROWS
    return rows, breaks


def sheet_names() -> dict[str, str]:
    """Sheet names in the active language (≤ 31 characters, no []:*?/\\)."""
    return {
        "summary": pgettext("report sheet", "Summary"),
        "trend": pgettext("report sheet", "Trend"),
        "distribution": pgettext("report sheet", "Distribution"),
        "lorenz": pgettext("report sheet", "Lorenz curve"),
        "children": pgettext("report sheet", "By child region"),
        "ranking": pgettext("report sheet", "Ranking"),
        "returns": pgettext("report sheet", "Returns"),
    }


def workbook(data: dict[str, Any], trend: list[dict[str, Any]], unit: str = UNITS[0]) -> bytes:
    """The workbook's bytes: a summary, the trend with a line chart of weak villages and
    the Gini, the income distribution with a column chart, the Lorenz curve as a scatter
    chart with lines, the decomposition by child region, the ranking, and the returns.
    Money in 万元 (`unit="wan"`, the default) or 元 (`unit="yuan"`)."""
    if unit not in UNITS:
        raise ValueError(f"unit must be one of {UNITS}")
    buffer = io.BytesIO()
    # strings_to_formulas off: a name such as "=HYPERLINK(...)" is text, never a live formula.
    book = xlsxwriter.Workbook(buffer, {"in_memory": True, "strings_to_formulas": False})
    fmt = {
        "title": book.add_format({"bold": True, "font_size": 14}),
        "head": book.add_format(
            {"bold": True, "bg_color": "#f3f4f6", "border": 1, "text_wrap": True, "valign": "top"}
        ),
        "money": book.add_format({"num_format": "#,##0.00"}),
        "wan_money": book.add_format({"num_format": "#,##0.00"}),
        "wan": book.add_format({"num_format": "#,##0.0"}),
        "ratio": book.add_format({"num_format": "0.0000"}),
        "percent": book.add_format({"num_format": "0.0%"}),
        "int": book.add_format({"num_format": "#,##0"}),
        "note": book.add_format({"italic": True, "font_color": "#6b7280"}),
    }
    names = sheet_names()
    region = data["region"]
    title = f"{region['name']} ({region['code']}) · {data['year']}"
    detail = data["detail"]

    fmt["unit"] = unit
    _summary(book.add_worksheet(names["summary"]), data, title, fmt)
    _trend(book, book.add_worksheet(names["trend"]), names["trend"], trend, title, fmt)
    _distribution(
        book,
        book.add_worksheet(names["distribution"]),
        names["distribution"],
        detail["histogram"],
        title,
        fmt,
    )
    _lorenz(
        book, book.add_worksheet(names["lorenz"]), names["lorenz"], detail["lorenz"], title, fmt
    )
    if detail["children"]:
        _children(book.add_worksheet(names["children"]), detail["children"], title, fmt)
    _ranking(book.add_worksheet(names["ranking"]), detail["ranking"], title, fmt)
    if data["returns"]:
        _returns(book.add_worksheet(names["returns"]), data["returns"], title, fmt)
    book.close()
    return buffer.getvalue()


def _header(sheet, row: int, headings: list[str], fmt: dict, widths: list[int]) -> None:
    sheet.write_row(row, 0, headings, fmt["head"])
    for col, width in enumerate(widths):
        sheet.set_column(col, col, width)


def _summary(sheet, data: dict, title: str, fmt: dict) -> None:
    sheet.write(0, 0, title, fmt["title"])
    unit = fmt["unit"]
    money, money_fmt = _money_in(unit)
    weak, total, ratios = data["weak"], data["total_income"], data["ratios"]
    rows: list[tuple[str, Any, str]] = [
        (_("Villages with statistics"), data["villages"], "int"),
        (_("Village-level units in the region"), data["coverage"]["expected"], "int"),
        (_("Weak villages"), weak["count"], "int"),
        (_("Share of weak villages"), weak["share"], "percent"),
        (_("Weak villages the year before"), weak["previous_year"], "int"),
        (_("Lifted since the year before"), weak["lifted"], "int"),
        (
            _heading(unit, _("Median total income (10k yuan)"), _("Median total income (yuan)")),
            money(total["median"]),
            money_fmt,
        ),
        (
            _heading(unit, _("Mean total income (10k yuan)"), _("Mean total income (yuan)")),
            money(total["mean"]),
            money_fmt,
        ),
        (
            _heading(
                unit,
                _("Total income of all villages (10k yuan)"),
                _("Total income of all villages (yuan)"),
            ),
            money(total["sum"]),
            money_fmt,
        ),
        (
            _heading(unit, _("Lowest total income (10k yuan)"), _("Lowest total income (yuan)")),
            money(total["min"]),
            money_fmt,
        ),
        (
            _heading(unit, _("Highest total income (10k yuan)"), _("Highest total income (yuan)")),
            money(total["max"]),
            money_fmt,
        ),
        (_("Gini (total income)"), data["gini"], "ratio"),
        (_("Theil T (total income)"), data["theil_t"], "ratio"),
        (_("Theil T between counties"), data["by_county"]["between"], "ratio"),
        (_("Theil T between townships"), data["by_township"]["between"], "ratio"),
        (_("Share between townships"), data["by_township"]["between_share"], "percent"),
        (_("Max/min"), ratios["max_min"], "ratio"),
        ("Palma", ratios["palma"], "ratio"),
        ("S80/S20", ratios["s80_s20"], "ratio"),
        ("P90/P10", ratios["p90_p10"], "ratio"),
        (_("Growth of the median"), data["growth"]["median"], "percent"),
        (_("Growth of the mean"), data["growth"]["mean"], "percent"),
    ]
    _header(sheet, 2, [_("Indicator"), _("Value")], fmt, [36, 18])
    for i, (label, value, kind) in enumerate(rows, start=3):
        sheet.write_string(i, 0, label)
        if value is None:
            sheet.write_string(i, 1, "—")
        else:
            sheet.write_number(i, 1, value, fmt[kind])
    sheet.write(
        len(rows) + 4,
        0,
        _heading(
            unit,
            _(
                "Money in 10k yuan. Computed from the statistics of the "
                "villages with statistics in the year."
            ),
            _(
                "Money in yuan. Computed from the statistics of the "
                "villages with statistics in the year."
            ),
        ),
        fmt["note"],
    )
    if not data["complete"]:
        sheet.write(
            len(rows) + 5,
            0,
            _(
                "{year} is incomplete: only {reported} of {expected} village-level units have "
                "reported, so these figures do not describe the whole region."
            ).format(
                year=data["year"],
                reported=f"{data['coverage']['reported']:,}",
                expected=f"{data['coverage']['expected']:,}",
            ),
            fmt["note"],
        )
    _print_setup(sheet, title, 2)


def _trend(book, sheet, sheet_name: str, trend: list[dict], title: str, fmt: dict) -> None:
    sheet.write(0, 0, title, fmt["title"])
    unit = fmt["unit"]
    money, money_fmt = _money_in(unit)
    _print_setup(sheet, title, 2)
    _header(
        sheet,
        2,
        [
            _("Year"),
            _("Villages"),
            _heading(unit, _("Median total income (10k yuan)"), _("Median total income (yuan)")),
            _heading(unit, _("Mean total income (10k yuan)"), _("Mean total income (yuan)")),
            _("Weak villages"),
            _("Gini"),
            _("Theil T"),
            _("Gini without returns"),
            _("Village-level units"),
            _("Complete"),
        ],
        fmt,
        [8, 10, 18, 18, 12, 10, 10, 14, 12, 10],
    )
    for i, row in enumerate(trend, start=3):
        sheet.write_number(i, 0, row["year"])
        sheet.write_number(i, 1, row["villages"], fmt["int"])
        sheet.write_number(i, 2, money(row["median"]), fmt[money_fmt])
        sheet.write_number(i, 3, money(row["mean"]), fmt[money_fmt])
        sheet.write_number(i, 4, row["weak"], fmt["int"])
        for col, key in ((5, "gini"), (6, "theil_t"), (7, "gini_without_returns")):
            if row[key] is None:
                sheet.write_blank(i, col, None)
            else:
                sheet.write_number(i, col, row[key], fmt["ratio"])
        sheet.write_number(i, 8, row["expected"], fmt["int"])
        sheet.write_string(i, 9, _("yes") if row["complete"] else _("incomplete"))
    if not trend:
        return
    first, last = 3, 2 + len(trend)
    ref = f"='{sheet_name}'!"
    (weak_row, gini_row), breaks = _chart_rows(last, 2)
    sheet.set_h_pagebreaks(breaks)
    weak_chart = book.add_chart({"type": "line"})
    weak_chart.add_series(
        {
            "name": _("Weak villages"),
            "categories": f"{ref}$A${first + 1}:$A${last + 1}",
            "values": f"{ref}$E${first + 1}:$E${last + 1}",
            "marker": {"type": "circle"},
        }
    )
    weak_chart.set_title({"name": _("Weak villages over time")})
    weak_chart.set_legend({"none": True})
    sheet.insert_chart(weak_row, 0, weak_chart, {"x_scale": 1.3})

    gini_chart = book.add_chart({"type": "line"})
    for col, label in (("F", _("Gini")), ("G", _("Theil T")), ("H", _("Gini without returns"))):
        gini_chart.add_series(
            {
                "name": label,
                "categories": f"{ref}$A${first + 1}:$A${last + 1}",
                "values": f"{ref}${col}${first + 1}:${col}${last + 1}",
                "marker": {"type": "circle"},
            }
        )
    gini_chart.set_title({"name": _("Gini and Theil T over time")})
    gini_chart.show_blanks_as("gap")
    sheet.insert_chart(gini_row, 0, gini_chart, {"x_scale": 1.3})


def _distribution(book, sheet, sheet_name: str, histogram: dict, title: str, fmt: dict) -> None:
    sheet.write(0, 0, title, fmt["title"])
    _header(
        sheet,
        2,
        [_("From (10k yuan)"), _("To (10k yuan)"), _("Bin"), _("Villages")],
        fmt,
        [16, 16, 16, 10],
    )
    edges, counts = histogram["edges"], histogram["counts"]
    for i, count in enumerate(counts):
        low, high = _wan(edges[i]), _wan(edges[i + 1])
        last = i == len(counts) - 1 and histogram["open_ended"]
        sheet.write_number(3 + i, 0, low, fmt["wan"])
        if last:
            sheet.write_blank(3 + i, 1, None)
            label = f"≥ {low:,.0f}"
        else:
            sheet.write_number(3 + i, 1, high, fmt["wan"])
            label = f"{low:,.0f}–{high:,.0f}"
        sheet.write_string(3 + i, 2, label)
        sheet.write_number(3 + i, 3, count, fmt["int"])
    end = 3 + len(counts)
    chart = book.add_chart({"type": "column"})
    chart.add_series(
        {
            "name": _("Villages"),
            "categories": f"='{sheet_name}'!$C$4:$C${end}",
            "values": f"='{sheet_name}'!$D$4:$D${end}",
            "gap": 10,
        }
    )
    (chart_row,), breaks = _chart_rows(end, 1)
    _print_setup(sheet, title, 2)
    sheet.set_h_pagebreaks(breaks)
    chart.set_title({"name": _("Villages by total collective income")})
    chart.set_x_axis({"name": _("Total collective income (10k yuan)")})
    chart.set_y_axis({"name": _("Villages")})
    chart.set_legend({"none": True})
    sheet.insert_chart(chart_row, 0, chart, {"x_scale": 1.4})


def _lorenz(book, sheet, sheet_name: str, lorenz: dict, title: str, fmt: dict) -> None:
    sheet.write(0, 0, title, fmt["title"])
    headings = [_("Share of villages"), _("Equal incomes"), _("Without returns")]
    if lorenz["with"]:
        headings.append(_("With returns"))
    _header(sheet, 2, headings, fmt, [16, 16, 16, 16])
    for i, p in enumerate(lorenz["population"]):
        sheet.write_number(3 + i, 0, p, fmt["ratio"])
        sheet.write_number(3 + i, 1, p, fmt["ratio"])
        for col, key in ((2, "without"), (3, "with")):
            if key == "with" and not lorenz["with"]:
                continue
            value = lorenz[key][i]  # None when every income is zero (no curve)
            if value is None:
                sheet.write_blank(3 + i, col, None)
            else:
                sheet.write_number(3 + i, col, value, fmt["ratio"])
    end = 3 + len(lorenz["population"])
    chart = book.add_chart({"type": "scatter", "subtype": "straight"})
    for col, label in zip("BCD", headings[1:], strict=False):
        chart.add_series(
            {
                "name": label,
                "categories": f"='{sheet_name}'!$A$4:$A${end}",
                "values": f"='{sheet_name}'!${col}$4:${col}${end}",
                **({"line": {"dash_type": "dash", "color": "#9ca3af"}} if col == "B" else {}),
            }
        )
    (chart_row,), breaks = _chart_rows(end, 1)
    _print_setup(sheet, title, 2)
    sheet.set_h_pagebreaks(breaks)
    chart.set_title({"name": _("Lorenz curve")})
    chart.set_x_axis({"name": _("Share of villages"), "min": 0, "max": 1})
    chart.set_y_axis({"name": _("Share of income"), "min": 0, "max": 1})
    sheet.insert_chart(chart_row, 0, chart, {"x_scale": 1.2})


def _children(sheet, children: dict, title: str, fmt: dict) -> None:
    sheet.write(0, 0, title, fmt["title"])
    unit = fmt["unit"]
    money, money_fmt = _money_in(unit)
    _print_setup(sheet, title, 2, landscape=True)
    sheet.write(
        1,
        0,
        _("Theil T between: {between:.4f} ({share:.1%}); within: {within:.4f}").format(
            between=children["between"] or 0,
            share=children["between_share"] or 0,
            within=children["within"] or 0,
        ),
    )
    _header(
        sheet,
        2,
        [
            _("Code"),
            _("Name"),
            _("Villages"),
            _("Weak villages"),
            _heading(unit, _("Median total income (10k yuan)"), _("Median total income (yuan)")),
            _heading(unit, _("Mean total income (10k yuan)"), _("Mean total income (yuan)")),
            _("Gini"),
            _("Income share"),
            _("Theil T"),
            _("Contribution to within"),
        ],
        fmt,
        [12, 14, 10, 12, 18, 18, 10, 12, 10, 14],
    )
    for i, row in enumerate(children["rows"], start=3):
        sheet.write_string(i, 0, row["code"])
        sheet.write_string(i, 1, row["name"])
        sheet.write_number(i, 2, row["villages"], fmt["int"])
        sheet.write_number(i, 3, row["weak"], fmt["int"])
        sheet.write_number(i, 4, money(row["median"]), fmt[money_fmt])
        sheet.write_number(i, 5, money(row["mean"]), fmt[money_fmt])
        for col, key, kind in (
            (6, "gini", "ratio"),
            (7, "income_share", "percent"),
            (8, "theil_t", "ratio"),
            (9, "contribution", "ratio"),
        ):
            if row[key] is None:
                sheet.write_blank(i, col, None)
            else:
                sheet.write_number(i, col, row[key], fmt[kind])


def _ranking(sheet, ranking: dict, title: str, fmt: dict) -> None:
    sheet.write(0, 0, title, fmt["title"])
    unit = fmt["unit"]
    money, money_fmt = _money_in(unit)
    _print_setup(sheet, title, 2)
    _header(
        sheet,
        2,
        [
            _("Rank"),
            _("Code"),
            _("Village"),
            _heading(unit, _("Total income (10k yuan)"), _("Total income (yuan)")),
            _heading(unit, _("Operating income (10k yuan)"), _("Operating income (yuan)")),
            _("Weak"),
        ],
        fmt,
        [8, 16, 14, 18, 18, 8],
    )
    rows = ranking["top"] + ranking["bottom"][::-1]
    for i, row in enumerate(rows, start=3):
        sheet.write_number(i, 0, row["rank"])
        sheet.write_string(i, 1, row["code"])
        sheet.write_string(i, 2, row["name"])
        sheet.write_number(i, 3, money(row["total_income"]), fmt[money_fmt])
        if row["operating_income"] is None:  # not reported: a blank cell, not a zero
            sheet.write_blank(i, 4, None, fmt[money_fmt])
        else:
            sheet.write_number(i, 4, money(row["operating_income"]), fmt[money_fmt])
        sheet.write_string(i, 5, _("yes") if row["weak"] else "")


def _returns(sheet, returns: dict, title: str, fmt: dict) -> None:
    sheet.write(0, 0, title, fmt["title"])
    _print_setup(sheet, title, 2)
    if fmt["unit"] == "wan":
        received = _("Returns received: {total} (10k yuan) by {villages} villages").format(
            total=f"{returns['total'] / 1_000_000:,.2f}", villages=returns["villages_receiving"]
        )
    else:
        received = _("Returns received: {total} yuan by {villages} villages").format(
            total=f"{returns['total'] / 100:,.2f}", villages=returns["villages_receiving"]
        )
    sheet.write(1, 0, received)
    _header(
        sheet,
        2,
        [_("Indicator"), _("Without returns"), _("With returns"), pgettext("gap", "Change")],
        fmt,
        [16, 16, 16, 12],
    )
    for i, (key, label) in enumerate(
        (
            ("gini", _("Gini")),
            ("theil_t", _("Theil T")),
            ("max_min", _("Max/min")),
            ("palma", "Palma"),
            ("s80_s20", "S80/S20"),
            ("p90_p10", "P90/P10"),
        ),
        start=3,
    ):
        sheet.write_string(i, 0, label)
        for col, value in enumerate(
            (returns["without"][key], returns["with"][key], returns["change"][key]), start=1
        ):
            if value is None:
                sheet.write_blank(i, col, None)
            else:
                sheet.write_number(i, col, value, fmt["ratio"])
