"""API hooks named in settings.REST_FRAMEWORK: one error shape, and the page size.

Nothing here may import rest_framework.viewsets (DRF imports these while loading it); the
shared viewset and serializer bases are in `baotuan/api_base.py`.
"""

from rest_framework import pagination
from rest_framework.views import exception_handler as drf_exception_handler


def exception_handler(exc, context):
    """DRF's handler, with every error wrapped as {"error": {"status", "detail"}}."""
    response = drf_exception_handler(exc, context)
    if response is not None:
        response.data = {"error": {"status": response.status_code, "detail": response.data}}
    return response


class PageNumberPagination(pagination.PageNumberPagination):
    """50 rows a page by default; clients may ask for up to 500 with ?page_size=."""

    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 500
