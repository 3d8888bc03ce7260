"""Serializers of the registry API. Codes are natural keys; money is integer fen."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from core.api.base import FenField, StrictModelSerializer
from registry.choices import YEAR_MAX, YEAR_MIN, RegionLevel
from registry.models import (
    MONEY_HELP,
    Organisation,
    Region,
    Village,
    VillageStat,
    WeakVillageThreshold,
    short_village_name,
    village_kind,
)

__all__ = [
    "OrganisationSerializer",
    "RegionBriefSerializer",
    "RegionSerializer",
    "VillageSerializer",
    "VillageStatSerializer",
    "WeakVillageQuerySerializer",
    "WeakVillageThresholdSerializer",
]

YEAR_KWARGS = {"min_value": YEAR_MIN, "max_value": YEAR_MAX}
# Code lengths by level, in order: a region's parent is the prefix of the previous length.
CODE_LENGTHS = sorted(RegionLevel.values)


def parent_code(code: str) -> str | None:
    """The parent's code of a region code (None for a province): 330482107 → 330482."""
    shorter = [n for n in CODE_LENGTHS if n < len(code)]
    return code[: shorter[-1]] if shorter else None


def _refuse_code_change(serializer, value: str) -> None:
    if serializer.instance is not None and value != serializer.instance.pk:
        raise serializers.ValidationError(_("The code of an existing unit cannot be changed."))


class RegionBriefSerializer(serializers.ModelSerializer):
    class Meta:
        model = Region
        fields = ["code", "name"]


class RegionSerializer(StrictModelSerializer):
    """A region; level and parent follow from the code (a code's prefixes are its ancestors)."""

    children_count = serializers.SerializerMethodField(
        help_text=_("Number of regions directly below this one.")
    )

    class Meta:
        model = Region
        fields = ["code", "name", "level", "parent", "children_count"]
        read_only_fields = ["level", "parent"]

    def get_children_count(self, obj: Region) -> int:
        # Annotated by the viewset's queryset; a region just created has no children yet.
        return getattr(obj, "children_count", 0)

    def validate_code(self, value: str) -> str:
        if not value.isdigit() or len(value) not in CODE_LENGTHS:
            raise serializers.ValidationError(_("A region code has 2, 4, 6 or 9 digits."))
        _refuse_code_change(self, value)
        return value

    def validate(self, attrs):
        if self.instance is None:
            code = attrs["code"]
            attrs["level"] = len(code)
            parent = parent_code(code)
            attrs["parent"] = None
            if parent is not None:
                attrs["parent"] = Region.objects.filter(pk=parent).first()
                if attrs["parent"] is None:
                    raise serializers.ValidationError(
                        {"code": [_("No parent region with code {}.").format(parent)]}
                    )
        return attrs


class VillageSerializer(StrictModelSerializer):
    """A village-level unit; its township and county follow from the 12-digit code."""

    township = RegionBriefSerializer(read_only=True)
    county = RegionBriefSerializer(read_only=True)

    class Meta:
        model = Village
        fields = ["code", "name", "short_name", "kind", "township", "county"]
        extra_kwargs = {
            "short_name": {
                "required": False,
                "help_text": _("Everyday name; derived from the registered name if omitted."),
            },
            "kind": {
                "required": False,
                "help_text": _("Derived from the registered name if omitted."),
            },
        }

    def validate_code(self, value: str) -> str:
        if not (value.isdigit() and len(value) == 12):
            raise serializers.ValidationError(_("A village code has 12 digits."))
        _refuse_code_change(self, value)
        return value

    def validate(self, attrs):
        if self.instance is None:
            code = attrs["code"]
            township = (
                Region.objects.filter(pk=code[:9], level=RegionLevel.TOWNSHIP)
                .select_related("parent")
                .first()
            )
            if township is None:
                raise serializers.ValidationError(
                    {"code": [_("No township with code {}.").format(code[:9])]}
                )
            attrs["township"] = township
            attrs["county"] = township.parent
            attrs.setdefault("short_name", short_village_name(attrs["name"]))
            attrs.setdefault("kind", village_kind(attrs["name"]))
        return attrs


class VillageStatSerializer(StrictModelSerializer):
    """One village's statistics for one year; (village, year) is unique."""

    village = serializers.PrimaryKeyRelatedField(
        queryset=Village.objects.all(), help_text=_("Statistical code of the village.")
    )
    village_name = serializers.CharField(source="village.short_name", read_only=True)
    total_income = FenField(help_text=MONEY_HELP)
    operating_income = FenField(required=False, allow_null=True, help_text=MONEY_HELP)
    recurring_income = FenField(required=False, allow_null=True, help_text=MONEY_HELP)
    per_capita_disposable_income = FenField(required=False, allow_null=True, help_text=MONEY_HELP)

    class Meta:
        model = VillageStat
        fields = [
            "id",
            "village",
            "village_name",
            "year",
            "total_income",
            "operating_income",
            "recurring_income",
            "population",
            "households",
            "per_capita_disposable_income",
            "is_illustrative",
        ]
        extra_kwargs = {"year": YEAR_KWARGS}


class WeakVillageThresholdSerializer(StrictModelSerializer):
    """A weak-village line for a region and a span of years; at least one test is set."""

    region = serializers.PrimaryKeyRelatedField(
        queryset=Region.objects.all(), help_text=_("Code of the region the line applies to.")
    )
    total_income_below = FenField(required=False, allow_null=True, help_text=MONEY_HELP)
    operating_income_below = FenField(required=False, allow_null=True, help_text=MONEY_HELP)
    recurring_income_below = FenField(required=False, allow_null=True, help_text=MONEY_HELP)

    class Meta:
        model = WeakVillageThreshold
        fields = [
            "id",
            "name",
            "region",
            "valid_from",
            "valid_to",
            "total_income_below",
            "operating_income_below",
            "recurring_income_below",
            "rule",
            "source",
        ]
        extra_kwargs = {"valid_from": YEAR_KWARGS, "valid_to": YEAR_KWARGS}

    def validate(self, attrs):
        tests = ("total_income_below", "operating_income_below", "recurring_income_below")
        if all(self.current(attrs, name) is None for name in tests):
            raise serializers.ValidationError(_("Set at least one of the income lines."))
        valid_from, valid_to = self.current(attrs, "valid_from"), self.current(attrs, "valid_to")
        if valid_to is not None and valid_to < valid_from:
            raise serializers.ValidationError(
                {"valid_to": [_("The last year cannot be before the first year.")]}
            )
        return attrs


class OrganisationSerializer(StrictModelSerializer):
    region = serializers.PrimaryKeyRelatedField(
        queryset=Region.objects.all(),
        required=False,
        allow_null=True,
        help_text=_("Code of the region the organisation belongs to."),
    )
    # Read-only: membership changes are not yet change-logged (m2m), so the API does not
    # offer them.
    villages = serializers.PrimaryKeyRelatedField(
        many=True, read_only=True, help_text=_("Statistical codes of the member villages.")
    )

    class Meta:
        model = Organisation
        fields = ["id", "name", "kind", "region", "villages", "description", "is_illustrative"]


class WeakVillageQuerySerializer(serializers.Serializer):
    """Query parameters of thresholds/weak/."""

    year = serializers.IntegerField(**YEAR_KWARGS)
    region = serializers.RegexField(
        r"^[0-9]{2,12}$", required=False, help_text=_("Only villages under this region code.")
    )
