"""The admin shows points read-only: every write goes through `points.services`."""

from django.contrib import admin

from core.admin import ReadOnlyAdmin
from points.models import Entry, PointsNotice, Redemption, RuleVersion, Scheme, StoreItem


@admin.register(Scheme)
class SchemeAdmin(ReadOnlyAdmin):
    list_display = ("name", "village", "grid", "rate_fen")


@admin.register(RuleVersion)
class RuleVersionAdmin(ReadOnlyAdmin):
    list_display = ("scheme", "number", "effective_from", "document_no")


@admin.register(Entry)
class EntryAdmin(ReadOnlyAdmin):
    list_display = ("scheme", "household", "item", "points", "occurred_on", "state")
    list_filter = ("state",)


@admin.register(PointsNotice)
class NoticeAdmin(ReadOnlyAdmin):
    list_display = ("scheme", "number", "published_on", "ends_on", "code")


@admin.register(StoreItem)
class StoreItemAdmin(ReadOnlyAdmin):
    list_display = ("scheme", "name", "price", "stock")


@admin.register(Redemption)
class RedemptionAdmin(ReadOnlyAdmin):
    list_display = ("scheme", "household", "item", "quantity", "points", "redeemed_on")
