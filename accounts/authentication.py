"""API authentication: the session (browsers) or a token (`Authorization: Token <secret>`).

HTTP Basic is not accepted: it ran the password hasher (≈300 ms of PBKDF2) on every request
of anyone who sent a username, which let a client exhaust the CPU. A token costs one SHA-256
and one index lookup. This class comes first in DEFAULT_AUTHENTICATION_CLASSES, so that an
unauthenticated request answers 401 with `WWW-Authenticate: Token` (DRF asks the first
class for the header; the session class has none, and DRF would answer 403).
"""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework import authentication, exceptions

from accounts.models import ApiToken

__all__ = ["TokenAuthentication"]

# last_used is written at most this often per token, so a busy client does not turn every
# read into a write (the update bypasses the change log: it is bookkeeping, not a change).
LAST_USED_RESOLUTION = timedelta(minutes=1)


class TokenAuthentication(authentication.BaseAuthentication):
    keyword = "Token"

    def authenticate(self, request):
        parts = request.META.get("HTTP_AUTHORIZATION", "").split()
        if not parts or parts[0].lower() != self.keyword.lower():
            return None
        if len(parts) != 2:
            raise exceptions.AuthenticationFailed(
                _("Invalid token header: send “Authorization: Token <secret>”.")
            )
        secret = parts[1]
        if not secret.isascii():  # a secret is URL-safe base64; nothing else can match
            raise exceptions.AuthenticationFailed(_("Invalid or revoked token."))
        token = ApiToken.objects.for_secret(secret)
        if token is None:
            raise exceptions.AuthenticationFailed(_("Invalid or revoked token."))
        now = timezone.now()
        if token.last_used is None or now - token.last_used >= LAST_USED_RESOLUTION:
            ApiToken.objects.filter(pk=token.pk).update(last_used=now)
        return token.user, token

    def authenticate_header(self, request) -> str:
        return self.keyword
