"""Admin for platform staff: the share-class table of the wash-sale guard. Trade lists and
settings are the firms' own data and are handled in the portal."""

from __future__ import annotations

from django.contrib import admin

from transitions.rebalance.models import ShareClassGroup, ShareClassMember


class ShareClassMemberInline(admin.TabularInline):
    model = ShareClassMember
    extra = 2
    autocomplete_fields = ["security"]


@admin.register(ShareClassGroup)
class ShareClassGroupAdmin(admin.ModelAdmin):
    list_display = ["name", "tickers", "note"]
    search_fields = ["name", "members__security__ticker"]
    inlines = [ShareClassMemberInline]

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("members__security")

    @admin.display(description="Tickers")
    def tickers(self, group: ShareClassGroup) -> str:
        return ", ".join(member.security.ticker for member in group.members.all())
