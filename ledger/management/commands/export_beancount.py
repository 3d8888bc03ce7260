from datetime import date
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from ledger.exceptions import LedgerError
from ledger.export import export_beancount


def _date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise CommandError(_("Write the date as YYYY-MM-DD.")) from None


class Command(BaseCommand):
    help = (
        "Export the ledger in beancount syntax (accounts, transactions, balance assertions "
        "from the snapshots), for checking with bean-check or querying with bean-query."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "-o", "--output", required=True, help="FILE.beancount, or - for standard output"
        )
        parser.add_argument("--until", type=_date, help="Only entries up to this date.")
        parser.add_argument(
            "--no-assertions",
            action="store_true",
            help="Leave out the balance assertions from the snapshots.",
        )

    def handle(self, *args, output: str, until: date | None, no_assertions: bool, **options):
        try:
            if output == "-":
                self.stdout.ending = ""  # the export writes whole lines itself
                counts = export_beancount(self.stdout, until=until, assertions=not no_assertions)
            else:
                with Path(output).open("w", encoding="utf-8") as out:
                    counts = export_beancount(out, until=until, assertions=not no_assertions)
        except LedgerError as error:
            raise CommandError(str(error)) from None
        if output != "-":
            self.stdout.write(
                self.style.SUCCESS(
                    _(
                        "Exported {accounts} accounts, {entries} entries, {postings} postings "
                        "and {balances} balance assertions to {path}."
                    ).format(**counts, path=output)
                )
            )
