from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from registry.choices import YEAR_MAX, YEAR_MIN


class IndicatorsQuerySerializer(serializers.Serializer):
    region = serializers.RegexField(
        r"^[0-9]{2,9}$", help_text=_("Region code (2, 4, 6 or 9 digits).")
    )
    year = serializers.IntegerField(
        min_value=YEAR_MIN, max_value=YEAR_MAX, help_text=_("Statistics year.")
    )
