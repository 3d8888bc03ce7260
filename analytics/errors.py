"""The refusals of analytics' writes (computing ranking snapshots); nothing is changed."""

from __future__ import annotations

__all__ = ["NotAllowed", "RankingError"]


class RankingError(ValueError):
    """A snapshot that cannot be computed (frozen period, no data, bad scheme); nothing changed."""


class NotAllowed(PermissionError):
    """The user may not compute rankings; nothing changed."""
