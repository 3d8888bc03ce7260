"""htmx helpers shared by the list pages."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.cache import patch_vary_headers

__all__ = ["render_page", "wants_fragment"]


def wants_fragment(request: HttpRequest) -> bool:
    """Whether to answer with the page's fragment rather than the whole page.

    A history-restore request (back button after htmx pushed the URL, cache missed) and a
    boosted navigation need the whole page; so does every request without htmx.
    """
    htmx = getattr(request, "htmx", None)
    return bool(htmx) and not htmx.boosted and not htmx.history_restore_request


def render_page(request: HttpRequest, page: str, fragment: str, context: dict) -> HttpResponse:
    """Render `fragment` for htmx, `page` (which includes it) otherwise; the same URL
    answers both, so caches must key on the HX-Request header."""
    response = render(request, fragment if wants_fragment(request) else page, context)
    patch_vary_headers(response, ["HX-Request"])
    return response
