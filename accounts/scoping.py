"""The queryset base of firm-owned rows and the one-row lookup, in a module that imports no
model, so that every app's models can use it without an import circle through
`accounts.tenancy` (which holds the page decorators)."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models
from django.http import Http404

# Roles within a firm. Clients (household logins) only ever read.
ADVISOR_ROLES = ("firm_admin", "advisor")
ALL_FIRM_ROLES = ("firm_admin", "advisor", "client")


class FirmScopedQuerySet(models.QuerySet):
    """Base queryset of firm-owned rows. Subclasses narrow `visible_to` by role."""

    def for_firm_of(self, user) -> models.QuerySet:
        firm_id = getattr(user, "firm_id", None) if user.is_authenticated else None
        if firm_id is None:
            return self.none()
        return self.filter(firm_id=firm_id)

    def visible_to(self, user) -> models.QuerySet:
        return self.for_firm_of(user)


def access_object(queryset: models.QuerySet, *, user, **lookup: Any):
    """Fetch one row the user may see; 404 both for missing and for someone else's."""
    try:
        return queryset.visible_to(user).get(**lookup)
    except (queryset.model.DoesNotExist, ValidationError, ValueError, TypeError) as exc:
        # A malformed UUID is "not found" too, never a server error.
        raise Http404("Not found.") from exc


def access_object_for_write(queryset: models.QuerySet, *, user, **lookup: Any):
    """`access_object` for a change: the row must be visible and the user's role one that
    writes (a client login may read its household, never change it: 403)."""
    obj = access_object(queryset, user=user, **lookup)
    if getattr(user, "role", None) not in ADVISOR_ROLES:
        raise PermissionDenied("Your role may not change this.")
    return obj
