"""The enclave programme of a region group (山区26县): what its parks paid, whom it lifted
above the weak line, and what it did to the gap among the group's villages.

Read from the ledger: a park's distribution run posts one entry that credits each holder
village's payable account ("Venture-<pk>-Village-<code>", `ventures.models.
PAYABLE_VILLAGE_INFIX`), and a reversal posts the mirror entry. The returns paid are minus
the sum of those credits, over the posted and the reversal entries of the runs of the
programme's parks (a reversed run nets to zero), attributed to the holder village's county
and to the year the run's period ends in. Set-based: one `SUM … GROUP BY county, period` for
every year, one `GROUP BY village` for the year shown.

For the year shown, every village of the group's counties with statistics that year:
- weak with the returns: `is_weak` of the registry's rule (the statistics include the
  returns received, as a village's books do);
- weak without them: its figures less the returns received are below the line, read from
  the same rule as `weak_margin` (`VillageStatQuerySet.with_weak_margin`): weak without
  exactly when the returns exceed the margin;
- lifted: weak without, not weak with;
- the gap: Gini (exact on fen) and Theil T with its between/within-county decomposition
  (`lib.inequality`) on total collective income, with and without the returns (income less
  returns, floored at zero: a village whose returns exceed its recorded income is counted
  in `floored`).

Everything is JSON-safe (the API answers it as it is) and read through
`analytics.selectors.cached`; a fixed number of queries whatever the number of villages.
"""

from __future__ import annotations

import io
from typing import Any

import numpy as np
import xlsxwriter
from django.db import connection
from django.utils.translation import gettext as _

from analytics.reports import UNITS, _money_in, _print_setup
from analytics.selectors import _gini, _num
from core.errors import Invalid
from ledger.choices import AccountKind
from ledger.models import Account, JournalEntry, Posting
from lib import inequality
from lib.money import sum_fen
from registry.models import Region, RegionGroup, Village, VillageStat
from ventures.choices import VentureKind
from ventures.models import PAYABLE_VILLAGE_INFIX, DistributionRun, Venture

__all__ = ["DEFAULT_GROUP", "paid_sql", "programme", "workbook"]

DEFAULT_GROUP = "shanqu26"


def _tables() -> dict[str, str]:
    return {
        "posting": Posting._meta.db_table,
        "account": Account._meta.db_table,
        "entry": JournalEntry._meta.db_table,
        "run": DistributionRun._meta.db_table,
        "venture": Venture._meta.db_table,
        "village": Village._meta.db_table,
    }


def _expressions() -> tuple[str, str]:
    """(the holder village's code, its county's code) from the payable account's name, in
    this database's SQL. NBS codes are prefix-hierarchical, so the county is the village
    code's first six digits (as `Village.county`, denormalised from the code)."""
    if connection.vendor == "postgresql":
        return "RIGHT(a.name, 12)", "LEFT(RIGHT(a.name, 12), 6)"
    return "SUBSTR(a.name, -12)", "SUBSTR(a.name, -12, 6)"


def _postings_sql(key: str, where: str = "") -> str:
    """The programme's payable credits as (`key`, the run's period end, amount paid), from
    the posted entries of its parks' runs and from their reversal entries (UNION ALL: each
    side is found by the posting's entry index). `key` is "code" (the holder village) or
    "county"."""
    t = _tables()
    code, county = _expressions()
    parts = []
    for column in ("posted_entry_id", "reversal_entry_id"):
        parts.append(
            f"SELECT {code if key == 'code' else county} AS holder, r.period_end AS period_end, "
            "-p.amount AS paid "
            f"FROM {t['run']} r "
            f"JOIN {t['venture']} v ON v.id = r.venture_id "
            f"JOIN {t['posting']} p ON p.entry_id = r.{column} "
            f"JOIN {t['account']} a ON a.id = p.account_id "
            "WHERE v.programme_id = %s AND v.kind = %s AND a.kind = %s AND a.name LIKE %s"
            f"{where}"
        )
    return " UNION ALL ".join(parts)


def _params(group: str) -> list:
    return [
        group,
        VentureKind.ENCLAVE_PARK,
        AccountKind.DISTRIBUTION_PAYABLE,
        f"Venture-%{PAYABLE_VILLAGE_INFIX}%",
    ]


def paid_sql() -> str:
    """Returns paid per holder county and period end (one statement; params: `_params` twice).
    Grouped by the period end rather than its year, so that no date function runs per row;
    the periods of a year are added up afterwards (a few hundred rows)."""
    return (
        f"SELECT t.holder, t.period_end, SUM(t.paid) FROM ({_postings_sql('county')}) t "
        "GROUP BY t.holder, t.period_end"
    )


def _rows(sql: str, params) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def _paid_by_county_year(group: str) -> list[tuple[str, int, int]]:
    """(county, year, fen paid), from `paid_sql`."""
    totals: dict[tuple[str, int], int] = {}
    for county, period_end, paid in _rows(paid_sql(), _params(group) * 2):
        year = period_end.year if hasattr(period_end, "year") else int(str(period_end)[:4])
        totals[(county, year)] = totals.get((county, year), 0) + int(paid)
    return [(county, year, paid) for (county, year), paid in sorted(totals.items())]


def _received_in(group: str, year: int) -> dict[str, int]:
    """Returns received per holder village in `year` (fen)."""
    inner = _postings_sql("code", where=" AND r.period_end >= %s AND r.period_end <= %s")
    params = (_params(group) + [f"{year}-01-01", f"{year}-12-31"]) * 2
    rows = _rows(f"SELECT t.holder, SUM(t.paid) FROM ({inner}) t GROUP BY t.holder", params)
    return {code: int(paid) for code, paid in rows if paid}


def _gap(values: np.ndarray, counties: np.ndarray) -> dict[str, Any]:
    """Gini and Theil T with its between/within-county parts (None when all are zero)."""
    if not values.size or not values.any():
        return {
            "gini": None,
            "theil_t": None,
            "between": None,
            "within": None,
            "between_share": None,
        }
    d = inequality.theil_decomposition(values, counties, kind="T")
    return {
        "gini": _gini(values),
        "theil_t": _num(d.total),
        "between": _num(d.between),
        "within": _num(d.within),
        "between_share": _num(d.between_share),
    }


def programme(group_code: str = DEFAULT_GROUP, year: int | None = None) -> dict[str, Any]:
    """The programme's figures (see the module); `year` None: the latest year paid.

    Raises Invalid for an unknown group.
    """
    group = (
        RegionGroup.objects.filter(code=group_code)
        .values("code", "name", "requires_members_for_pairing", "source")
        .first()
    )
    if group is None:
        raise Invalid(_("Unknown region group “{code}”.").format(code=group_code))
    counties = list(
        Region.objects.filter(group_memberships__group_id=group_code)
        .order_by("code")
        .values_list("code", "name")
    )
    county_names = dict(counties)
    parks = [
        {
            "id": pk,
            "name": name,
            "site_county": site,
            "owner_county": owner,
            "owner_county_code": owner_code,
            "is_illustrative": illustrative,
        }
        for pk, name, site, owner, owner_code, illustrative in Venture.objects.filter(
            programme_id=group_code, kind=VentureKind.ENCLAVE_PARK
        )
        .order_by("name")
        .values_list(
            "pk",
            "name",
            "site_county__name",
            "owner_county__name",
            "owner_county_id",
            "is_illustrative",
        )
    ]
    paid = _paid_by_county_year(group_code)
    years = sorted({y for _c, y, _p in paid})
    if year is None:
        year = years[-1] if years else None
    per_county: dict[str, dict[int, int]] = {}
    outside: dict[int, int] = {}
    for county, y, amount in paid:
        if county in county_names:
            per_county.setdefault(county, {})[y] = amount
        else:
            outside[y] = outside.get(y, 0) + amount
    by_year = {y: 0 for y in years}
    for _county, y, amount in paid:
        by_year[y] += amount

    rows = []
    if year is not None:
        received = _received_in(group_code, year)
        stats = list(
            VillageStat.objects.filter(year=year, village__county_id__in=list(county_names))
            .with_weak_margin(years=[year])
            .order_by()
            # Weak with the returns is weak_margin < 0 (the registry's rule, read once); the
            # county is the code's first six digits (as Village.county).
            .values_list("village_id", "total_income", "weak_margin", "is_illustrative")
        )
    else:
        received, stats = {}, []
    codes = [row[0] for row in stats]
    village_county = np.array([code[:6] for code in codes], dtype=object)
    income = np.array([row[1] for row in stats], dtype=np.int64)
    got = np.array([received.get(code, 0) for code in codes], dtype=np.int64)
    without = np.maximum(income - got, 0)
    weak_with = [row[2] is not None and row[2] < 0 for row in stats]
    weak_without = [row[2] is not None and int(got[i]) > row[2] for i, row in enumerate(stats)]
    county_stats: dict[str, dict[str, int]] = {
        code: {"villages": 0, "weak_with": 0, "weak_without": 0, "lifted": 0, "received": 0}
        for code in county_names
    }
    for i, code in enumerate(codes):
        c = county_stats[code[:6]]
        c["villages"] += 1
        c["weak_with"] += weak_with[i]
        c["weak_without"] += weak_without[i]
        c["lifted"] += weak_without[i] and not weak_with[i]
        c["received"] += int(got[i])
    for code, name in counties:
        series = per_county.get(code, {})
        rows.append(
            {
                "code": code,
                "name": name,
                "paid": [series.get(y, 0) for y in years],
                "total": sum(series.values()),
                **county_stats[code],
            }
        )
    return {
        "group": group,
        "counties": len(counties),
        "parks": parks,
        "years": years,
        "year": year,
        "by_county": rows,
        "by_year": [by_year[y] for y in years],
        "outside_group": [outside.get(y, 0) for y in years],
        "total": sum(by_year.values()),
        "villages": len(stats),
        "received_in_year": sum_fen(got) if got.size else 0,
        "received_outside_statistics": sum(received.values()) - (sum_fen(got) if got.size else 0),
        "weak_with": sum(weak_with),
        "weak_without": sum(weak_without),
        "lifted": sum(1 for w, wo in zip(weak_with, weak_without, strict=True) if wo and not w),
        "floored": int(((income - got) < 0).sum()) if got.size else 0,
        "gap_with": _gap(income, village_county),
        "gap_without": _gap(without, village_county),
        "is_illustrative": any(p["is_illustrative"] for p in parks) or any(row[3] for row in stats),
    }


# --- the xlsx report -------------------------------------------------------------------


def workbook(data: dict[str, Any], unit: str = UNITS[0]) -> bytes:
    """The programme as an xlsx workbook (A4, 万元 by default): the summary, returns paid
    per county and year, and the villages lifted per county."""
    if unit not in UNITS:
        raise ValueError(f"unit must be one of {UNITS}")
    money, money_key = _money_in(unit)
    unit_label = _("10k yuan") if unit == "wan" else _("yuan")
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True, "strings_to_formulas": False})
    fmt = {
        "title": book.add_format({"bold": True, "font_size": 14}),
        "head": book.add_format(
            {"bold": True, "bg_color": "#f3f4f6", "border": 1, "text_wrap": True, "valign": "top"}
        ),
        "money": book.add_format({"num_format": "#,##0.00"}),
        "wan_money": book.add_format({"num_format": "#,##0.00"}),
        "ratio": book.add_format({"num_format": "0.0000"}),
        "int": book.add_format({"num_format": "#,##0"}),
        "note": book.add_format({"italic": True, "font_color": "#6b7280"}),
    }
    title = _("{group}: enclave programme").format(group=data["group"]["name"])
    mark = _("示例 (illustrative figures)") if data["is_illustrative"] else ""

    summary = book.add_worksheet(_("Summary"))
    summary.write(0, 0, title, fmt["title"])
    if mark:
        summary.write(1, 0, mark, fmt["note"])
    lines = [
        (_("Counties in the group"), data["counties"], "int"),
        (_("Enclave parks"), len(data["parks"]), "int"),
        (
            _("Returns paid, all years ({unit})").format(unit=unit_label),
            money(data["total"]),
            money_key,
        ),
        (_("Year shown"), data["year"], "int"),
        (_("Villages with statistics"), data["villages"], "int"),
        (
            _("Returns received that year ({unit})").format(unit=unit_label),
            money(data["received_in_year"]),
            money_key,
        ),
        (_("Weak villages with the returns"), data["weak_with"], "int"),
        (_("Weak villages without the returns"), data["weak_without"], "int"),
        (_("Villages lifted above the weak line by the returns"), data["lifted"], "int"),
        (_("Gini with the returns"), data["gap_with"]["gini"], "ratio"),
        (_("Gini without the returns"), data["gap_without"]["gini"], "ratio"),
        (_("Theil T with the returns"), data["gap_with"]["theil_t"], "ratio"),
        (_("of which between counties"), data["gap_with"]["between"], "ratio"),
        (_("of which within counties"), data["gap_with"]["within"], "ratio"),
        (_("Theil T without the returns"), data["gap_without"]["theil_t"], "ratio"),
        (_("of which between counties"), data["gap_without"]["between"], "ratio"),
        (_("of which within counties"), data["gap_without"]["within"], "ratio"),
    ]
    summary.write_row(3, 0, [_("Figure"), _("Value")], fmt["head"])
    for i, (label, value, key) in enumerate(lines, start=4):
        summary.write(i, 0, label)
        if value is None:
            summary.write_blank(i, 1, None)
        else:
            summary.write_number(i, 1, value, fmt[key])
    summary.set_column(0, 0, 44)
    summary.set_column(1, 1, 16)
    _print_setup(summary, title, 3)

    paid = book.add_worksheet(_("Returns by county"))
    paid.write(
        0, 0, _("Returns paid per county and year ({unit})").format(unit=unit_label), fmt["title"]
    )
    if mark:
        paid.write(1, 0, mark, fmt["note"])
    head = [_("Code"), _("County")] + [str(y) for y in data["years"]] + [_("Total")]
    paid.write_row(3, 0, head, fmt["head"])
    row = 4
    for county in data["by_county"]:
        paid.write_string(row, 0, county["code"])
        paid.write_string(row, 1, county["name"])
        for j, amount in enumerate(county["paid"]):
            paid.write_number(row, 2 + j, money(amount), fmt[money_key])
        paid.write_number(row, 2 + len(data["years"]), money(county["total"]), fmt[money_key])
        row += 1
    if any(data["outside_group"]):
        paid.write_string(row, 1, _("Holders outside the group"))
        for j, amount in enumerate(data["outside_group"]):
            paid.write_number(row, 2 + j, money(amount), fmt[money_key])
        paid.write_number(
            row, 2 + len(data["years"]), money(sum(data["outside_group"])), fmt[money_key]
        )
        row += 1
    paid.write_string(row, 1, _("Total"), fmt["head"])
    for j, amount in enumerate(data["by_year"]):
        paid.write_number(row, 2 + j, money(amount), fmt[money_key])
    paid.write_number(row, 2 + len(data["years"]), money(data["total"]), fmt[money_key])
    paid.set_column(0, 0, 9)
    paid.set_column(1, 1, 16)
    paid.set_column(2, 2 + len(data["years"]), 12)
    _print_setup(paid, title, 3, landscape=len(data["years"]) > 6)

    lifted = book.add_worksheet(_("Weak villages"))
    lifted.write(
        0, 0, _("Weak villages per county in {year}").format(year=data["year"]), fmt["title"]
    )
    if mark:
        lifted.write(1, 0, mark, fmt["note"])
    lifted.write_row(
        3,
        0,
        [
            _("Code"),
            _("County"),
            _("Villages with statistics"),
            _("Returns received ({unit})").format(unit=unit_label),
            _("Weak with the returns"),
            _("Weak without the returns"),
            _("Lifted"),
        ],
        fmt["head"],
    )
    for i, county in enumerate(data["by_county"], start=4):
        lifted.write_string(i, 0, county["code"])
        lifted.write_string(i, 1, county["name"])
        lifted.write_number(i, 2, county["villages"], fmt["int"])
        lifted.write_number(i, 3, money(county["received"]), fmt[money_key])
        lifted.write_number(i, 4, county["weak_with"], fmt["int"])
        lifted.write_number(i, 5, county["weak_without"], fmt["int"])
        lifted.write_number(i, 6, county["lifted"], fmt["int"])
    lifted.set_column(0, 0, 9)
    lifted.set_column(1, 1, 16)
    lifted.set_column(2, 6, 13)
    _print_setup(lifted, title, 3)
    book.close()
    return buffer.getvalue()
