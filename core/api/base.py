"""Base classes shared by every app's `api/` package (NetBox's BaseViewSet is the model).

- `StrictModelSerializer`: refuses keys it would otherwise ignore (unknown or read-only).
- `FenField`: money as a whole number of fen, never a float or a decimal string, within the
  one money limit (`lib.money.MAX_FEN`).
- `ScopedModelViewSet` / `ScopedReadOnlyViewSet`: `get_queryset()` is always
  `restrict(queryset, user, action)`, with the action taken from the HTTP method; creation
  and re-homing of a row are checked with `may_write`; writes run in `transaction.atomic`.

Kept apart from `core/api/handlers.py` on purpose: REST_FRAMEWORK's settings import that module
while DRF's viewsets module is still loading, so it must not import viewsets itself.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from django.db import IntegrityError, models, transaction
from django.db.models import ProtectedError, RestrictedError
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers, viewsets
from rest_framework.exceptions import MethodNotAllowed

from core.api.handlers import Conflict
from core.scope import may_write, restrict
from lib.money import MAX_FEN, MIN_FEN

__all__ = [
    "ACTION_FOR_METHOD",
    "Conflict",
    "FenField",
    "ScopedModelViewSet",
    "ScopedReadOnlyViewSet",
    "StrictModelSerializer",
]

# The restrict() action each HTTP method needs (NetBox maps methods the same way).
ACTION_FOR_METHOD = {
    "GET": "view",
    "HEAD": "view",
    "OPTIONS": "view",
    "POST": "add",
    "PUT": "change",
    "PATCH": "change",
    "DELETE": "delete",
}

FEN_MAX = 2**63 - 1  # what a BigIntegerField holds: the bound of read-only sums (balances)


class FenField(serializers.IntegerField):
    """An amount of money in integer fen (1/100 yuan), not negative unless told otherwise.

    JSON integers and strings of digits are accepted; floats, decimal strings ("12.50") and
    booleans are refused, so an amount in yuan is never silently taken for fen. An amount
    written is within the one money limit, ±MAX_FEN (the imports' and forms' limit too); a
    read-only one (a sum, a balance) may be anything a BigIntegerField holds.
    """

    default_error_messages = {
        "not_fen": _("Enter a whole number of fen (1/100 yuan), without a decimal point."),
        "max_value": _("At most {max_value} fen: a larger amount is beyond the money limit."),
    }
    _DIGITS = re.compile(r"-?[0-9]+")

    def __init__(self, **kwargs):
        if kwargs.get("read_only"):
            kwargs.setdefault("min_value", 0)
            kwargs.setdefault("max_value", FEN_MAX)
        else:
            kwargs["min_value"] = max(kwargs.get("min_value", 0), MIN_FEN)
            kwargs["max_value"] = min(kwargs.get("max_value", MAX_FEN), MAX_FEN)
        super().__init__(**kwargs)

    def to_internal_value(self, data):
        if isinstance(data, bool) or not (
            isinstance(data, int) or (isinstance(data, str) and self._DIGITS.fullmatch(data))
        ):
            self.fail("not_fen")
        return super().to_internal_value(data)


class StrictModelSerializer(serializers.ModelSerializer):
    """A ModelSerializer that refuses unknown keys and keys naming read-only fields.

    DRF silently drops both; a client that sends `townshp` or a read-only `township` would
    believe it set something. Errors for these keys are reported with the other field errors.
    """

    def to_internal_value(self, data):
        unexpected = {}
        if isinstance(data, Mapping):
            for key in data:
                field = self.fields.get(key)
                if field is None:
                    unexpected[key] = [_("Unknown field.")]
                elif field.read_only:
                    unexpected[key] = [_("This field is read-only.")]
        try:
            value = super().to_internal_value(data)
        except serializers.ValidationError as exc:
            if unexpected and isinstance(exc.detail, Mapping):
                raise serializers.ValidationError({**exc.detail, **unexpected}) from None
            raise
        if unexpected:
            raise serializers.ValidationError(unexpected)
        return value

    def current(self, attrs: Mapping, name: str):
        """The value `name` will have after this write (sent, else the instance's, else None)."""
        if name in attrs:
            return attrs[name]
        return getattr(self.instance, name, None)


def _follow(obj, path: str | None):
    """The object at an ORM lookup path from `obj` ("" is obj itself; None is nothing)."""
    if path is None:
        return None
    for part in path.split("__") if path else ():
        if obj is None:
            return None
        obj = getattr(obj, part)
    return obj


class ScopedViewSetMixin:
    """Rows come from `restrict(self.queryset, user, action)`; nothing else decides scope."""

    queryset: models.QuerySet

    def initial(self, request, *args, **kwargs):
        # Refuse a method the route does not have before authentication and permissions,
        # so that e.g. POST to a read-only endpoint answers 405 to everyone, not 403 to some.
        method = request.method.lower()
        if method not in self.http_method_names or not hasattr(self, method):
            raise MethodNotAllowed(request.method)
        super().initial(request, *args, **kwargs)

    @property
    def scope_action(self) -> str:
        return ACTION_FOR_METHOD.get(self.request.method, "view")

    def get_queryset(self):
        return restrict(self.queryset.all(), self.request.user, self.scope_action)


class ScopedReadOnlyViewSet(ScopedViewSetMixin, viewsets.ReadOnlyModelViewSet):
    """List and retrieve only; every other method answers 405."""


class ScopedModelViewSet(ScopedViewSetMixin, viewsets.ModelViewSet):
    """CRUD within the user's scope; each write is one transaction with its change-log row.

    Rows outside the scope are not found (404), as in NetBox. Creating a row, or moving one
    to another village or organisation, needs `may_write` for the new owner (else 403).
    """

    def check_write_scope(self, serializer) -> None:
        """Refuse (403) unless the user may write a row owned as the validated data says."""
        model = self.queryset.model
        policy = model.scope_policy
        data = {
            name: value
            for name, value in serializer.validated_data.items()
            if not model._meta.get_field(name).many_to_many
        }
        if serializer.instance is None:
            candidate = model(**data)
        else:
            candidate = model(
                **{
                    f.attname: getattr(serializer.instance, f.attname)
                    for f in model._meta.concrete_fields
                }
            )
            for name, value in data.items():
                setattr(candidate, name, value)
        if not may_write(
            self.request.user,
            model,
            village=_follow(candidate, policy.village_path),
            organisation=_follow(candidate, policy.organisation_path),
        ):
            self.permission_denied(self.request)

    def _save(self, serializer) -> None:
        self.check_write_scope(serializer)
        try:
            with transaction.atomic():
                serializer.save()
        except IntegrityError:
            # Validators catch duplicates first; this is a concurrent writer winning the race.
            raise Conflict() from None

    def perform_create(self, serializer) -> None:
        self._save(serializer)

    def perform_update(self, serializer) -> None:
        self._save(serializer)

    def perform_destroy(self, instance) -> None:
        try:
            with transaction.atomic():
                instance.delete()
        except (ProtectedError, RestrictedError):
            raise Conflict(
                _("“{}” is still referred to by other data and cannot be deleted.").format(instance)
            ) from None
