from django.db import models
from django.utils.translation import gettext_lazy as _

# The years a statistic, plan, report or dashboard may be dated in: every form, import,
# serializer and URL of the project uses these bounds.
YEAR_MIN, YEAR_MAX = 1949, 2100
YEARS = range(YEAR_MIN, YEAR_MAX + 1)


def parse_year(text: str | None) -> int | None:
    """A year from a query parameter or picker, or None: only ASCII digits ("²" is a digit to
    str.isdigit but not to int) within YEARS, so a bad value is a miss, never a 500."""
    text = (text or "").strip()
    if not (text.isascii() and text.isdigit()) or len(text) > 4:
        return None
    year = int(text)
    return year if year in YEARS else None


class RegionLevel(models.IntegerChoices):
    """Levels of the division tree; the value is the length of the level's code."""

    PROVINCE = 2, _("Province")
    CITY = 4, _("City")
    COUNTY = 6, _("County")
    TOWNSHIP = 9, _("Township")


class VillageKind(models.TextChoices):
    VILLAGE = "village", _("Village committee")
    COMMUNITY = "community", _("Community (residents' committee)")
    OTHER = "other", _("Other village-level unit")


class OrganisationKind(models.TextChoices):
    VILLAGE_COMPANY = "village_company", _("Village development company (强村公司)")
    JOINT_INVESTMENT = "joint_investment", _("Joint investment company")
    ENTERPRISE = "enterprise", _("Enterprise")
    PARTY_BRANCH = "party_branch", _("Party branch")
    DEPARTMENT = "department", _("Government department")
    OTHER = "other", _("Other")


class ThresholdRule(models.TextChoices):
    """How a threshold's income tests combine."""

    ANY = "any", _("Weak if any set test is below its line")
    ALL = "all", _("Weak only if every set test is below its line")


class ImportStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Running")
    SUCCEEDED = "succeeded", _("Succeeded")
    FAILED = "failed", _("Failed")
