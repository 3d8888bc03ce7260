from django_filters import rest_framework as filters

from points.models import Entry


class EntryFilterSet(filters.FilterSet):
    class Meta:
        model = Entry
        fields = ["scheme", "household", "state", "notice"]
