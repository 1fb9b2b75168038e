"""API base classes: every viewset derives from one of them, and none may replace how rows are
found.

Scoping lives here only. A subclass cannot override `get_queryset` or `get_object` (refused at
class creation, as PostHog's `TeamAndOrgViewSetMixin.__init_subclass__` does); it says what it
needs through hooks the base calls *after* the tenant filter:

- `scope_queryset(self, queryset)`: narrow, annotate or prefetch the rows the base drew from
  `Model.objects.visible_to(request.user)` (e.g. per action). It receives the firm-filtered
  queryset and must return a queryset derived from it.
- `lookup_object(self, queryset, value)`: pick one row of that scoped queryset from the URL's
  lookup value (default: `access_object(queryset, **{lookup_field: value})`, a 404 for missing
  and for someone else's alike).

`tests/test_tenancy_guard.py` checks that every API route's view class is a subclass of
`FirmScopedGenericViewSet` or `ReferenceDataViewSet`, not a flag a view sets on itself.
"""

from __future__ import annotations

from django.db import models
from rest_framework import mixins, viewsets

from accounts.scoping import access_object
from accounts.tenancy import ADVISOR_ROLES, ALL_FIRM_ROLES

FORBIDDEN_OVERRIDES = ("get_queryset", "get_object")


class _ScopingGuard:
    """Refuses, at class creation, a subclass that replaces the base's row lookup."""

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        if cls.__module__ == __name__:
            return  # the bases of this module define the lookup once
        overridden = [name for name in FORBIDDEN_OVERRIDES if name in cls.__dict__]
        if overridden:
            raise TypeError(
                f"{cls.__qualname__} overrides {', '.join(overridden)}: firm-scoped viewsets "
                "say what they need through scope_queryset(queryset) / "
                "lookup_object(queryset, value) instead (accounts/api_base.py)."
            )

    def scope_queryset(self, queryset: models.QuerySet) -> models.QuerySet:
        """Hook: narrow the already firm-scoped rows (filters, annotations, prefetches)."""
        return queryset

    def lookup_object(self, queryset: models.QuerySet, value):
        """Hook: one row of the scoped queryset named by the URL (404 when not there)."""
        return access_object(queryset, user=self.request.user, **{self.lookup_field: value})

    def get_object(self):
        value = self.kwargs.get(self.lookup_url_kwarg or self.lookup_field)
        obj = self.lookup_object(self.get_queryset(), value)
        self.check_object_permissions(self.request, obj)
        return obj


class FirmScopedGenericViewSet(_ScopingGuard, viewsets.GenericViewSet):
    """Firm-owned rows, with no actions of its own: add DRF's mixins for the ones a view offers.

    Rows come only from `Model.objects.visible_to(user)`; creates get the user's firm through
    the serializer context. Subclasses set `model`, `serializer_class`, optionally
    `list_select_related`/`list_prefetch_related` and `allowed_roles`/`write_roles`.
    """

    model: type[models.Model]
    lookup_field = "public_id"
    tenant_scoped = True
    allowed_roles: tuple[str, ...] = ALL_FIRM_ROLES
    write_roles: tuple[str, ...] = ADVISOR_ROLES
    list_select_related: tuple[str, ...] = ()
    list_prefetch_related: tuple = ()

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # schema generation
            return self.model.objects.none()
        queryset = self.model.objects.visible_to(self.request.user)
        if self.list_select_related:
            queryset = queryset.select_related(*self.list_select_related)
        if self.list_prefetch_related:
            queryset = queryset.prefetch_related(*self.list_prefetch_related)
        return self.scope_queryset(queryset)

    def get_serializer_context(self):
        context = super().get_serializer_context()
        context["firm"] = getattr(self.request.user, "firm", None)
        return context


class FirmScopedViewSet(
    mixins.CreateModelMixin,
    mixins.RetrieveModelMixin,
    mixins.UpdateModelMixin,
    mixins.DestroyModelMixin,
    mixins.ListModelMixin,
    FirmScopedGenericViewSet,
):
    """A full model viewset over firm-owned rows (restrict with `http_method_names`)."""


class FirmReadOnlyViewSet(FirmScopedViewSet):
    http_method_names = ["get", "head", "options"]


class ReferenceDataViewSet(_ScopingGuard, viewsets.ReadOnlyModelViewSet):
    """Shared reference data (securities, strategies, ESG categories): any signed-in firm user
    reads it; only platform staff change it, in the admin. A model whose queryset has
    `visible_to` (securities: the master plus the firm's own legacy names) is filtered by it."""

    model: type[models.Model]
    tenant_scoped = True
    allowed_roles: tuple[str, ...] = ALL_FIRM_ROLES

    def get_queryset(self):
        queryset = self.model.objects.all()
        if getattr(self, "swagger_fake_view", False):
            return queryset.none()
        if hasattr(queryset, "visible_to"):
            queryset = queryset.visible_to(self.request.user)
        return self.scope_queryset(queryset)

    def lookup_object(self, queryset: models.QuerySet, value):
        # Reference rows without `visible_to` are readable by every firm user.
        if hasattr(queryset, "visible_to"):
            return super().lookup_object(queryset, value)
        from django.shortcuts import get_object_or_404

        return get_object_or_404(queryset, **{self.lookup_field: value})


SCOPED_API_BASES: tuple[type, ...] = (FirmScopedGenericViewSet, ReferenceDataViewSet)
