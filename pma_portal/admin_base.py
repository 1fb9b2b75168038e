"""Shared pieces of the admin site."""


class ViewOnlyAdminMixin:
    """Rows that come from imports, jobs or rebuilds: staff look at them, never add or edit."""

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False
