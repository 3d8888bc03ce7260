"""Admin pages for alliances; saves go through the models, so the change log records them.

Governance records are history: what is append-only (votes, progress updates, evidence) or
written only by the services' rules (attendance) is read-only here, and minutes, decisions
and a meeting's agenda become read-only once frozen (signed off / closed), for superusers
too, so the admin can never overwrite them.
"""

from django.contrib import admin

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
from alliances.models.meetings import meeting_frozen
from core.admin import ReadOnlyAdmin
from registry.admin import ScopedAdmin


class MechanismInline(admin.TabularInline):
    model = Mechanism
    extra = 0


@admin.register(Alliance)
class AllianceAdmin(ScopedAdmin):
    list_display = ["name", "region", "founded_on", "agreement_signed_on", "is_illustrative"]
    inlines = [MechanismInline]


@admin.register(ConsortiumType)
class ConsortiumTypeAdmin(ScopedAdmin):
    list_display = ["name"]


@admin.register(Consortium)
class ConsortiumAdmin(ScopedAdmin):
    list_display = ["name", "alliance", "type", "is_illustrative"]
    list_filter = ["alliance", "type"]


@admin.register(Membership)
class MembershipAdmin(ScopedAdmin):
    list_display = [
        "__str__",
        "alliance",
        "consortium",
        "role",
        "joined_on",
        "left_on",
        "is_illustrative",
    ]
    list_filter = ["role", "alliance", "consortium"]
    raw_id_fields = ["village", "organisation"]


# --- Meetings ----------------------------------------------------------------------------------


@admin.register(MeetingSeries)
class MeetingSeriesAdmin(ScopedAdmin):
    list_display = ["title", "alliance", "kind", "first_on", "every_months", "until"]
    list_filter = ["alliance", "kind"]

    def has_delete_permission(self, request, obj=None):
        return False  # its meetings keep pointing to it


class AgendaItemInline(admin.TabularInline):
    model = AgendaItem
    extra = 0

    def has_add_permission(self, request, obj=None):
        return super().has_add_permission(request, obj) and not meeting_frozen(obj)

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and not meeting_frozen(obj)

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and not meeting_frozen(obj)


@admin.register(Meeting)
class MeetingAdmin(ScopedAdmin):
    """A meeting whose minutes are signed off is read-only, with its agenda."""

    list_display = ["title", "alliance", "kind", "starts_at", "consortium", "is_illustrative"]
    list_filter = ["alliance", "kind"]
    list_select_related = ["alliance", "consortium"]
    search_fields = ["title"]
    readonly_fields = ["series", "sequence"]
    date_hierarchy = "starts_at"
    inlines = [AgendaItemInline]

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and not meeting_frozen(obj)

    def has_delete_permission(self, request, obj=None):
        return False  # attendance, minutes and decisions keep pointing to it


@admin.register(Attendance)
class AttendanceAdmin(ReadOnlyAdmin):
    """Recorded on the meeting page (`record_attendance` checks membership and votes)."""

    list_display = ["meeting", "village", "organisation", "status", "attendee"]
    list_filter = ["status"]
    list_select_related = ["meeting", "village", "organisation"]


@admin.register(Minutes)
class MinutesAdmin(ScopedAdmin):
    """Only the text of unsigned minutes may be amended; signed-off minutes are read-only.

    Writing and signing off happen on the meeting page (the four-eyes rule).
    """

    list_display = ["meeting", "author", "written_at", "signed_off_by", "signed_off_at"]
    list_select_related = ["meeting", "author", "signed_off_by"]
    readonly_fields = [
        "meeting",
        "author",
        "amended_by",
        "written_at",
        "signed_off_by",
        "signed_off_at",
        "is_illustrative",
    ]

    def has_add_permission(self, request):
        return False

    def save_model(self, request, obj, form, change):
        obj.amended_by = request.user  # an amendment here counts against signing off too
        super().save_model(request, obj, form, change)

    def has_change_permission(self, request, obj=None):
        if obj is not None and meeting_frozen(obj.meeting_id, obj):
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Decision)
class DecisionAdmin(ScopedAdmin):
    """An open decision's wording may be corrected; a closed one is read-only. The tally
    and result are written only by `close_decision`."""

    list_display = ["__str__", "meeting", "rule", "status", "result", "closed_at"]
    list_filter = ["status", "result", "rule"]
    list_select_related = ["meeting"]
    readonly_fields = [
        "meeting",
        "status",
        "result",
        "votes_for",
        "votes_against",
        "votes_abstain",
        "present_count",
        "member_count",
        "closed_by",
        "closed_at",
        "is_illustrative",
    ]
    raw_id_fields = ["agenda_item"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        if obj is not None and (obj.is_closed or meeting_frozen(obj.meeting_id)):
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Vote)
class VoteAdmin(ReadOnlyAdmin):
    """Cast once, never changed."""

    list_display = ["decision", "village", "organisation", "choice", "cast_by", "cast_at"]
    list_filter = ["choice"]
    list_select_related = ["decision", "village", "organisation", "cast_by"]


# --- Duties ------------------------------------------------------------------------------------


@admin.register(Duty)
class DutyAdmin(ScopedAdmin):
    """Title, owner and due day may be corrected; the progress fields are copied from the
    progress history (append-only) and are shown read-only."""

    list_display = ["title", "alliance", "owner_label", "due_on", "status", "percent"]
    list_filter = ["status", "alliance"]
    list_select_related = ["alliance", "owner_village", "owner_organisation"]
    search_fields = ["title"]
    raw_id_fields = ["decision", "owner_village", "owner_organisation", "owner_user"]
    readonly_fields = ["status", "percent", "done_on", "verified_by", "verified_on", "created_at"]

    def has_delete_permission(self, request, obj=None):
        return False  # its progress history keeps pointing to it


@admin.register(DutyUpdate)
class DutyUpdateAdmin(ReadOnlyAdmin):
    """Append-only progress history."""

    list_display = ["duty", "on", "status", "percent", "author", "recorded_at"]
    list_filter = ["status"]
    list_select_related = ["duty", "author"]


@admin.register(DutyEvidence)
class DutyEvidenceAdmin(ReadOnlyAdmin):
    """Kept, never replaced."""

    list_display = ["duty", "title", "uploaded_by", "uploaded_at"]
    list_select_related = ["duty", "uploaded_by"]
