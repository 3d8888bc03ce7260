"""Request rates (DRF throttles, and the sign-in form's rate per address).

Rates are REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"], set from the environment in settings.
DRF's own classes copy the rates when they are imported; these read them per request, so a
changed setting (a test's override_settings) takes effect. Addresses are REMOTE_ADDR unless
NUM_PROXIES says how many proxies in front of us append to X-Forwarded-For, so a client
cannot pick its own address by sending that header.
"""

from __future__ import annotations

from rest_framework import throttling
from rest_framework.settings import api_settings

__all__ = ["AnonRateThrottle", "LoginRateThrottle", "UserRateThrottle", "client_address"]


def client_address(request) -> str | None:
    """The address a request is counted under (by the throttles and by django-axes)."""
    return throttling.BaseThrottle().get_ident(request)


class _LiveRate:
    def get_rate(self):
        return api_settings.DEFAULT_THROTTLE_RATES.get(self.scope)


class AnonRateThrottle(_LiveRate, throttling.AnonRateThrottle):
    """Anonymous API requests, counted per client address."""


class UserRateThrottle(_LiveRate, throttling.UserRateThrottle):
    """Signed-in API requests (session or token), counted per user."""


class LoginRateThrottle(_LiveRate, throttling.SimpleRateThrottle):
    """Sign-in attempts per client address, whatever the username: django-axes locks a
    username at one address, so rotating usernames was never slowed, and each attempt costs
    a password hash."""

    scope = "login"

    def get_cache_key(self, request, view):
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}
