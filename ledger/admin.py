"""Read-only admin pages: the ledger is written by its services, never by hand."""

from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from core.admin import ReadOnlyAdmin
from ledger.models import Account, BalanceSnapshot, JournalEntry, Period, Posting


@admin.register(Account)
class AccountAdmin(ReadOnlyAdmin):
    list_display = ["pk", "kind", "name", "currency", "village", "organisation"]
    list_filter = ["kind", "currency"]
    search_fields = ["name", "^village__code", "organisation__name"]
    list_select_related = ["village", "organisation"]


@admin.register(JournalEntry)
class JournalEntryAdmin(ReadOnlyAdmin):
    list_display = ["pk", "date", "description", "source", "reverses", "created_by", "created_at"]
    list_filter = ["date"]
    search_fields = ["description", "source", "=idempotency_key"]
    date_hierarchy = "date"
    list_select_related = ["created_by", "reverses"]

    def get_readonly_fields(self, request, obj=None):
        return [*super().get_readonly_fields(request, obj), "postings_link"]

    @admin.display(description=_("postings"))
    def postings_link(self, obj):
        # A distribution has 20,000 postings: link to their paginated list, no inline.
        url = reverse("admin:ledger_posting_changelist") + f"?entry__id__exact={obj.pk}"
        return format_html('<a href="{}">{}</a>', url, obj.postings.count())


@admin.register(Posting)
class PostingAdmin(ReadOnlyAdmin):
    list_display = ["pk", "entry", "account", "amount", "currency"]
    list_filter = ["currency"]
    search_fields = ["=entry__id", "=account__id"]
    list_select_related = ["entry", "account"]
    raw_id_fields = ["entry", "account"]

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        if "entry__id__exact" in request.GET:
            return queryset.order_by("pk")
        return queryset.order_by("-pk")

    def lookup_allowed(self, lookup, value, request=None):
        return lookup == "entry__id__exact" or super().lookup_allowed(lookup, value, request)


@admin.register(Period)
class PeriodAdmin(ReadOnlyAdmin):
    list_display = ["year", "month", "locked_at", "locked_by"]
    list_select_related = ["locked_by"]


@admin.register(BalanceSnapshot)
class BalanceSnapshotAdmin(ReadOnlyAdmin):
    list_display = ["as_of", "account", "balance", "currency"]
    list_filter = ["as_of"]
    search_fields = ["=account__id"]
    list_select_related = ["account"]
