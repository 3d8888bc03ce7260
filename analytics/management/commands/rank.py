"""`baotuan rank --scheme ID --year Y [--year Y ...] [--correct REASON]`."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from analytics import services
from analytics.models import RankingScheme
from audit.context import change_context
from core.actors import SYSTEM


class Command(BaseCommand):
    help = "Compute and freeze a ranking scheme's snapshot for one or more years."

    def add_arguments(self, parser):
        parser.add_argument("--scheme", required=True, type=int, help="ranking scheme id")
        parser.add_argument(
            "--year",
            required=True,
            type=int,
            action="append",
            help="year to rank (repeat for several)",
        )
        parser.add_argument(
            "--correct",
            metavar="REASON",
            help="correct a frozen year: a new version with this reason",
        )

    def handle(self, *args, scheme, year, correct, **options):
        try:
            ranking_scheme = RankingScheme.objects.get(pk=scheme)
        except RankingScheme.DoesNotExist:
            raise CommandError(f"No ranking scheme with id {scheme}.") from None
        with change_context(user=SYSTEM, source="cli", path="rank"):
            for one_year in year:
                try:
                    snapshot = services.compute_snapshot(
                        ranking_scheme, one_year, actor=SYSTEM, correction=correct
                    )
                except services.RankingError as exc:
                    raise CommandError(str(exc)) from None
                first = snapshot.entries.order_by("rank", "village_id").select_related("village")[
                    :3
                ]
                leaders = ", ".join(f"{e.rank}. {e.village.short_name} {e.score}" for e in first)
                self.stdout.write(
                    f"{ranking_scheme.name} {one_year} v{snapshot.version}: "
                    f"{snapshot.entries.count()} villages; {leaders}"
                )
