"""Who is acting, carried in a ContextVar (as NetBox does) from the request or a command."""

from __future__ import annotations

import uuid
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field


@dataclass(frozen=True)
class ChangeContext:
    user: object | None = None
    source: str = "system"  # web, api, cli, system
    request_id: uuid.UUID = field(default_factory=uuid.uuid4)
    path: str = ""
    method: str = ""
    ip: str | None = None
    # The Django request, read lazily: DRF authenticates after middleware has run and then
    # sets request.user, so the user is looked up when a change is written, not before.
    request: object | None = None

    @property
    def actor(self):
        if self.user is not None:
            return self.user
        user = getattr(self.request, "user", None)
        return user if user is not None and user.is_authenticated else None


_current: ContextVar[ChangeContext | None] = ContextVar("baotuan_change_context", default=None)


def current() -> ChangeContext:
    return _current.get() or ChangeContext()


@contextmanager
def change_context(**kwargs):
    """Set who is acting for the writes inside the block (commands, services, tests)."""
    token = _current.set(ChangeContext(**kwargs))
    try:
        yield _current.get()
    finally:
        _current.reset(token)
