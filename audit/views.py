"""The change log, read-only: a filterable list and one change with before/after."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import FieldDoesNotExist, PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, render
from django.urls import NoReverseMatch, reverse
from django.views.decorators.http import require_safe

from audit.filters import ObjectChangeFilterSet
from audit.models import ObjectChange
from core.htmx import render_page
from core.scope import restrict

PAGE_SIZE = 50
# Other changes of the same request shown on a change's page (an import can write thousands).
SAME_REQUEST_LIMIT = 20


def _readable_changes(user):
    """The change log as this user may read it; 403 for anyone but auditors and admins."""
    changes = restrict(ObjectChange.objects.all(), user, "view")
    if not ObjectChange.scope_policy.view_roles & user.roles:
        raise PermissionDenied
    return changes


def _object_url(change: ObjectChange) -> str | None:
    """A page showing the changed object, where one exists (deleted objects have none)."""
    if change.action == ObjectChange.Action.DELETE:
        return None
    key = (change.content_type.app_label, change.content_type.model)
    try:
        if key == ("registry", "village"):
            return reverse("registry:village_detail", args=[change.object_pk])
        if key == ("registry", "villagestat"):
            data = change.postchange_data or {}
            return (
                reverse("registry:village_detail", args=[data["village_id"]])
                if data.get("village_id")
                else None
            )
        if key == ("registry", "region"):
            return reverse("registry:region_children", args=[change.object_pk])
    except NoReverseMatch:
        return None
    return None


def _field_label(model, name: str) -> str:
    """The field's verbose name (snapshots are keyed by attribute name: "village_id")."""
    if model is None:
        return name
    try:
        return str(model._meta.get_field(name).verbose_name)
    except FieldDoesNotExist:
        return name


@login_required
@require_safe
def change_list(request):
    changes = _readable_changes(request.user).select_related("content_type", "changeset")
    filterset = ObjectChangeFilterSet(request.GET or None, queryset=changes)
    page = Paginator(filterset.qs, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {"filterset": filterset, "page": page}
    return render_page(request, "audit/change_list.html", "audit/_change_table.html", context)


@login_required
@require_safe
def change_detail(request, pk):
    changes = _readable_changes(request.user)
    change = get_object_or_404(changes.select_related("content_type", "changeset"), pk=pk)
    before, after = change.prechange_data or {}, change.postchange_data or {}
    changed = set(change.changed_fields)
    fields = sorted(before.keys() | after.keys())
    model = change.content_type.model_class()
    rows = [
        {
            "name": name,
            "label": _field_label(model, name),
            "before": before.get(name),
            "after": after.get(name),
            "has_before": name in before,
            "has_after": name in after,
            "changed": name in changed,
        }
        for name in fields
    ]
    same_request = list(
        changes.filter(changeset_id=change.changeset_id)
        .exclude(pk=change.pk)
        .select_related("content_type", "changeset")[:SAME_REQUEST_LIMIT]
    )
    context = {
        "change": change,
        "rows": rows,
        "same_request": same_request,
        "object_url": _object_url(change),
    }
    return render(request, "audit/change_detail.html", context)
