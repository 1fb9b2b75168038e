"""API base classes: every firm-owned viewset derives from FirmScopedViewSet."""

from __future__ import annotations

from django.db import models
from rest_framework import viewsets

from accounts.tenancy import ADVISOR_ROLES, ALL_FIRM_ROLES, access_object


class FirmScopedViewSet(viewsets.ModelViewSet):
    """API base: rows come only from `Model.objects.visible_to(user)`; creates get the user's firm.

    Subclasses set `model`, `serializer_class`, and optionally `select_related`/`prefetch_related`
    and `allowed_roles`/`write_roles`.
    """

    model: type[models.Model]
    lookup_field = "public_id"
    tenant_scoped = True
    allowed_roles: tuple[str, ...] = ALL_FIRM_ROLES
    write_roles: tuple[str, ...] = ADVISOR_ROLES
    list_select_related: tuple[str, ...] = ()
    list_prefetch_related: tuple[str, ...] = ()

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # schema generation
            return self.model.objects.none()
        queryset = self.model.objects.visible_to(self.request.user)
        if self.list_select_related:
            queryset = queryset.select_related(*self.list_select_related)
        if self.list_prefetch_related:
            queryset = queryset.prefetch_related(*self.list_prefetch_related)
        return queryset

    def get_object(self):
        value = self.kwargs.get(self.lookup_url_kwarg or self.lookup_field)
        obj = access_object(
            self.get_queryset(), user=self.request.user, **{self.lookup_field: value}
        )
        self.check_object_permissions(self.request, obj)
        return obj

    def get_serializer_context(self):
        context = super().get_serializer_context()
        context["firm"] = getattr(self.request.user, "firm", None)
        return context


class FirmReadOnlyViewSet(FirmScopedViewSet):
    http_method_names = ["get", "head", "options"]


class ReferenceDataViewSet(viewsets.ReadOnlyModelViewSet):
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
        return queryset
