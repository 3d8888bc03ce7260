"""Tourism API serializers. Reads show the stored rows; writes are input serializers whose
data go to `tourism.services` (the same checks as the pages). Money in integer fen."""

from __future__ import annotations

from rest_framework import serializers

from core.api.base import FenField, StrictModelSerializer
from lib import scenic
from registry.models import Organisation
from tourism.choices import CountMethod, Grade, OperatorKind, Premises, SpotKind
from tourism.models import (
    Assessment,
    Association,
    CumulativeFigure,
    GradeAward,
    MonthlyFigure,
    Operator,
    Route,
    RouteStop,
    Spot,
)


class SpotSerializer(StrictModelSerializer):
    class Meta:
        model = Spot
        fields = [
            "id",
            "village",
            "name",
            "kind",
            "latitude",
            "longitude",
            "description",
            "is_illustrative",
        ]
        read_only_fields = ["id", "is_illustrative"]


class SpotChangeSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=100, required=False)
    kind = serializers.ChoiceField(choices=SpotKind.choices, required=False)
    latitude = serializers.DecimalField(max_digits=8, decimal_places=5, required=False)
    longitude = serializers.DecimalField(max_digits=8, decimal_places=5, required=False)
    description = serializers.CharField(required=False, allow_blank=True)

    def to_internal_value(self, data):
        unknown = set(data) - set(self.fields)
        if unknown:
            raise serializers.ValidationError({k: ["Unknown field."] for k in unknown})
        return super().to_internal_value(data)


class GradeAwardSerializer(StrictModelSerializer):
    class Meta:
        model = GradeAward
        fields = [
            "id",
            "spot",
            "scheme",
            "grade",
            "awarded_on",
            "assessment",
            "note",
            "is_illustrative",
        ]
        read_only_fields = fields


class NationalGradeSerializer(serializers.Serializer):
    spot = serializers.PrimaryKeyRelatedField(queryset=Spot.objects.all())
    grade = serializers.ChoiceField(choices=Grade.choices)
    awarded_on = serializers.DateField()
    note = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")


class AssessmentSerializer(StrictModelSerializer):
    class Meta:
        model = Assessment
        fields = [
            "id",
            "spot",
            "assessed_on",
            *(part.key for part in scenic.SHEET),
            "bonus",
            "total",
            "grade",
            "assessor",
            "is_illustrative",
        ]
        read_only_fields = fields


class AssessmentInputSerializer(serializers.Serializer):
    """The scores of each part (`lib.scenic.SHEET`); their maxima are the service's check,
    so an over-maximum score is refused naming the part and its maximum."""

    spot = serializers.PrimaryKeyRelatedField(queryset=Spot.objects.all())
    assessed_on = serializers.DateField()
    scores = serializers.DictField(child=serializers.IntegerField())
    bonus = serializers.IntegerField(default=0)
    claimed_grade = serializers.ChoiceField(
        choices=[("", ""), ("A", "A"), ("AA", "AA"), ("AAA", "AAA")], required=False, default=""
    )
    assessor = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")


class AssociationSerializer(StrictModelSerializer):
    lead = serializers.PrimaryKeyRelatedField(
        queryset=Organisation.objects.all(), required=False, allow_null=True
    )

    class Meta:
        model = Association
        fields = ["id", "name", "lead", "description", "is_illustrative"]
        read_only_fields = ["id", "is_illustrative"]


class OperatorSerializer(StrictModelSerializer):
    kind = serializers.ChoiceField(choices=OperatorKind.choices)
    premises = serializers.ChoiceField(choices=Premises.choices)

    class Meta:
        model = Operator
        fields = [
            "id",
            "village",
            "spot",
            "name",
            "kind",
            "rooms",
            "beds",
            "seats",
            "staff",
            "premises",
            "association",
            "is_illustrative",
        ]
        read_only_fields = ["id", "is_illustrative"]


class RouteStopSerializer(StrictModelSerializer):
    spot_name = serializers.CharField(source="spot.name", read_only=True)

    class Meta:
        model = RouteStop
        fields = ["position", "spot", "spot_name"]
        read_only_fields = fields


class RouteSerializer(StrictModelSerializer):
    stops = RouteStopSerializer(many=True, read_only=True)

    class Meta:
        model = Route
        fields = [
            "id",
            "consortium",
            "name",
            "description",
            "is_public",
            "is_illustrative",
            "stops",
        ]
        read_only_fields = fields


class RouteInputSerializer(serializers.Serializer):
    """A route's stops as spot ids, in order; an id that is no spot is refused by position."""

    consortium = serializers.IntegerField()
    name = serializers.CharField(max_length=200)
    description = serializers.CharField(required=False, allow_blank=True, default="")
    is_public = serializers.BooleanField(default=True)
    stops = serializers.ListField(child=serializers.IntegerField(), min_length=1, max_length=50)


class StopsInputSerializer(serializers.Serializer):
    stops = serializers.ListField(child=serializers.IntegerField(), min_length=1, max_length=50)


class MonthlyFigureSerializer(StrictModelSerializer):
    revenue = FenField(read_only=True)

    class Meta:
        model = MonthlyFigure
        fields = [
            "id",
            "village",
            "spot",
            "operator",
            "month",
            "visitors",
            "revenue",
            "method",
            "is_illustrative",
            "is_collective_income",
        ]
        read_only_fields = fields


class MonthlyFigureInputSerializer(serializers.Serializer):
    """Visitors are an integer (a negative one is refused by the service with its message);
    revenue in fen."""

    spot = serializers.PrimaryKeyRelatedField(
        queryset=Spot.objects.all(), required=False, allow_null=True, default=None
    )
    operator = serializers.PrimaryKeyRelatedField(
        queryset=Operator.objects.all(), required=False, allow_null=True, default=None
    )
    month = serializers.DateField()
    visitors = serializers.IntegerField()
    revenue = FenField(default=0)
    method = serializers.ChoiceField(choices=CountMethod.choices)
    is_collective_income = serializers.BooleanField(default=False)


class CumulativeFigureSerializer(StrictModelSerializer):
    revenue = FenField(read_only=True)

    class Meta:
        model = CumulativeFigure
        fields = [
            "id",
            "spot",
            "as_of",
            "since",
            "visitors",
            "revenue",
            "source",
            "is_illustrative",
        ]
        read_only_fields = fields


__all__ = [
    "AssessmentInputSerializer",
    "AssessmentSerializer",
    "AssociationSerializer",
    "CumulativeFigureSerializer",
    "GradeAwardSerializer",
    "MonthlyFigureInputSerializer",
    "MonthlyFigureSerializer",
    "NationalGradeSerializer",
    "OperatorSerializer",
    "RouteInputSerializer",
    "RouteSerializer",
    "SpotChangeSerializer",
    "SpotSerializer",
    "StopsInputSerializer",
]
