"""Issuing and revoking API tokens (the writes of accounts; sign-in itself is Django's).

Who may: the system (commands), an unscoped city admin or a superuser for anyone, and a
user for their own tokens.
"""

from __future__ import annotations

import secrets

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import ApiToken, User, hash_token
from core.actors import is_system, require_actor
from core.errors import Invalid, NotAllowed
from core.scope import is_unscoped_admin

__all__ = ["issue_token", "revoke_token"]


def _may_manage(actor, user: User) -> bool:
    return (
        is_system(actor)
        or is_unscoped_admin(actor)
        or getattr(actor, "is_superuser", False)
        or actor.pk == user.pk
    )


@transaction.atomic
def issue_token(user: User, name: str, *, actor) -> tuple[ApiToken, str]:
    """A new token for `user`, and its secret: shown now and never again (only its hash is
    kept)."""
    actor = require_actor(actor)
    if not _may_manage(actor, user):
        raise NotAllowed(_("You may not issue tokens for another user."))
    name = name.strip()
    if not name:
        raise Invalid(_("A token needs a name (what or who uses it)."))
    if not user.is_active:
        raise Invalid(_("This account is disabled."))
    secret = secrets.token_urlsafe(32)  # 256 bits
    token = ApiToken.objects.create(
        user=user,
        name=name[:100],
        prefix=secret[: ApiToken.PREFIX_LENGTH],
        key_hash=hash_token(secret),
    )
    return token, secret


@transaction.atomic
def revoke_token(token: ApiToken, *, actor) -> bool:
    """Revoke `token` from now on; False if it already was (revoking twice changes nothing)."""
    actor = require_actor(actor)
    token = ApiToken.objects.select_for_update().select_related("user").get(pk=token.pk)
    if not _may_manage(actor, token.user):
        raise NotAllowed(_("You may not revoke another user's token."))
    if token.revoked_at is not None:
        return False
    token.revoked_at = timezone.now()
    token.save(update_fields=["revoked_at"])
    return True
