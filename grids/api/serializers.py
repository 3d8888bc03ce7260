"""Grids API serializers: people appear masked (`id_masked`, `phone_masked`); no sealed
value, blind index or clear personal field is ever a serializer field."""

from __future__ import annotations

from rest_framework import serializers

from core.api.base import StrictModelSerializer
from grids.choices import MatterCategory, MatterLevel, RevealField, Satisfaction, StepKind
from grids.models import (
    Grid,
    GridWorker,
    Household,
    Matter,
    MatterStep,
    MicroGrid,
    Person,
    PersonalDataReveal,
    ScreeningEntry,
    ScreeningTask,
)


class PersonSerializer(StrictModelSerializer):
    class Meta:
        model = Person
        fields = [
            "id",
            "household",
            "name",
            "gender",
            "birth_year",
            "relation",
            "id_masked",
            "phone_masked",
            "is_party_member",
            "is_shareholder",
            "shares",
        ]
        read_only_fields = fields


class PersonCreateSerializer(serializers.Serializer):
    household = serializers.PrimaryKeyRelatedField(queryset=Household.objects.all())
    name = serializers.CharField(max_length=50)
    gender = serializers.ChoiceField(choices=[("M", "M"), ("F", "F")])
    birth_year = serializers.IntegerField(min_value=1880, max_value=2100)
    relation = serializers.CharField(max_length=12)
    id_number = serializers.CharField(
        max_length=30, required=False, allow_blank=True, write_only=True
    )
    phone = serializers.CharField(max_length=20, required=False, allow_blank=True, write_only=True)
    is_party_member = serializers.BooleanField(default=False)
    is_shareholder = serializers.BooleanField(default=False)
    shares = serializers.IntegerField(min_value=0, max_value=1_000_000, default=0)


class HouseholdSerializer(StrictModelSerializer):
    size = serializers.IntegerField(read_only=True, required=False)

    class Meta:
        model = Household
        fields = ["id", "village", "number", "group_name", "micro_grid", "is_illustrative", "size"]
        read_only_fields = ["id", "size", "is_illustrative"]


class WorkerSerializer(StrictModelSerializer):
    class Meta:
        model = GridWorker
        fields = ["id", "grid", "micro_grid", "side", "role", "name"]
        read_only_fields = fields


class MicroGridSerializer(StrictModelSerializer):
    class Meta:
        model = MicroGrid
        fields = ["id", "grid", "name", "side"]
        read_only_fields = fields


class GridSerializer(StrictModelSerializer):
    class Meta:
        model = Grid
        fields = ["id", "name", "village", "partner_village"]
        read_only_fields = fields


class MatterStepSerializer(StrictModelSerializer):
    class Meta:
        model = MatterStep
        fields = ["kind", "level", "at", "note", "satisfaction"]
        read_only_fields = fields


class MatterSerializer(StrictModelSerializer):
    steps = MatterStepSerializer(many=True, read_only=True)

    class Meta:
        model = Matter
        fields = [
            "id",
            "grid",
            "micro_grid",
            "category",
            "place",
            "description",
            "household",
            "status",
            "level",
            "reported_at",
            "due_at",
            "handled_at",
            "closed_at",
            "steps",
        ]
        read_only_fields = [
            "id",
            "status",
            "level",
            "reported_at",
            "due_at",
            "handled_at",
            "closed_at",
            "steps",
        ]


class MatterReportSerializer(serializers.Serializer):
    grid = serializers.PrimaryKeyRelatedField(queryset=Grid.objects.all())
    micro_grid = serializers.PrimaryKeyRelatedField(
        queryset=MicroGrid.objects.all(), required=False, allow_null=True
    )
    household = serializers.PrimaryKeyRelatedField(
        queryset=Household.objects.all(), required=False, allow_null=True
    )
    category = serializers.ChoiceField(choices=MatterCategory.choices)
    place = serializers.CharField(max_length=200)
    description = serializers.CharField(max_length=4000)


class MatterStepInputSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=[c for c in StepKind.choices if c[0] != "accept"])
    note = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")
    level = serializers.ChoiceField(choices=MatterLevel.choices, required=False)
    satisfaction = serializers.ChoiceField(choices=Satisfaction.choices, required=False, default="")


class ScreeningTaskSerializer(StrictModelSerializer):
    total = serializers.IntegerField(read_only=True)
    done = serializers.IntegerField(read_only=True)

    class Meta:
        model = ScreeningTask
        fields = ["id", "grid", "name", "held_on", "status", "closed_at", "total", "done"]
        read_only_fields = fields


class ScreeningEntrySerializer(StrictModelSerializer):
    class Meta:
        model = ScreeningEntry
        fields = [
            "id",
            "task",
            "micro_grid",
            "line",
            "name_masked",
            "id_masked",
            "phone_masked",
            "checked_at",
        ]
        read_only_fields = fields


class RevealInputSerializer(serializers.Serializer):
    field = serializers.ChoiceField(choices=RevealField.choices)
    reason = serializers.CharField(min_length=2, max_length=300)


class RevealOutputSerializer(serializers.Serializer):
    field = serializers.CharField()
    value = serializers.CharField()


class RevealLogSerializer(StrictModelSerializer):
    user = serializers.CharField(source="user.username", read_only=True)

    class Meta:
        model = PersonalDataReveal
        fields = ["id", "at", "user", "village", "person", "entry", "field", "reason"]
        read_only_fields = fields
