"""`baotuan indicators --region CODE --year Y [--format json|table]`."""

from __future__ import annotations

import json

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from analytics import services


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
        parser.add_argument("--year", required=True, type=int)
        parser.add_argument("--format", choices=("json", "table"), default="table")

    def handle(self, *args, region, year, format, **options):
        try:
            data = services.indicators(region, year)
        except ValueError as exc:
            raise CommandError(str(exc)) from None
        if format == "json":
            self.stdout.write(json.dumps(data, ensure_ascii=False, indent=2))
        else:
            self.stdout.write("\n".join(table(data)))


def table(data: dict) -> list[str]:
    """The indicators as aligned text lines (money in yuan)."""
    lines = [
        f"{data['region']['name']} ({data['region']['code']}) · {data['year']}",
        "",
        f"{_('Villages with statistics')}: {data['villages']}",
    ]
    weak = data["weak"]
    lines += [
        f"{_('Weak villages')}: {weak['count']} ({_number(weak['share'] * 100, 1)}%)",
        f"{_('Weak villages the year before')}: {weak['previous_year'] if weak['previous_year'] is not None else '—'}",
        f"{_('Lifted since the year before')}: {weak['lifted'] if weak['lifted'] is not None else '—'}",
        "",
        f"{_('Income (yuan)'):<16}{'min':>16}{'P10':>16}{'median':>16}{'P90':>16}{'max':>16}{'mean':>16}",
    ]
    for key, label in (("total_income", _("Total")), ("operating_income", _("Operating"))):
        d = data[key]
        lines.append(
            f"{label:<16}" + "".join(
                f"{_yuan(d[k]):>16}" for k in ("min", "p10", "median", "p90", "max", "mean")
            )
        )
    r = data["ratios"]
    lines += [
        "",
        f"{_('Gini (total income)')}: {_number(data['gini'])}",
        f"{_('Theil T (total income)')}: {_number(data['theil_t'])}",
        f"{_('Max/min')}: {_number(r['max_min'], 2)}  Palma: {_number(r['palma'], 2)}  "
        f"S80/S20: {_number(r['s80_s20'], 2)}  P90/P10: {_number(r['p90_p10'], 2)}",
        f"{_('Growth of the median')}: {_percent(data['growth']['median'])}  "
        f"{_('Growth of the mean')}: {_percent(data['growth']['mean'])}",
    ]
    for key, label in (("by_county", _("Theil T by county")), ("by_township", _("Theil T by township"))):
        d = data[key]
        lines += [
            "",
            f"{label}: {_('between')} {_number(d['between'])} "
            f"({_number((d['between_share'] or 0) * 100, 1)}%), {_('within')} {_number(d['within'])}",
        ]
        for g in d["top_groups"]:
            lines.append(
                f"  {g['code']:<10}{g['name']:<12}{g['villages']:>5}  "
                f"T={_number(g['theil_t'])}  {pgettext('inequality', 'contribution')}={_number(g['contribution'])}"
            )
    returns = data["returns"]
    if returns:
        lines += [
            "",
            f"{_('Returns received')}: {_yuan(returns['total'])} "
            f"({returns['villages_receiving']} {_('villages')})",
        ]
        for v in returns["per_village"][:10]:
            lines.append(f"  {v['code']}  {v['name']:<10}{_yuan(v['amount']):>16}")
        w, wo = returns["with"], returns["without"]
        lines += [
            f"{'':<24}{_('without'):>12}{_('with'):>12}{_('change'):>12}",
            *(
                f"{label:<24}{_number(wo[k]):>12}{_number(w[k]):>12}{_number(returns['change'][k]):>12}"
                for k, label in (("gini", "Gini"), ("theil_t", "Theil T"), ("max_min", _("Max/min")),
                                 ("palma", "Palma"), ("s80_s20", "S80/S20"))
            ),
        ]
    return lines
