"""Helpers shared by every app's tests (fixtures are in the root conftest.py)."""

from datetime import date

from accounts.models import Grant, User

__all__ = ["D", "make_user"]

#: D("2024-01-31"): a date from ISO text, for tests that spell many dates.
D = date.fromisoformat


def make_user(username, role=None, **scope):
    """A user with a password and, if `role` is given, one grant for `scope`."""
    user = User.objects.create_user(username=username, password="pw-" + username)
    if role is not None:
        Grant.objects.create(user=user, role=role, **scope)
    return user
