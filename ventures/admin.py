"""Admin pages of the ventures app. Ventures, assets and tenants are edited here; money rows
(stakes, contributions, income, runs, lines, notices) are read-only, because their rules
live in ventures.services (overlaps, ledger postings, maker-checker)."""

from django.contrib import admin

from core.admin import ReadOnlyAdmin
from registry.admin import ScopedAdmin
from ventures.models import (
    Asset,
    Contribution,
    DistributionRun,
    IncomeReceipt,
    PublicNotice,
    Stake,
    Tenant,
    Venture,
)


@admin.register(Venture)
class VentureAdmin(ScopedAdmin):
    list_display = ["name", "kind", "organisation", "owner_county", "started_on", "is_illustrative"]
    list_filter = ["kind", "is_illustrative", "programme"]
    search_fields = ["name"]
    raw_id_fields = ["organisation"]
    list_select_related = ["organisation", "owner_county"]
    # The pairing is set by ventures.services.set_pairing, which applies the programme's rule.
    readonly_fields = ["site_county", "owner_county", "programme"]


@admin.register(Asset)
class AssetAdmin(ScopedAdmin):
    list_display = ["name", "venture", "area_m2", "cost", "is_illustrative"]
    raw_id_fields = ["venture"]
    list_select_related = ["venture"]


@admin.register(Tenant)
class TenantAdmin(ScopedAdmin):
    list_display = ["organisation", "venture", "asset", "annual_rent", "is_illustrative"]
    raw_id_fields = ["venture", "organisation", "asset"]
    list_select_related = ["venture", "organisation", "asset"]


@admin.register(Stake)
class StakeAdmin(ReadOnlyAdmin):
    list_display = ["venture", "village", "organisation", "units", "effective_from", "effective_to"]
    list_select_related = ["venture", "village", "organisation"]
    show_full_result_count = False


@admin.register(Contribution)
class ContributionAdmin(ReadOnlyAdmin):
    list_display = ["venture", "village", "organisation", "kind", "amount", "contributed_on"]
    list_filter = ["kind"]
    list_select_related = ["venture", "village", "organisation"]


@admin.register(IncomeReceipt)
class IncomeReceiptAdmin(ReadOnlyAdmin):
    list_display = ["venture", "kind", "amount", "received_on", "payer"]
    list_select_related = ["venture", "payer"]


@admin.register(DistributionRun)
class DistributionRunAdmin(ReadOnlyAdmin):
    list_display = ["pk", "venture", "period_start", "period_end", "policy", "status", "total"]
    list_filter = ["status", "policy"]
    list_select_related = ["venture"]


@admin.register(PublicNotice)
class PublicNoticeAdmin(ReadOnlyAdmin):
    list_display = ["title", "kind", "published_at", "content_hash"]
    exclude = ["payload"]
