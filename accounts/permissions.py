"""The default API permission (kept apart from the viewsets: DRF imports it at start-up)."""

from rest_framework import permissions

from accounts.tenancy import ADVISOR_ROLES, ALL_FIRM_ROLES, READ_METHODS, is_firm_user


class IsFirmMember(permissions.BasePermission):
    """Default API permission: an active firm user; clients may only read."""

    message = "Sign in as a firm user."

    def has_permission(self, request, view) -> bool:
        if not is_firm_user(request.user):
            return False
        allowed = getattr(view, "allowed_roles", ALL_FIRM_ROLES)
        if request.user.role not in allowed:
            return False
        if request.method in READ_METHODS:
            return True
        return request.user.role in getattr(view, "write_roles", ADVISOR_ROLES)
