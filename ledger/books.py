"""The language of the books: text stored in the ledger reads alike whoever posts it."""

from __future__ import annotations

from contextlib import contextmanager

from django.conf import settings
from django.utils import translation

__all__ = ["books_language"]


@contextmanager
def books_language():
    """Text stored in the books (entry descriptions) is in the deployment's language
    (settings.LANGUAGE_CODE), whoever posts it, so the same kind of entry always reads alike."""
    with translation.override(settings.LANGUAGE_CODE):
        yield
