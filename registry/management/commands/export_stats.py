from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from registry.sheets import export_stats


class Command(BaseCommand):
    help = (
        "Export village statistics in the import template format (xlsx or CSV, by the "
        "output file's extension), so that the file can be edited and imported again."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "-o", "--output", type=Path, required=True, help="FILE.xlsx or FILE.csv"
        )
        parser.add_argument("--year", type=int, help="Only this year.")
        parser.add_argument("--region", help="Only villages under this region code (e.g. 330482).")

    def handle(self, *args, output: Path, year: int | None, region: str | None, **options):
        fmt = output.suffix.lower().lstrip(".")
        if fmt not in ("xlsx", "csv"):
            raise CommandError(_("The output file must end in .xlsx or .csv."))
        if region is not None and (not region.isdigit() or len(region) > 12):
            raise CommandError(_("A region code is up to 12 digits."))
        count = export_stats(output, fmt, year=year, region=region)
        self.stdout.write(
            self.style.SUCCESS(
                _("Exported {count} rows to {path}.").format(count=count, path=output)
            )
        )
