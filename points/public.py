"""The public pages of points (the 公示 and the ranking), cached like the venture notices.

The same bytes for every visitor (the public layout, no session read): pages are cached per
(data version, day, language, path). The version is renewed on commit when a notice is
published or an appeal moves an entry; the day is in the key because an entry becomes
effective when its notice period ends, with no write at all.
"""

from __future__ import annotations

from functools import wraps

from django.core.cache import cache
from django.db import transaction
from django.http import HttpResponse
from django.utils import timezone
from django.utils.cache import patch_cache_control, patch_vary_headers
from django.utils.crypto import get_random_string
from django.utils.translation import get_language
from django.views.decorators.http import require_safe

__all__ = ["bump_version", "public_page", "version"]

VERSION_KEY = "points:public:version"
PAGE_SECONDS = 3600
BROWSER_SECONDS = 60


def version() -> str:
    found = cache.get(VERSION_KEY)
    if found is None:
        found = get_random_string(8)
        cache.set(VERSION_KEY, found, None)
    return found


def bump_version() -> None:
    """Published, appealed or decided: the next request renders afresh (after the commit)."""
    transaction.on_commit(lambda: cache.set(VERSION_KEY, get_random_string(8), None))


def public_page(view):
    """Serve a public page from the cache (only 200 answers are kept)."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        key = (
            f"points:public:{version()}:{timezone.localdate().isoformat()}:"
            f"{get_language()}:{request.get_full_path()}"
        )
        hit = cache.get(key)
        if hit is None:
            response = view(request, *args, **kwargs)
            if response.status_code != 200:
                return response
            hit = (response.content, response["Content-Type"])
            cache.set(key, hit, PAGE_SECONDS)
        response = HttpResponse(hit[0], content_type=hit[1])
        patch_cache_control(response, public=True, max_age=BROWSER_SECONDS)
        patch_vary_headers(response, ("Cookie", "Accept-Language"))
        return response

    return require_safe(wrapper)
