"""The change log, read-only: a filterable list and one change with before/after."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import FieldDoesNotExist, PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, render
from django.urls import NoReverseMatch, reverse
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from audit.filters import ObjectChangeFilterSet
from audit.models import ObjectChange
from core.exports import wants_xlsx, xlsx_response, xlsx_url
from core.htmx import render_page
from core.scope import restrict
from core.templatetags.baotuan_tags import type_name

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


def _field(model, name: str):
    """The concrete field a snapshot key names ("village_id" → the village field), or None."""
    if model is None:
        return None
    try:
        field = model._meta.get_field(name)
    except FieldDoesNotExist:
        return None
    return field if getattr(field, "concrete", False) else None


def _field_label(model, field, name: str) -> str:
    """The field's verbose name, in the page's language. A relation left with Django's
    default name ("parent", "organisation") is named after what it points to: "上级区划",
    "组织", never the attribute's key."""
    if field is None:
        extra = getattr(model, "change_log_labels", {})
        return str(extra[name]) if name in extra else name
    label = str(field.verbose_name)
    # Django keeps the verbose name given (None: it made one from the attribute's name).
    if field.is_relation and field.related_model is not None and field._verbose_name is None:
        related = str(field.related_model._meta.verbose_name)
        if field.related_model is model:
            return _("parent {model}").format(model=related)
        return related
    return label


def _related_names(model, rows: list[tuple]) -> dict[tuple[str, str], str]:
    """(field name, pk) → the related object's name, for the foreign keys in the snapshots:
    one query per foreign key field that has values."""
    wanted: dict[str, set] = {}
    fields = {}
    for name, field, values in rows:
        if field is not None and (field.many_to_one or field.one_to_one):
            fields[name] = field
            wanted.setdefault(name, set()).update(v for v in values if v not in (None, ""))
    names = {}
    for name, pks in wanted.items():
        if not pks:
            continue
        related = fields[name].related_model
        for pk, obj in related._base_manager.in_bulk(list(pks)).items():
            names[(name, str(pk))] = str(obj)
    return names


def _value_text(model, field, name: str, value, related: dict) -> str:
    """A snapshot value as a reader says it: a choice by its label, a foreign key by the
    object's name, yes/no, "—" for nothing; the model may say more (`change_log_value`)."""
    if value is None or value == "":
        return "—"
    hook = getattr(model, "change_log_value", None)
    if hook is not None:
        text = hook(name, value)
        if text is not None:
            return text
    if field is not None and field.choices:
        return str(dict(field.flatchoices).get(value, value))
    if isinstance(value, bool):
        yes, no, _maybe = _("yes,no,maybe").split(",")  # Django's own words for these
        return yes if value else no
    if field is not None and field.is_relation:
        return related.get((name, str(value)), str(value))
    return str(value)


def _change_xlsx(changes):
    """The filtered change log (newest first, at most EXPORT_ROW_LIMIT rows) as Excel: who,
    when, from where, what, with the object named as on the page."""
    headers = [
        _("Time"),
        _("User"),
        _("Source"),
        _("Action"),
        _("Object type"),
        _("Object"),
        _("Object id"),
        _("Request id"),
    ]
    rows = (
        [
            change.time,
            change.user_name or _("system"),
            change.source_label,
            change.get_action_display(),
            capfirst(type_name(change.content_type)),
            change.object_repr,
            change.object_pk,
            str(change.request_id),
        ]
        for change in changes.iterator(chunk_size=2000)
    )
    return xlsx_response("变更日志", headers, rows, sheet=_("Change log"))


@login_required
@require_safe
def change_list(request):
    changes = _readable_changes(request.user).select_related("content_type", "changeset")
    filterset = ObjectChangeFilterSet(request.GET or None, queryset=changes)
    if wants_xlsx(request):
        return _change_xlsx(filterset.qs)
    page = Paginator(filterset.qs, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {"filterset": filterset, "page": page, "xlsx_url": xlsx_url(request)}
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
    resolved = [(name, _field(model, name)) for name in fields]
    related = _related_names(
        model, [(name, field, (before.get(name), after.get(name))) for name, field in resolved]
    )
    rows = [
        {
            "name": name,
            "label": _field_label(model, field, name),
            "before": _value_text(model, field, name, before.get(name), related),
            "after": _value_text(model, field, name, after.get(name), related),
            "has_before": name in before,
            "has_after": name in after,
            "changed": name in changed,
        }
        for name, field in resolved
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
