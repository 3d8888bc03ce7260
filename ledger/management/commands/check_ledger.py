from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from ledger.checks import check_ledger
from ledger.models import JournalEntry, Period, Posting


class Command(BaseCommand):
    help = (
        "Check every invariant of the ledger (entries balance, reversals mirror their "
        "originals, snapshots equal the postings, locks hold). Exits non-zero on a problem."
    )

    def handle(self, *args, **options):
        problems = check_ledger()
        if problems:
            for problem in problems:
                self.stderr.write(self.style.ERROR(problem))
            raise CommandError(
                _("The ledger check found {count} problem(s).").format(count=len(problems))
            )
        self.stdout.write(
            self.style.SUCCESS(
                _(
                    "Ledger check passed: {entries} entries, {postings} postings, {periods} "
                    "locked months."
                ).format(
                    entries=JournalEntry.objects.count(),
                    postings=Posting.objects.count(),
                    periods=Period.objects.count(),
                )
            )
        )
