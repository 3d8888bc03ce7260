from django_filters import rest_framework as filters

from tourism.models import MonthlyFigure, Operator, Spot


class SpotFilterSet(filters.FilterSet):
    class Meta:
        model = Spot
        fields = ["village", "kind"]


class OperatorFilterSet(filters.FilterSet):
    class Meta:
        model = Operator
        fields = ["village", "kind", "association"]


class MonthlyFigureFilterSet(filters.FilterSet):
    month_from = filters.DateFilter(field_name="month", lookup_expr="gte")
    month_to = filters.DateFilter(field_name="month", lookup_expr="lte")

    class Meta:
        model = MonthlyFigure
        fields = ["village", "spot", "operator", "method", "is_illustrative"]
