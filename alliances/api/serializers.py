"""Serializers of the alliances API. Villages are named by their 12-digit code."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from alliances.choices import VoteChoice
from alliances.exceptions import MeetingError
from alliances.models import (
    AgendaItem,
    Alliance,
    Attendance,
    Consortium,
    ConsortiumType,
    Decision,
    Duty,
    DutyEvidence,
    DutyUpdate,
    Mechanism,
    Meeting,
    MeetingSeries,
    Membership,
    Minutes,
    Vote,
)
from alliances.selectors import series_days
from core.api.base import StrictModelSerializer
from registry.models import Organisation, Village

__all__ = [
    "AgendaItemSerializer",
    "AllianceSerializer",
    "AttendanceSerializer",
    "CastVoteSerializer",
    "ConsortiumSerializer",
    "ConsortiumTypeSerializer",
    "DecisionSerializer",
    "DutyEvidenceSerializer",
    "DutySerializer",
    "DutyUpdateSerializer",
    "LeaveSerializer",
    "MechanismSerializer",
    "MeetingSerializer",
    "MeetingSeriesSerializer",
    "MembershipSerializer",
    "MinutesSerializer",
    "NewDutySerializer",
    "QuorumSerializer",
    "VerifySerializer",
    "VoteSerializer",
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


# ---------------------------------------------------------------------------------------------
# Meetings and duties


class MemberInputMixin(serializers.Serializer):
    """A member named by village code XOR organisation id."""

    village = serializers.PrimaryKeyRelatedField(
        queryset=Village.objects.all(), required=False, allow_null=True
    )
    organisation = serializers.PrimaryKeyRelatedField(
        queryset=Organisation.objects.all(), required=False, allow_null=True
    )

    def validate(self, attrs):
        if (attrs.get("village") is None) == (attrs.get("organisation") is None):
            raise serializers.ValidationError(_("Give exactly one of village and organisation."))
        attrs["member"] = attrs.get("village") or attrs.get("organisation")
        return attrs


class MeetingSeriesSerializer(StrictModelSerializer):
    class Meta:
        model = MeetingSeries
        fields = [
            "id", "alliance", "kind", "title", "first_on", "every_months", "until",
            "start_time", "location", "quorum_rule", "is_illustrative",
        ]

    def validate(self, attrs):
        first, until = self.current(attrs, "first_on"), self.current(attrs, "until")
        every = self.current(attrs, "every_months")
        if first and until and every and until >= first and every >= 1:
            try:
                series_days(first, every, until)
            except MeetingError as error:
                raise serializers.ValidationError({"until": [str(error)]}) from None
        return attrs


class MeetingSerializer(StrictModelSerializer):
    class Meta:
        model = Meeting
        fields = [
            "id", "alliance", "consortium", "kind", "title", "starts_at", "location",
            "description", "series", "sequence", "quorum_rule", "is_illustrative",
        ]
        read_only_fields = ["series", "sequence"]

    def validate(self, attrs):
        consortium = self.current(attrs, "consortium")
        alliance = self.current(attrs, "alliance")
        if consortium is not None and consortium.alliance_id != alliance.pk:
            raise serializers.ValidationError(
                {"consortium": [_("The consortium belongs to another alliance.")]}
            )
        return attrs


class QuorumSerializer(serializers.Serializer):
    members = serializers.IntegerField()
    present = serializers.IntegerField()
    needed = serializers.IntegerField()
    met = serializers.BooleanField()


class AgendaItemSerializer(StrictModelSerializer):
    class Meta:
        model = AgendaItem
        fields = ["id", "meeting", "order", "title", "description"]


class AttendanceSerializer(StrictModelSerializer):
    member_name = serializers.CharField(read_only=True)

    class Meta:
        model = Attendance
        fields = ["id", "meeting", "village", "organisation", "member_name", "status", "attendee"]

    def validate(self, attrs):
        if (attrs.get("village") is None) == (attrs.get("organisation") is None):
            raise serializers.ValidationError(_("Give exactly one of village and organisation."))
        return attrs


class MinutesSerializer(StrictModelSerializer):
    class Meta:
        model = Minutes
        fields = [
            "id", "meeting", "text", "author", "written_at", "signed_off_by", "signed_off_at",
            "is_illustrative",
        ]
        read_only_fields = ["author", "written_at", "signed_off_by", "signed_off_at"]


class DecisionSerializer(StrictModelSerializer):
    class Meta:
        model = Decision
        fields = [
            "id", "meeting", "agenda_item", "text", "rule", "status", "result", "votes_for",
            "votes_against", "votes_abstain", "present_count", "member_count", "closed_by",
            "closed_at", "is_illustrative",
        ]
        read_only_fields = [
            "status", "result", "votes_for", "votes_against", "votes_abstain", "present_count",
            "member_count", "closed_by", "closed_at",
        ]


class VoteSerializer(StrictModelSerializer):
    member_name = serializers.CharField(read_only=True)

    class Meta:
        model = Vote
        fields = [
            "id", "decision", "village", "organisation", "member_name", "choice", "cast_by",
            "cast_at",
        ]
        read_only_fields = fields


class CastVoteSerializer(MemberInputMixin):
    choice = serializers.ChoiceField(choices=VoteChoice.choices)


class DutySerializer(StrictModelSerializer):
    overdue = serializers.BooleanField(read_only=True, help_text=_("Due before today, not done."))
    owner_label = serializers.CharField(read_only=True)

    class Meta:
        model = Duty
        fields = [
            "id", "alliance", "decision", "title", "description", "owner_village",
            "owner_organisation", "owner_label", "owner_user", "owner_name", "due_on", "status",
            "percent", "done_on", "verified_by", "verified_on", "overdue", "is_illustrative",
        ]
        read_only_fields = [
            "status", "percent", "done_on", "verified_by", "verified_on",
        ]

    def validate(self, attrs):
        if (attrs.get("owner_village") is None) == (attrs.get("owner_organisation") is None):
            raise serializers.ValidationError(
                _("Give exactly one of owner_village and owner_organisation.")
            )
        return attrs


class NewDutySerializer(serializers.Serializer):
    """A duty created by a decision (the decision's alliance owns it)."""

    title = serializers.CharField(max_length=200)
    description = serializers.CharField(required=False, allow_blank=True, default="")
    owner_village = serializers.PrimaryKeyRelatedField(
        queryset=Village.objects.all(), required=False, allow_null=True
    )
    owner_organisation = serializers.PrimaryKeyRelatedField(
        queryset=Organisation.objects.all(), required=False, allow_null=True
    )
    owner_name = serializers.CharField(required=False, allow_blank=True, default="", max_length=100)
    due_on = serializers.DateField()

    def validate(self, attrs):
        if (attrs.get("owner_village") is None) == (attrs.get("owner_organisation") is None):
            raise serializers.ValidationError(
                _("Give exactly one of owner_village and owner_organisation.")
            )
        return attrs


class DutyUpdateSerializer(StrictModelSerializer):
    class Meta:
        model = DutyUpdate
        fields = ["id", "duty", "on", "status", "percent", "note", "author", "recorded_at"]
        read_only_fields = ["duty", "author", "recorded_at"]
        extra_kwargs = {"on": {"required": False}, "percent": {"required": False}}


class VerifySerializer(serializers.Serializer):
    note = serializers.CharField(required=False, allow_blank=True, default="")


class DutyEvidenceSerializer(StrictModelSerializer):
    """`file` is upload-only: a file is read through `download` (its random token, scoped),
    never a MEDIA URL (which is not served)."""

    file = serializers.FileField(write_only=True)
    download = serializers.SerializerMethodField()

    class Meta:
        model = DutyEvidence
        fields = ["id", "duty", "file", "download", "title", "uploaded_by", "uploaded_at"]
        read_only_fields = ["duty", "uploaded_by", "uploaded_at"]

    @extend_schema_field(OpenApiTypes.URI)
    def get_download(self, obj) -> str:
        url = reverse("alliances:evidence_download", args=[obj.token])
        request = self.context.get("request")
        return request.build_absolute_uri(url) if request is not None else url
