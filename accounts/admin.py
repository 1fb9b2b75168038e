from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from simple_history.admin import SimpleHistoryAdmin

from accounts.models import Account, Client, Firm, Invitation, User


@admin.register(Firm)
class FirmAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "created_at"]
    prepopulated_fields = {"slug": ["name"]}
    search_fields = ["name"]


@admin.register(User)
class PortalUserAdmin(UserAdmin):
    list_display = ["username", "email", "firm", "role", "is_active", "is_staff"]
    list_filter = ["firm", "role", "is_active", "is_staff"]
    fieldsets = UserAdmin.fieldsets + (("Firm", {"fields": ["firm", "role", "client"]}),)
    add_fieldsets = UserAdmin.add_fieldsets + (("Firm", {"fields": ["firm", "role", "client"]}),)
    autocomplete_fields = ["client"]


@admin.register(Client)
class ClientAdmin(SimpleHistoryAdmin):
    list_display = ["name", "firm", "advisor", "filing_status", "last_activity_at"]
    list_filter = ["firm", "filing_status"]
    search_fields = ["name", "email"]
    list_select_related = ["firm", "advisor"]


@admin.register(Account)
class AccountAdmin(SimpleHistoryAdmin):
    list_display = ["name", "client", "firm", "account_type", "custodian", "strategy"]
    list_filter = ["firm", "account_type", "strategy"]
    search_fields = ["name", "client__name", "account_number"]
    list_select_related = ["client", "firm", "strategy"]


@admin.register(Invitation)
class InvitationAdmin(admin.ModelAdmin):
    list_display = ["email", "firm", "role", "created_at", "accepted_at"]
    list_filter = ["firm", "role"]
    exclude = ["token"]
