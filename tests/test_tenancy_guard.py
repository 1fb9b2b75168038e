"""Every route is either tenant-scoped through accounts.tenancy or explicitly public, and every
route is in the isolation tests' table."""

from __future__ import annotations

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

from tests.routes import PUBLIC_ROUTES, ROUTES


def iter_patterns(resolver=None, prefix=""):
    resolver = resolver or get_resolver()
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            if entry.namespace == "admin":
                continue  # the admin site guards itself (staff only); tested separately
            yield from iter_patterns(entry, prefix + str(entry.pattern))
        elif isinstance(entry, URLPattern):
            yield prefix + str(entry.pattern), entry


def _is_scoped(callback) -> bool:
    """Scoped by what the view IS: a function made by `firm_view`, a class view deriving from
    `FirmViewMixin`, a viewset deriving from the API bases. Public views say so (and are listed
    in PUBLIC_ROUTES)."""
    from accounts.api_base import SCOPED_API_BASES
    from accounts.tenancy import FIRM_VIEWS, FirmViewMixin

    api_class = getattr(callback, "cls", None)
    if api_class is not None:
        return issubclass(api_class, SCOPED_API_BASES) or getattr(api_class, "is_public", False)
    view_class = getattr(callback, "view_class", None)
    if view_class is not None:
        return issubclass(view_class, FirmViewMixin) or getattr(view_class, "is_public", False)
    return callback in FIRM_VIEWS or getattr(callback, "is_public", False)


def test_every_route_is_scoped_or_public():
    unguarded = []
    for route, pattern in iter_patterns():
        if pattern.name in PUBLIC_ROUTES or "format" in str(pattern.pattern):
            continue
        if not _is_scoped(pattern.callback):
            unguarded.append((route, pattern.name))
    assert unguarded == [], f"routes without the tenancy guard: {unguarded}"


def test_every_route_is_in_the_isolation_table():
    known = {route.name for route in ROUTES} | PUBLIC_ROUTES
    names = {pattern.name for _, pattern in iter_patterns()}
    missing = sorted(name for name in names if name and name not in known)
    assert missing == [], f"add these routes to tests/routes.py: {missing}"
    unnamed = [route for route, pattern in iter_patterns() if not pattern.name]
    assert unnamed == [], f"every route needs a name: {unnamed}"


def test_the_guard_notices_an_unguarded_view():
    def plain_view(request):  # what a forgetful new view would look like
        return None

    assert not _is_scoped(plain_view)


def test_a_flag_is_not_enough():
    from rest_framework import viewsets

    class SaysItIsScoped(viewsets.ReadOnlyModelViewSet):
        tenant_scoped = True  # a flag set by hand proves nothing

    def flagged_view(request):
        return None

    flagged_view.tenant_scoped = True
    assert not _is_scoped(SaysItIsScoped.as_view({"get": "list"}))
    assert not _is_scoped(flagged_view)


@pytest.mark.parametrize("method", ["get_queryset", "get_object"])
@pytest.mark.parametrize(
    "base_name",
    [
        "FirmScopedViewSet",
        "FirmReadOnlyViewSet",
        "ReferenceDataViewSet",
        "FirmScopedGenericViewSet",
    ],
)
def test_a_viewset_overriding_the_lookup_is_refused(method, base_name):
    from accounts import api_base
    from accounts.models import Client

    base = getattr(api_base, base_name)
    with pytest.raises(TypeError, match=method):
        type(
            "Forgetful",
            (base,),
            {"model": Client, method: lambda self: Client.objects.all(), "__module__": __name__},
        )


def test_a_viewset_using_the_hooks_is_accepted():
    from accounts.api_base import FirmScopedViewSet
    from accounts.models import Client

    class Narrow(FirmScopedViewSet):
        model = Client

        def scope_queryset(self, queryset):
            return queryset.filter(name__startswith="A")

    assert issubclass(Narrow, FirmScopedViewSet)


def test_every_api_viewset_derives_from_a_scoped_base():
    from accounts.api_base import SCOPED_API_BASES
    from pma_portal.api_router import router

    outsiders = [
        view.__name__ for _, view, _ in router.registry if not issubclass(view, SCOPED_API_BASES)
    ]
    assert outsiders == []
