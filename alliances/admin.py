"""Admin pages for alliances; saves go through the models, so the change log records them."""

from django.contrib import admin

from alliances.models import Alliance, Consortium, ConsortiumType, Mechanism, Membership
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
        "__str__", "alliance", "consortium", "role", "joined_on", "left_on", "is_illustrative"
    ]
    list_filter = ["role", "alliance", "consortium"]
    raw_id_fields = ["village", "organisation"]
