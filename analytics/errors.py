"""The refusals of analytics, in the one domain error hierarchy (core.errors): nothing is
changed, and the class decides the HTTP answer (core.api.handlers, core.middleware)."""

from __future__ import annotations

from core.errors import Invalid, NotAllowed

__all__ = ["NotAllowed", "RankingError"]


class RankingError(Invalid):
    """A snapshot that cannot be computed (frozen period, no data, bad scheme); nothing changed."""
