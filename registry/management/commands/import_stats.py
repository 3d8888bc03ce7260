from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from audit.context import change_context
from core.actors import SYSTEM
from registry.services.stats_io import import_stats


def format_error(error) -> str:
    """One error line: row and column as the spreadsheet shows them, value, message."""
    if error.row is None:
        return _("File: {message}").format(message=error.message)
    value = "" if error.value in (None, "") else _(" (value: {value})").format(value=error.value)
    return _("Row {row}, column {column}: {message}{value}").format(
        row=error.row, column=error.column, message=error.message, value=value
    )


class Command(BaseCommand):
    help = (
        "Import village statistics from xlsx or CSV files in the template format "
        "(统计用区划代码, 年度, 集体经济总收入, …): one file, several, or a folder of them, "
        "all or nothing. A CSV file is read a chunk at a time (a national file of 6.2 "
        "million rows); an xlsx sheet holds at most 1,048,576 rows, so split larger data "
        "into several files or use CSV. Validates every row first and writes nothing if any "
        "row is wrong; re-importing the same files changes nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path, nargs="+", help="files or folders")
        parser.add_argument(
            "--dry-run", action="store_true", help="Validate and count, write nothing."
        )

    def handle(self, *args, file: list[Path], dry_run: bool, verbosity: int, **options):
        for path in file:
            if not path.is_file() and not path.is_dir():
                raise CommandError(_("No such file: {path}").format(path=path))
        source = file[0] if len(file) == 1 else file

        def progress(done: int, total: int, phase: str) -> None:
            if verbosity > 1:
                self.stderr.write(f"{phase} {done}/{total}")

        with change_context(user=SYSTEM, source="cli", path="import_stats"):
            result = import_stats(source, actor=SYSTEM, dry_run=dry_run, progress=progress)
        for column in result.ignored_columns:
            self.stderr.write(
                self.style.WARNING(_("Ignored unknown column: {column}").format(column=column))
            )
        if result.errors:
            for error in result.errors:
                self.stderr.write(format_error(error))
            raise CommandError(
                _("{count} errors: nothing was imported.").format(count=len(result.errors)),
                returncode=1,
            )
        summary = _("Created {created}, updated {updated}, unchanged {unchanged}.").format(
            created=result.created, updated=result.updated, unchanged=result.unchanged
        )
        if dry_run:
            summary = _("Dry run, nothing written. Would have: {summary}").format(summary=summary)
        self.stdout.write(self.style.SUCCESS(summary))
