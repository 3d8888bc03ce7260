from django.utils.translation import gettext_lazy as _
from rest_framework import serializers


class IndicatorsQuerySerializer(serializers.Serializer):
    region = serializers.RegexField(
        r"^[0-9]{2,9}$", help_text=_("Region code (2, 4, 6 or 9 digits).")
    )
    year = serializers.IntegerField(min_value=1949, max_value=2100, help_text=_("Statistics year."))
