"""Choices of the ledger app."""

from django.db import models
from django.utils.translation import gettext_lazy as _

__all__ = ["BEANCOUNT_ROOT", "AccountKind"]


class AccountKind(models.TextChoices):
    """What an account holds. Debits (+) increase assets and expenses; credits (−) the rest."""

    CASH = "cash", _("Cash and bank deposits (现金/银行存款)")
    CAPITAL = "capital", _("Paid-in capital (实收资本/股本)")
    INCOME_RECEIVABLE = "income_receivable", _("Income receivable (应收收益)")
    DISTRIBUTION_PAYABLE = "distribution_payable", _("Distributions payable (应付收益分配)")
    EQUITY = "equity", _("Owners' equity (所有者权益)")
    INCOME = "income", _("Income (收入)")
    EXPENSE = "expense", _("Expenses (支出)")
    RESERVE = "reserve", _("Reserve and welfare funds (公积公益金)")
    WELFARE = "welfare", _("Welfare payable (应付福利费)")


#: The beancount root type of each kind (Assets, Liabilities, Equity, Income, Expenses).
BEANCOUNT_ROOT = {
    AccountKind.CASH: "Assets",
    AccountKind.INCOME_RECEIVABLE: "Assets",
    AccountKind.DISTRIBUTION_PAYABLE: "Liabilities",
    AccountKind.WELFARE: "Liabilities",
    AccountKind.CAPITAL: "Equity",
    AccountKind.EQUITY: "Equity",
    AccountKind.RESERVE: "Equity",
    AccountKind.INCOME: "Income",
    AccountKind.EXPENSE: "Expenses",
}
