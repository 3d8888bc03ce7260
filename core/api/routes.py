"""The API's answer to a URL it does not have: a 404 in the API's error shape (JSON), not
the site's HTML page, for every method (baotuan.urls puts it after every API route)."""

from __future__ import annotations

from rest_framework import exceptions, permissions
from rest_framework.views import APIView

__all__ = ["NotFoundView", "not_found"]


class NotFoundView(APIView):
    permission_classes = [permissions.AllowAny]
    schema = None  # not an operation

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        raise exceptions.NotFound()


not_found = NotFoundView.as_view()
