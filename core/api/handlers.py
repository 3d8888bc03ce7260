"""API hooks named in settings.REST_FRAMEWORK: one error shape, the domain errors mapped to
HTTP once, and the page size.

Nothing here may import rest_framework.viewsets (DRF imports these while loading it); the
shared viewset and serializer bases are in `core/api/base.py`.
"""

from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions, pagination, status
from rest_framework.views import exception_handler as drf_exception_handler

from core import errors

__all__ = [
    "Conflict",
    "PageNumberPagination",
    "ServiceUnavailable",
    "api_error",
    "exception_handler",
]


class Conflict(exceptions.APIException):
    status_code = status.HTTP_409_CONFLICT
    default_detail = _("The change conflicts with existing data.")
    default_code = "conflict"


class ServiceUnavailable(exceptions.APIException):
    status_code = status.HTTP_503_SERVICE_UNAVAILABLE
    default_detail = _("A service this needs is not available; try again later.")
    default_code = "unavailable"


def api_error(
    error: errors.DomainError, field: str = "non_field_errors"
) -> exceptions.APIException:
    """The DRF exception a domain error answers with: 403, 409, 503, or 400 naming `field`."""
    if isinstance(error, errors.Unavailable):
        return ServiceUnavailable(str(error))
    if isinstance(error, errors.NotAllowed):
        return exceptions.PermissionDenied(str(error))
    if isinstance(error, errors.Conflict):
        return Conflict(str(error))
    return exceptions.ValidationError({field: [str(error)]})


def exception_handler(exc, context):
    """DRF's handler, with domain errors mapped by class and every error wrapped as
    {"error": {"status", "detail"}}."""
    if isinstance(exc, errors.DomainError):
        exc = api_error(exc)
    response = drf_exception_handler(exc, context)
    if response is not None:
        response.data = {"error": {"status": response.status_code, "detail": response.data}}
    return response


class PageNumberPagination(pagination.PageNumberPagination):
    """50 rows a page by default; clients may ask for 1 to 500 with ?page_size=. Anything
    else (0, 501, "abc", "1.5") answers 400 naming `page_size`, never a silent default."""

    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 500

    def get_page_size(self, request):
        raw = request.query_params.get(self.page_size_query_param)
        if raw is None:
            return self.page_size
        if not (raw.isascii() and raw.isdigit() and 1 <= int(raw) <= self.max_page_size):
            raise exceptions.ValidationError(
                {
                    self.page_size_query_param: [
                        _("Enter a whole number from 1 to %(max)s.") % {"max": self.max_page_size}
                    ]
                }
            )
        return int(raw)

    def get_schema_operation_parameters(self, view):
        parameters = super().get_schema_operation_parameters(view)
        bounds = {
            self.page_query_param: {"minimum": 1},
            self.page_size_query_param: {
                "minimum": 1,
                "maximum": self.max_page_size,
                "default": self.page_size,
            },
        }
        for parameter in parameters:
            parameter["schema"].update(bounds.get(parameter["name"], {}))
        return parameters
