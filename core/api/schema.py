"""The OpenAPI schema's defaults (settings.REST_FRAMEWORK["DEFAULT_SCHEMA_CLASS"]): every
operation documents the errors it can answer with, in the one error shape of
`core.api.handlers.exception_handler` ({"error": {"status", "detail"}}).

| status | documented on | when |
|---|---|---|
| 400 | operations with a request body or query parameters | invalid input (field errors) |
| 401 | every operation | no or a bad session / token (`WWW-Authenticate: Token`) |
| 403 | every operation | signed in, without the right (core.scope, core.errors.NotAllowed) |
| 404 | every operation | no such row, a row out of scope, or a page past the last |
| 409 | writes (POST, PUT, PATCH, DELETE) | core.errors.Conflict / Frozen, a concurrent writer |
| 429 | every operation | throttled (API_RATE_ANON / API_RATE_USER) |

Responses an operation declares itself (`extend_schema(responses={...})`) are kept.
"""

from __future__ import annotations

from drf_spectacular.openapi import AutoSchema as SpectacularAutoSchema
from drf_spectacular.utils import extend_schema_field, extend_schema_serializer
from rest_framework import serializers

__all__ = ["AutoSchema", "ErrorSerializer"]

WRITE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})

DESCRIPTIONS = {
    "400": "Invalid input: `detail` maps each field (or `non_field_errors`) to its messages.",
    "401": "Not signed in, or the session or token is not valid (`WWW-Authenticate: Token`).",
    "403": "Signed in, but not allowed to do this (role or scope).",
    "404": "Not found, or out of the user's scope.",
    "409": "The change conflicts with existing data (frozen, still referred to, or a "
    "concurrent change).",
    "429": "Too many requests: try again later.",
}


@extend_schema_field(
    {
        "oneOf": [
            {"type": "string"},
            {"type": "array", "items": {}},
            {"type": "object", "additionalProperties": {}},
        ],
        "description": "A message, a list of messages, or messages by field name.",
    }
)
class ErrorDetailField(serializers.JSONField):
    pass


class ErrorBodySerializer(serializers.Serializer):
    status = serializers.IntegerField(help_text="The HTTP status, repeated.")
    detail = ErrorDetailField()


@extend_schema_serializer(component_name="Error", many=False)
class ErrorSerializer(serializers.Serializer):
    """The body of every error response."""

    error = ErrorBodySerializer()


class AutoSchema(SpectacularAutoSchema):
    def error_codes(self) -> list[str]:
        codes = ["401", "403", "404", "429"]
        if self.method in WRITE_METHODS:
            codes.append("409")
        if self.method in {"POST", "PUT", "PATCH"} or self._has_query_parameters():
            codes.append("400")
        return sorted(codes)

    def _has_query_parameters(self) -> bool:
        return any(p.get("in") == "query" for p in self._get_parameters())

    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        for code in self.error_codes():
            if code in responses:
                continue
            response = self._get_response_for_code(ErrorSerializer, code, direction=direction)
            response["description"] = DESCRIPTIONS[code]
            if code == "401":
                response.setdefault("headers", {})["WWW-Authenticate"] = {
                    "schema": {"type": "string"},
                    "description": "`Token`: send `Authorization: Token <secret>`.",
                }
            responses[code] = response
        return dict(sorted(responses.items()))
