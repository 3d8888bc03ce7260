"""The enumerations of analytics: how a ranking KPI is read, its period, who is ranked."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

__all__ = ["Direction", "MemberRule", "PeriodKind", "ScenarioSource"]


class Direction(models.TextChoices):
    HIGHER = "higher", _("higher is better")
    LOWER = "lower", _("lower is better")


class PeriodKind(models.TextChoices):
    YEAR = "year", _("year")


class MemberRule(models.TextChoices):
    PERIOD_END = "period_end", _("members at the end of the period")
    CURRENT = "current", _("current members, also for earlier periods")


class ScenarioSource(models.TextChoices):
    """Where a scenario's changes came from."""

    MANUAL = "manual", _("entered by hand")
    OPTIMISER = "optimiser", _("an optimiser plan")
