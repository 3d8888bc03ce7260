"""The one domain error hierarchy. Every service refuses with one of these, and a refused
call leaves the database as it was.

    DomainError
    ├── Invalid      bad input or a broken rule                 → 400 (form error, API 400)
    ├── NotAllowed   no role for this in this scope, no actor   → 403
    ├── Conflict     the state forbids it (twice, out of order) → 409
    │   └── Frozen   an edit of something frozen (signed, closed, posted, published)
    └── Unavailable  a service it needs does not answer (the task queue)   → 503

Apps subclass these (``class VentureError(Invalid)``, ``class FrozenError(Frozen)``) to
name their own refusals; the mapping to HTTP is decided once, by the class, in
`core.api.handlers.exception_handler` (DRF) and `core.middleware.DomainErrorMiddleware`
(HTML pages).
"""

from __future__ import annotations

__all__ = [
    "Conflict",
    "DomainError",
    "Frozen",
    "Invalid",
    "NotAllowed",
    "Unavailable",
    "http_status",
]


class DomainError(Exception):
    """A refused operation; nothing was changed. `status_code` is its HTTP answer."""

    status_code = 400


class Invalid(DomainError, ValueError):
    """Bad input, or a rule of the domain that the input breaks."""

    status_code = 400


class NotAllowed(DomainError, PermissionError):
    """The actor may not do this here (no role in this scope, or no actor at all)."""

    status_code = 403


class Conflict(DomainError, ValueError):
    """The current state forbids the operation (done twice, out of order, a lost race)."""

    status_code = 409


class Frozen(Conflict):
    """An edit of something frozen: signed-off minutes, a closed decision, posted money."""


class Unavailable(DomainError):
    """A service the operation needs (the task queue) does not answer; nothing was done."""

    status_code = 503


def http_status(error: BaseException) -> int:
    """The HTTP status a domain error answers with (400 for anything else)."""
    return getattr(error, "status_code", 400) if isinstance(error, DomainError) else 400
