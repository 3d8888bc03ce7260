from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from audit.context import change_context
from core.actors import SYSTEM
from points.models import Scheme
from points.services import import_entries
from registry.management.commands.import_stats import format_error


class Command(BaseCommand):
    help = (
        "Import the points sheet of a village meeting (户号, 项目编号, 日期, 备注, 佐证) into a "
        "scheme as proposed entries. Every row is checked first and nothing is written if any "
        "row is wrong; importing the same file again changes nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)
        parser.add_argument("--scheme", type=int, required=True, help="The scheme's id.")
        parser.add_argument("--dry-run", action="store_true", help="Validate, write nothing.")

    def handle(self, *args, file: Path, scheme: int, dry_run: bool, **options):
        if not file.is_file():
            raise CommandError(_("No such file: {path}").format(path=file))
        found = Scheme.objects.select_related("village", "grid").filter(pk=scheme).first()
        if found is None:
            raise CommandError(_("No points scheme {pk}.").format(pk=scheme))
        with change_context(user=SYSTEM, source="cli", path="points_import"):
            result = import_entries(file, actor=SYSTEM, scheme=found, dry_run=dry_run)
        if result.errors:
            for error in result.errors:
                self.stderr.write(format_error(error))
            raise CommandError(
                _("{count} errors: nothing was imported.").format(count=len(result.errors)),
                returncode=1,
            )
        summary = _("Created {created}, unchanged {unchanged}.").format(
            created=result.created, unchanged=result.unchanged
        )
        if dry_run:
            summary = _("Dry run, nothing written. Would have: {summary}").format(summary=summary)
        self.stdout.write(self.style.SUCCESS(summary))
