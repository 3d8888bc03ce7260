from django.db import models
from django.utils.translation import gettext_lazy as _

from lib.distribution import Policy


class VentureKind(models.TextChoices):
    ENCLAVE_PARK = "enclave_park", _("Enclave industrial park (飞地产业园)")
    VILLAGE_COMPANY = "village_company", _("Village development company (强村公司)")
    PROJECT_PARTNERSHIP = "project_partnership", _("Project partnership (共富项目合伙制)")


class ContributionKind(models.TextChoices):
    """Kept apart because they are different money: only cash arrives in the bank."""

    CASH = "cash", _("Cash")
    LAND_QUOTA = "land_quota", _("Land quota (土地指标)")
    SUBSIDY_EQUITY = "subsidy_equity", _("Subsidy-funded equity (补助资金入股)")


class IncomeKind(models.TextChoices):
    RENT = "rent", _("Rent")
    DIVIDEND = "dividend", _("Dividend")
    OTHER = "other", _("Other")


class DistributionPolicy(models.TextChoices):
    """The policies of lib.distribution (the values are lib.distribution.Policy's)."""

    PRO_RATA = Policy.PRO_RATA.value, _("Pro rata to stake")
    EQUAL = Policy.EQUAL.value, _("Equal shares")
    POPULATION = Policy.POPULATION.value, _("By population")
    FLOOR_PRO_RATA = Policy.FLOOR_PRO_RATA.value, _("Guaranteed floor, then pro rata (保底+分红)")
    FIXED_RETURN = Policy.FIXED_RETURN.value, _("Fixed return on capital (包租固定回报)")
    SHARES_POINTS = Policy.SHARES_POINTS.value, _("Shares + points (股份+积分)")
    LOW_INCOME = Policy.LOW_INCOME.value, _("Low-income households (低收入农户)")


class DistributionSource(models.TextChoices):
    """The account a run's total is taken from."""

    INCOME = "income", _("Undistributed income")
    EQUITY = "equity", _("Retained earnings (equity)")


class RunStatus(models.TextChoices):
    PREPARED = "prepared", _("Prepared")
    APPROVED = "approved", _("Approved")
    POSTED = "posted", _("Posted")
    PUBLISHED = "published", _("Published")
    REVERSED = "reversed", _("Reversed")


class LineBasis(models.TextChoices):
    """What a line's `weight` counts."""

    UNITS = "units", _("Share units")
    EQUAL = "equal", _("Equal")
    POPULATION = "population", _("Population")
    CAPITAL = "capital", _("Contributed capital (fen)")
    HOUSEHOLD_SHARES = "household", _("A household's shares (and points)")
    LOW_INCOME = "low_income", _("Low-income household (equal)")


class NoticeKind(models.TextChoices):
    DISTRIBUTION = "distribution", _("Distribution")
    REVERSAL = "reversal", _("Reversal")
