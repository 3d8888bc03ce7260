from django_filters import rest_framework as filters

from grids.models import Household, Matter, Person, ScreeningEntry


class HouseholdFilterSet(filters.FilterSet):
    class Meta:
        model = Household
        fields = ["village", "micro_grid", "number"]


class PersonFilterSet(filters.FilterSet):
    class Meta:
        model = Person
        fields = ["household", "is_party_member", "is_shareholder"]


class MatterFilterSet(filters.FilterSet):
    class Meta:
        model = Matter
        fields = ["grid", "status", "category", "level"]


class ScreeningEntryFilterSet(filters.FilterSet):
    class Meta:
        model = ScreeningEntry
        fields = ["task", "micro_grid"]
