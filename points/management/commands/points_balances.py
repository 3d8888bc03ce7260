import csv
import datetime as dt
import json

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from points.selectors import balances
from registry.models import Village

FIELDS = ["household", "effective", "verified_not_effective", "redeemed", "balance"]


class Command(BaseCommand):
    help = (
        "The points balances of every household of a village (all its schemes) as of a day: "
        "household number, effective, verified-not-yet-effective, redeemed, balance."
    )

    def add_arguments(self, parser):
        parser.add_argument("--village", required=True, help="The village's 12-digit code.")
        parser.add_argument("--as-of", required=True, help="YYYY-MM-DD")
        parser.add_argument("--format", choices=["csv", "json"], default="csv")

    def handle(self, *args, village: str, as_of: str, format: str, **options):
        try:
            day = dt.date.fromisoformat(as_of)
        except ValueError:
            raise CommandError(_("Write the date as YYYY-MM-DD.")) from None
        if not Village.objects.filter(pk=village).exists():
            raise CommandError(_("No village {code}.").format(code=village))
        rows = [
            {
                "household": b.number,
                "effective": b.effective,
                "verified_not_effective": b.pending,
                "redeemed": b.redeemed,
                "balance": b.balance,
            }
            for b in balances(region=village, day=day)
        ]
        if format == "json":
            self.stdout.write(json.dumps(rows, ensure_ascii=False, indent=1))
            return
        writer = csv.DictWriter(self.stdout, fieldnames=FIELDS, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
