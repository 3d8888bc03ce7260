"""The HTML side of the one error mapping: a domain error that no view turned into a form
error answers with the status its class names (403, 409, 503, 400) on a page in the site's
layout, instead of a 500. The API side is `core.api.handlers.exception_handler`."""

from __future__ import annotations

from django.shortcuts import render

from core.errors import DomainError

__all__ = ["DomainErrorMiddleware"]


class DomainErrorMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not isinstance(exception, DomainError):
            return None  # everything else is Django's (404, PermissionDenied, 500)
        return render(
            request,
            "core/domain_error.html",
            {"message": str(exception), "status": exception.status_code},
            status=exception.status_code,
        )
