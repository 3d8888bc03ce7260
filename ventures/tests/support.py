"""Helpers of the ventures tests: the villages of the enclave park's register, and a snapshot
of every row the services write (what a refused call must leave as it was)."""

from audit.models import ObjectChange
from ledger.models import Account, JournalEntry, Posting
from ventures.models import (
    Contribution,
    DistributionLine,
    DistributionRun,
    IncomeReceipt,
    PublicNotice,
    Stake,
    Venture,
)

__all__ = ["FENGSHAN", "SHANTANG", "XUJIADAI", "snapshot"]

FENGSHAN, XUJIADAI, SHANTANG = "331121201201", "330482107208", "330482106209"


def snapshot() -> dict:
    """Every row the ventures services write (and the ledger's): what a refusal must keep."""
    models = (
        Venture,
        Stake,
        Contribution,
        IncomeReceipt,
        DistributionRun,
        DistributionLine,
        PublicNotice,
        Account,
        JournalEntry,
    )
    rows = {model.__name__: list(model.objects.order_by("pk").values()) for model in models}
    rows["postings"] = list(
        Posting.objects.order_by("pk").values_list("entry_id", "account_id", "amount")
    )
    rows["changes"] = ObjectChange.objects.count()
    return rows
