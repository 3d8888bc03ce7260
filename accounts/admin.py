from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from accounts.models import ApiToken, Grant, User
from accounts.services import revoke_token
from core.admin import ReadOnlyAdmin


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


@admin.register(ApiToken)
class ApiTokenAdmin(ReadOnlyAdmin):
    """Tokens are issued by `baotuan create_token` (the secret is printed once, only its hash
    is stored); here they are listed and revoked, never edited or deleted."""

    list_display = ["prefix", "name", "user", "created", "last_used", "revoked_at"]
    list_filter = [("revoked_at", admin.EmptyFieldListFilter)]
    list_select_related = ["user"]
    search_fields = ["prefix", "name", "user__username"]
    exclude = ["key_hash"]
    actions = ["revoke"]

    def get_readonly_fields(self, request, obj=None):
        return [f for f in super().get_readonly_fields(request, obj) if f != "key_hash"]

    def has_revoke_permission(self, request) -> bool:
        return request.user.has_perm("accounts.change_apitoken")

    @admin.action(description=_("Revoke the selected tokens"), permissions=["revoke"])
    def revoke(self, request, queryset):
        revoked = sum(revoke_token(token, actor=request.user) for token in queryset)
        self.message_user(
            request,
            ngettext("%(count)d token revoked.", "%(count)d tokens revoked.", revoked)
            % {"count": revoked},
            messages.SUCCESS,
        )
