from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _

from accounts.models import Grant, User


class GrantInline(admin.TabularInline):
    """A user's roles and scopes; the scope pickers are raw ids (620,000 villages)."""

    model = Grant
    extra = 0
    raw_id_fields = ["region", "village", "organisation"]


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    inlines = [GrantInline]
    list_display = ["username", "display_name", "email", "is_active", "is_staff", "last_login"]
    search_fields = ["username", "display_name", "email", "phone"]
    fieldsets = [
        *BaseUserAdmin.fieldsets,
        (_("Baotuan"), {"fields": ["display_name", "phone"]}),
    ]


@admin.register(Grant)
class GrantAdmin(admin.ModelAdmin):
    list_display = ["user", "role", "region", "village", "organisation"]
    list_filter = ["role"]
    list_select_related = ["user", "region", "village", "organisation"]
    search_fields = ["user__username", "village__short_name", "region__name"]
    raw_id_fields = ["user", "region", "village", "organisation"]
