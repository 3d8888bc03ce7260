"""Change-log API: read-only for auditors and city admins (ObjectChange.scope_policy)."""

from __future__ import annotations

from audit.api.serializers import ObjectChangeSerializer
from audit.filters import ObjectChangeApiFilterSet
from audit.models import ObjectChange
from core.api.base import ScopedReadOnlyViewSet

__all__ = ["ObjectChangeViewSet"]


class ObjectChangeViewSet(ScopedReadOnlyViewSet):
    """Who changed what, when, with before and after. There are no write routes (405)."""

    queryset = ObjectChange.objects.select_related("content_type", "changeset")
    serializer_class = ObjectChangeSerializer
    filterset_class = ObjectChangeApiFilterSet
    lookup_value_regex = "[0-9]+"
