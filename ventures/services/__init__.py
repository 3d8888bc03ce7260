"""The ventures app's writes: registers and contributions, income, distribution runs, notices.

    registers  add_stake, end_stake, record_contribution
    income     record_income
    runs       prepare_run, discard_run, approve_run, post_run, reverse_run
    notices    publish_run
    pairing    set_pairing (an enclave park's site and owner counties, its programme)

Every function takes the acting user (or `core.actors.SYSTEM`) as a required `actor` and
refuses a missing one first; then it owns its transaction (a savepoint inside the
caller's), checks the actor's role and scope (`core.scope.holds_role`, the role sets of
`ventures.selectors`), and leaves the database as it was when it refuses: every refusal is
one of `ventures.exceptions` with a message a person can act on. The reads (the register on
a day, undistributed money, run previews, notice contents) are `ventures.selectors`.

Ledger accounts (all through `ledger.services`; amounts + debit, − credit). They are the
operating organisation's books, so every account is owned by the venture's organisation and
named after the venture ("Venture-<pk>", a valid beancount component), with the holder
appended where the account is per holder ("Venture-<pk>-Village-<code>",
"Venture-<pk>-Organisation-<pk>"):

| account | kind | name | moved by |
|---|---|---|---|
| venture cash | cash | Venture-<pk> | Dr cash and subsidy-fund contributions, Dr income received |
| in-kind capital | cash | Venture-<pk>-LandQuota | Dr land-quota contributions |
| holder's capital | capital | Venture-<pk>-<holder> | Cr contributions |
| venture income | income | Venture-<pk> | Cr income received; Dr distributions (source "income") |
| retained earnings | equity | Venture-<pk> | Dr distributions (source "equity") |
| reserve fund 公积公益金 | reserve | Venture-<pk> | Cr the run's reserve amount |
| welfare fund 福利费 | welfare | Venture-<pk> | Cr the run's welfare amount |
| holder's payable | distribution_payable | Venture-<pk>-<holder> | Cr each holder's amount |
"""

from ventures.services.income import record_income
from ventures.services.notices import publish_run
from ventures.services.pairing import set_pairing
from ventures.services.registers import add_stake, end_stake, record_contribution
from ventures.services.runs import (
    approve_run,
    discard_run,
    post_run,
    prepare_run,
    reverse_run,
)

__all__ = [
    "add_stake",
    "approve_run",
    "discard_run",
    "end_stake",
    "post_run",
    "prepare_run",
    "publish_run",
    "record_contribution",
    "record_income",
    "reverse_run",
    "set_pairing",
]
