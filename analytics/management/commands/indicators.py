"""`baotuan indicators --region CODE [--year Y] [--format json|table]`.

Without --year, the region's latest complete year (registry.selectors.Reporting). The JSON
carries `year`, `coverage` ({"reported": N, "expected": M}) and `complete`.
"""

from __future__ import annotations

import json

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from analytics import selectors


def _yuan(fen: int | None) -> str:
    return "—" if fen is None else f"{fen / 100:,.2f}"


def _number(value: float | None, places: int = 4) -> str:
    return "—" if value is None else f"{value:.{places}f}"


def _percent(value: float | None) -> str:
    return "—" if value is None else f"{value * 100:+.1f}%"


class Command(BaseCommand):
    help = "Print the gap indicators of a region in a year (from the statistics)."

    def add_arguments(self, parser):
        parser.add_argument("--region", required=True, help="region code (2, 4, 6 or 9 digits)")
        parser.add_argument(
            "--year",
            type=int,
            default=None,
            help="statistics year (default: the region's latest complete year)",
        )
        parser.add_argument("--format", choices=("json", "table"), default="table")

    def handle(self, *args, region, year, format, **options):
        try:
            data = selectors.indicators(region, year)
        except ValueError as exc:
            raise CommandError(str(exc)) from None
        if format == "json":
            self.stdout.write(json.dumps(data, ensure_ascii=False, indent=2))
        else:
            self.stdout.write("\n".join(table(data)))


def _labels() -> dict[str, str]:
    # Looked up once per call (the active language), and written as plain _() calls so that
    # makemessages finds them (it does not read inside f-strings).
    return {
        "villages": _("Villages with statistics"),
        "coverage": _("Coverage"),
        "incomplete": _(
            "incomplete: too few villages have reported this year for the figures to speak "
            "for the region"
        ),
        "weak": _("Weak villages"),
        "weak_before": _("Weak villages the year before"),
        "lifted": _("Lifted since the year before"),
        "income": _("Income (yuan)"),
        "total": _("Total"),
        "operating": _("Operating"),
        "gini": _("Gini (total income)"),
        "theil": _("Theil T (total income)"),
        "max_min": _("Max/min"),
        "growth_median": _("Growth of the median"),
        "growth_mean": _("Growth of the mean"),
        "by_county": _("Theil T by county"),
        "by_township": _("Theil T by township"),
        "between": _("between"),
        "within": _("within"),
        "contribution": pgettext("inequality", "contribution"),
        "returns": _("Returns received"),
        "villages_short": _("villages"),
        "without": _("without returns"),
        "with": _("with returns"),
        "change": pgettext("inequality", "change"),
    }


def table(data: dict) -> list[str]:
    """The indicators as aligned text lines (money in yuan)."""
    label = _labels()
    weak = data["weak"]
    previous = weak["previous_year"] if weak["previous_year"] is not None else "—"
    lifted = weak["lifted"] if weak["lifted"] is not None else "—"
    lines = [
        f"{data['region']['name']} ({data['region']['code']}) · {data['year']}",
        "",
        f"{label['villages']}: {data['villages']}",
        f"{label['coverage']}: {data['coverage']['reported']:,}/{data['coverage']['expected']:,}"
        + ("" if data["complete"] else f" ({label['incomplete']})"),
        f"{label['weak']}: {weak['count']} ({_number(weak['share'] * 100, 1)}%)",
        f"{label['weak_before']}: {previous}",
        f"{label['lifted']}: {lifted}",
        "",
        f"{label['income']:<16}"
        + "".join(f"{name:>16}" for name in ("min", "P10", "median", "P90", "max", "mean")),
    ]
    for key, name in (("total_income", label["total"]), ("operating_income", label["operating"])):
        d = data[key]
        lines.append(
            f"{name:<16}"
            + "".join(f"{_yuan(d[k]):>16}" for k in ("min", "p10", "median", "p90", "max", "mean"))
        )
    r = data["ratios"]
    lines += [
        "",
        f"{label['gini']}: {_number(data['gini'])}",
        f"{label['theil']}: {_number(data['theil_t'])}",
        f"{label['max_min']}: {_number(r['max_min'], 2)}  Palma: {_number(r['palma'], 2)}  "
        f"S80/S20: {_number(r['s80_s20'], 2)}  P90/P10: {_number(r['p90_p10'], 2)}",
        f"{label['growth_median']}: {_percent(data['growth']['median'])}  "
        f"{label['growth_mean']}: {_percent(data['growth']['mean'])}",
    ]
    for key in ("by_county", "by_township"):
        d = data[key]
        share = _number((d["between_share"] or 0) * 100, 1)
        lines += [
            "",
            f"{label[key]}: {label['between']} {_number(d['between'])} ({share}%), "
            f"{label['within']} {_number(d['within'])}",
        ]
        for g in d["top_groups"]:
            lines.append(
                f"  {g['code']:<10}{g['name']:<12}{g['villages']:>5}  "
                f"T={_number(g['theil_t'])}  {label['contribution']}={_number(g['contribution'])}"
            )
    returns = data["returns"]
    if returns:
        lines += [
            "",
            f"{label['returns']}: {_yuan(returns['total'])} "
            f"({returns['villages_receiving']} {label['villages_short']})",
        ]
        for v in returns["per_village"][:10]:
            lines.append(f"  {v['code']}  {v['name']:<10}{_yuan(v['amount']):>16}")
        w, wo = returns["with"], returns["without"]
        lines.append(f"{'':<24}{label['without']:>12}{label['with']:>12}{label['change']:>12}")
        for k, name in (
            ("gini", "Gini"),
            ("theil_t", "Theil T"),
            ("max_min", label["max_min"]),
            ("palma", "Palma"),
            ("s80_s20", "S80/S20"),
        ):
            lines.append(
                f"{name:<24}{_number(wo[k]):>12}{_number(w[k]):>12}"
                f"{_number(returns['change'][k]):>12}"
            )
    return lines
