"""Helpers shared by every app's tests (fixtures are in the root conftest.py)."""

from accounts.models import Grant, User

__all__ = ["make_user"]


def make_user(username, role=None, **scope):
    """A user with a password and, if `role` is given, one grant for `scope`."""
    user = User.objects.create_user(username=username, password="pw-" + username)
    if role is not None:
        Grant.objects.create(user=user, role=role, **scope)
    return user
