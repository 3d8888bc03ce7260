"""The beancount export: an independent tool (beancount v3) accepts the ledger as is."""

import shutil
import subprocess
import sys
from decimal import Decimal
from io import StringIO
from pathlib import Path

import pytest
from beancount import loader
from beancount.core import data
from django.core.management import CommandError, call_command

from core.actors import SYSTEM
from ledger.export import export_beancount, yuan
from ledger.services import get_account, lock_period, post_entry, reverse_entry
from tests.support import D


@pytest.fixture
def small_ledger(chart, xujiadai, enclave_company):
    """
    2024-01-10 * "Rent from the \"enclave\" park"   Cash 1,000,000.00 / Income -1,000,000.00
    2024-01-31 * "Dividend"  Income 300,000.01 / Owed 徐家埭村 -200,000.00 / Owed 峰山村 -100,000.01
    2024-02-02 * "Reversal of entry 2: Dividend"  (the mirror) #reversal
    2024-02-05 * "Paid in capital" 徐家埭村's cash 5.00 / its 股本 (named 首期) -5.00
    locked: 2024-01  (balance assertions dated 2024-02-01)
    """
    capital = get_account(kind="capital", village=xujiadai, name="首期", actor=SYSTEM)
    post_entry(
        date=D("2024-01-10"),
        description='Rent from the "enclave" park\\',
        lines=[(chart["cash"], 100_000_000), (chart["income"], -100_000_000)],
        idempotency_key="rent-2024-01",
        source="ventures.income:1",
        actor=SYSTEM,
    )
    dividend = post_entry(
        date=D("2024-01-31"),
        description="Dividend",
        source="ventures.distributionrun:1",
        lines=[
            (chart["income"], 30_000_001),
            (chart["owed_xujiadai"], -20_000_000),
            (chart["owed_fengshan"], -10_000_001),
        ],
        actor=SYSTEM,
    )
    lock_period(2024, 1, actor=SYSTEM)
    reversal = reverse_entry(dividend, date=D("2024-02-02"), actor=SYSTEM)
    post_entry(
        date=D("2024-02-05"),
        description="Paid in\ncapital",
        lines=[(chart["xujiadai_cash"], 500), (capital, -500)],
        actor=SYSTEM,
    )
    return {"dividend": dividend, "reversal": reversal, "capital": capital}


@pytest.mark.parametrize(
    ("fen", "text"),
    [
        (0, "0.00"),
        (1, "0.01"),
        (-5, "-0.05"),
        (100, "1.00"),
        (123456, "1234.56"),
        (-100_000_001, "-1000000.01"),
        (9_223_372_036_854_775_807, "92233720368547758.07"),
    ],
)
def test_fen_are_written_as_yuan_with_two_decimals(fen, text):
    assert yuan(fen) == text


def test_the_export_passes_beancounts_own_checks(chart, small_ledger, tmp_path):
    path = tmp_path / "ledger.beancount"
    with path.open("w", encoding="utf-8") as out:
        counts = export_beancount(out)

    entries, errors, options = loader.load_file(str(path))

    assert errors == []
    assert counts == {"accounts": 6, "entries": 4, "postings": 10, "balances": 4}
    transactions = [e for e in entries if isinstance(e, data.Transaction)]
    assert [t.narration for t in transactions] == [
        'Rent from the "enclave" park\\',
        "Dividend",
        f"冲销分录 {small_ledger['dividend'].pk}：Dividend",  # the books' language
        "Paid in capital",
    ]
    reversal = transactions[2]
    assert reversal.tags == {"reversal"}
    assert reversal.links == {
        f"baotuan-entry-{small_ledger['dividend'].pk}",
        f"baotuan-entry-{small_ledger['reversal'].pk}",
    }
    assert reversal.meta["reverses"] == small_ledger["dividend"].pk
    assert transactions[0].meta["idempotency-key"] == "rent-2024-01"
    assert transactions[0].meta["source"] == "ventures.income:1"
    amounts = {(p.account, p.units.number) for p in transactions[1].postings}
    assert amounts == {
        (chart["income"].beancount_name, Decimal("300000.01")),
        (chart["owed_xujiadai"].beancount_name, Decimal("-200000.00")),
        (chart["owed_fengshan"].beancount_name, Decimal("-100000.01")),
    }
    balances = [e for e in entries if isinstance(e, data.Balance)]
    assert {e.date for e in balances} == {D("2024-02-01")}
    opens = {e.account: e for e in entries if isinstance(e, data.Open)}
    capital = opens[f"Equity:Village:330482107208:Capital:Account-{small_ledger['capital'].pk}"]
    assert (capital.date, capital.currencies, capital.meta["name"], capital.meta["owner"]) == (
        D("2024-02-05"),
        ["CNY"],
        "首期",
        "徐家埭村",
    )
    assert options["operating_currency"] == ["CNY"]


def test_bean_check_accepts_the_exported_file(small_ledger, tmp_path):
    bean_check = Path(sys.executable).with_name("bean-check")
    if not bean_check.exists():
        bean_check = shutil.which("bean-check")
    if bean_check is None:
        pytest.skip("bean-check is not installed")
    path = tmp_path / "ledger.beancount"
    call_command("export_beancount", "-o", str(path), stdout=StringIO())

    checked = subprocess.run(
        [str(bean_check), str(path)], capture_output=True, text=True, check=False
    )

    assert (checked.returncode, checked.stdout, checked.stderr) == (0, "", "")


def test_bean_check_catches_a_wrong_snapshot(small_ledger, tmp_path):
    """The assertions are real: a tampered balance line fails beancount's own check."""
    path = tmp_path / "ledger.beancount"
    with path.open("w", encoding="utf-8") as out:
        export_beancount(out)
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    number = next(i for i, line in enumerate(lines) if " balance " in line and "Cash" in line)
    assert lines[number].endswith("  1000000.00 ~ 0.00 CNY\n")
    lines[number] = lines[number].replace("1000000.00", "1000000.01")
    path.write_text("".join(lines), encoding="utf-8")

    _entries, errors, _options = loader.load_file(str(path))

    assert [type(e).__name__ for e in errors] == ["BalanceError"]


def test_the_export_stops_at_a_date(small_ledger):
    out = StringIO()

    counts = export_beancount(out, until=D("2024-01-31"), assertions=False)

    assert counts == {"accounts": 4, "entries": 2, "postings": 5, "balances": 0}
    assert "Reversal" not in out.getvalue()


def test_the_command_writes_the_file_and_reports(small_ledger, tmp_path):
    path = tmp_path / "out.beancount"
    stdout = StringIO()

    call_command("export_beancount", "-o", str(path), "--until", "2024-12-31", stdout=stdout)

    assert stdout.getvalue() == (
        f"Exported 6 accounts, 4 entries, 10 postings and 4 balance assertions to {path}.\n"
    )
    assert path.read_text(encoding="utf-8").count(" * ") == 4


def test_the_command_refuses_a_malformed_date(db, tmp_path):
    with pytest.raises(CommandError, match="YYYY-MM-DD"):
        call_command("export_beancount", "-o", str(tmp_path / "x"), "--until", "31.1.2024")


def test_an_empty_ledger_exports_a_valid_file(db, tmp_path):
    path = tmp_path / "empty.beancount"
    with path.open("w", encoding="utf-8") as out:
        export_beancount(out)

    _entries, errors, _options = loader.load_file(str(path))

    assert errors == []


def test_two_accounts_with_one_beancount_name_are_refused(chart, xujiadai):
    chinese = get_account(kind="cash", village=xujiadai, name="备用金", actor=SYSTEM)
    clash = get_account(kind="cash", village=xujiadai, name=f"Account-{chinese.pk}", actor=SYSTEM)
    post_entry(
        date=D("2024-01-01"), description="x", lines=[(chinese, 1), (clash, -1)], actor=SYSTEM
    )

    with pytest.raises(CommandError, match=f"Accounts {chinese.pk} and {clash.pk} would both"):
        call_command("export_beancount", "-o", "-", stdout=StringIO())


def test_the_command_writes_to_standard_output(small_ledger):
    stdout = StringIO()

    call_command("export_beancount", "-o", "-", "--no-assertions", stdout=stdout)

    text = stdout.getvalue()
    assert text.count(" * ") == 4
    assert " balance " not in text
    assert "\n\n\n" not in text
