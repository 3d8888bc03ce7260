"""Demo passwords: each demo account gets its own, drawn at random when the account is made.

`baotuan load_demo` (run by `make demo`) prints each new password once. A later load keeps
an account's password (and prints that it is unchanged); `load_demo --reset-passwords` gives
every demo account a new one. Nothing here is deterministic: a demo database copied to a
server does not come with passwords everyone knows.
"""

from __future__ import annotations

import secrets

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError

__all__ = ["give_password", "new_password"]

# No 0/o or 1/l/i: the passwords are read off a terminal and typed.
ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"


def new_password(user=None) -> str:
    """A random password that the password validators accept (16 letters and digits in four
    groups, ≈ 79 bits)."""
    while True:
        password = "-".join("".join(secrets.choice(ALPHABET) for _ in range(4)) for _ in range(4))
        try:
            validate_password(password, user)
        except ValidationError:  # all digits, say: draw again
            continue
        return password


def give_password(user, *, reset: bool = False) -> str | None:
    """Set a new password on `user` when it has none yet (just created) or `reset`, and
    return it; None when the user keeps theirs. The caller saves the user."""
    if not reset and user.password and user.has_usable_password():
        return None
    password = new_password(user)
    user.set_password(password)
    return password
