"""Serializers of the alliances API. Villages are named by their 12-digit code."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from alliances.models import Alliance, Consortium, ConsortiumType, Mechanism, Membership
from baotuan.api_base import StrictModelSerializer

__all__ = [
    "AllianceSerializer",
    "ConsortiumSerializer",
    "ConsortiumTypeSerializer",
    "LeaveSerializer",
    "MechanismSerializer",
    "MembershipSerializer",
]


class MechanismSerializer(StrictModelSerializer):
    class Meta:
        model = Mechanism
        fields = ["id", "alliance", "name", "description", "order"]


class MechanismBriefSerializer(serializers.ModelSerializer):
    class Meta:
        model = Mechanism
        fields = ["id", "name", "order"]


class AllianceSerializer(StrictModelSerializer):
    mechanisms = MechanismBriefSerializer(many=True, read_only=True)

    class Meta:
        model = Alliance
        fields = [
            "id", "name", "description", "founded_on", "region", "agreement_signed_on",
            "agreement", "mechanisms", "is_illustrative",
        ]


class ConsortiumTypeSerializer(StrictModelSerializer):
    class Meta:
        model = ConsortiumType
        fields = ["id", "name", "description"]


class ConsortiumSerializer(StrictModelSerializer):
    type_name = serializers.CharField(source="type.name", read_only=True)

    class Meta:
        model = Consortium
        fields = ["id", "alliance", "name", "type", "type_name", "description", "is_illustrative"]


class MembershipSerializer(StrictModelSerializer):
    member_name = serializers.SerializerMethodField(help_text=_("The member's display name."))

    class Meta:
        model = Membership
        fields = [
            "id", "alliance", "consortium", "village", "organisation", "member_name", "role",
            "joined_on", "left_on", "is_illustrative", "note",
        ]
        read_only_fields = ["left_on"]

    def get_member_name(self, obj) -> str:
        return str(obj.member)

    def validate(self, attrs):
        if (attrs.get("alliance") is None) == (attrs.get("consortium") is None):
            raise serializers.ValidationError(_("Give exactly one of alliance and consortium."))
        if (attrs.get("village") is None) == (attrs.get("organisation") is None):
            raise serializers.ValidationError(_("Give exactly one of village and organisation."))
        return attrs


class LeaveSerializer(serializers.Serializer):
    left_on = serializers.DateField(help_text=_("Last day of membership."))
