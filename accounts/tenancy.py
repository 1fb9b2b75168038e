"""Tenant isolation, enforced in one place per kind of entry point.

- Models: every firm-owned row carries `firm`; its queryset (`accounts.scoping.FirmScopedQuerySet`)
  defines `visible_to(user)`, the only way views reach rows. One row is fetched through an
  `access_<thing>` selector (built on `accounts.scoping.access_object`), which turns "missing"
  and "someone else's" into the same 404.
- Pages: `firm_view` (function views) and `FirmViewMixin` (class views) require a signed-in firm
  user and set `request.firm` from the user, never from request data.
- API: `accounts.permissions.IsFirmMember` is the default permission of every DRF view, and
  `accounts.api_base.FirmScopedViewSet` draws its queryset from `visible_to(request.user)`.
- Celery: tasks take a job id; the job row carries the firm (see `jobs.tasks.JobTask`).
- Management commands: `firm_for_command(slug)`.

`tests/test_isolation.py` walks every URL pattern and API route as users of another firm, and
`tests/test_tenancy_guard.py` fails when a route is neither wrapped here nor listed as public.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from django.core.exceptions import PermissionDenied

from accounts.scoping import ADVISOR_ROLES, ALL_FIRM_ROLES

READ_METHODS = ("GET", "HEAD", "OPTIONS")


def is_firm_user(user) -> bool:
    return bool(user.is_authenticated and getattr(user, "firm_id", None) and user.is_active)


def _check_page_access(request, *, roles: tuple[str, ...] | None, write_roles: tuple[str, ...]):
    from django.contrib.auth.views import redirect_to_login

    user = request.user
    if not user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    if not is_firm_user(user):
        # Platform staff work in the admin site; a firm-less login has no portal.
        raise PermissionDenied("This page is for firm users. Platform staff use the admin site.")
    if roles is not None and user.role not in roles:
        raise PermissionDenied("Your role may not open this page.")
    if request.method not in READ_METHODS and user.role not in write_roles:
        raise PermissionDenied("Your role may not change this.")
    request.firm = user.firm
    return None


# Every function view wrapped by `firm_view`: the tenancy guard test checks membership here
# (what the decorator made), not an attribute a view could set on itself.
FIRM_VIEWS: set[Callable] = set()

__all__ = ["ADVISOR_ROLES", "ALL_FIRM_ROLES", "FIRM_VIEWS", "FirmViewMixin", "firm_view"]


def firm_view(
    view: Callable | None = None,
    *,
    roles: tuple[str, ...] | None = ADVISOR_ROLES,
    write_roles: tuple[str, ...] = ADVISOR_ROLES,
):
    """Decorate a page view: signed-in firm user with one of `roles`; sets `request.firm`.

    Clients are read-only everywhere: by default only advisors and firm admins may POST.
    """

    def decorate(func: Callable) -> Callable:
        @wraps(func)
        def wrapper(request, *args, **kwargs):
            refusal = _check_page_access(request, roles=roles, write_roles=write_roles)
            if refusal is not None:
                return refusal
            return func(request, *args, **kwargs)

        wrapper.tenant_scoped = True  # type: ignore[attr-defined]
        FIRM_VIEWS.add(wrapper)
        return wrapper

    return decorate(view) if view is not None else decorate


class FirmViewMixin:
    """Class-based page views: the same checks as `firm_view`."""

    allowed_roles: tuple[str, ...] | None = ADVISOR_ROLES
    write_roles: tuple[str, ...] = ADVISOR_ROLES
    tenant_scoped = True

    def dispatch(self, request, *args, **kwargs):
        refusal = _check_page_access(
            request, roles=self.allowed_roles, write_roles=self.write_roles
        )
        if refusal is not None:
            return refusal
        return super().dispatch(request, *args, **kwargs)  # type: ignore[misc]


def firm_for_command(slug: str):
    """Management commands act for one firm, named explicitly on the command line."""
    from django.core.management.base import CommandError

    from accounts.models import Firm

    try:
        return Firm.objects.get(slug=slug)
    except Firm.DoesNotExist as exc:
        raise CommandError(f"No firm with slug {slug!r}.") from exc
