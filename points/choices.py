from django.db import models
from django.utils.translation import gettext_lazy as _


class Category(models.TextChoices):
    """The categories of an item (DB3304/T 070—2021's headings as 平湖's villages use them)."""

    SAFETY = "safety", _("Public safety (平安建设)")
    AFFAIRS = "affairs", _("Village affairs (村务)")
    VOLUNTEER = "volunteer", _("Volunteering (志愿服务)")
    VIRTUE = "virtue", _("Public virtue (公益美德)")
    ECOLOGY = "ecology", _("Environment (生态环境)")


class CapPeriod(models.TextChoices):
    MONTH = "month", _("Month")
    QUARTER = "quarter", _("Quarter")
    YEAR = "year", _("Year")


class YearClose(models.TextChoices):
    RESET = "reset", _("Reset to the base points")
    CARRY = "carry", _("Carry over")


class EntryState(models.TextChoices):
    PROPOSED = "proposed", _("Proposed")
    # A deduction verified once, waiting for its second reviewer.
    REVIEW = "review", _("Awaiting second review")
    VERIFIED = "verified", _("Verified")
    PUBLISHED = "published", _("In public notice")
    HELD = "held", _("Held by an appeal")
    EFFECTIVE = "effective", _("Effective")
    REJECTED = "rejected", _("Rejected")


class AppealOutcome(models.TextChoices):
    OPEN = "open", _("Open")
    UPHELD = "upheld", _("Upheld")
    REJECTED = "rejected", _("Rejected")


class AppealChannel(models.TextChoices):
    CLERK = "clerk", _("Recorded by the clerk")
    PUBLIC = "public", _("Public form")
