"""Every route is either tenant-scoped through accounts.tenancy or explicitly public, and every
route is in the isolation tests' table."""

from __future__ import annotations

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
    view_class = getattr(callback, "cls", None) or getattr(callback, "view_class", None)
    for candidate in (callback, view_class):
        if candidate is not None and (
            getattr(candidate, "tenant_scoped", False) or getattr(candidate, "is_public", False)
        ):
            return True
    return False


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
