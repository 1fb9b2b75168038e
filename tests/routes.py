"""Every URL pattern of the portal and the API, with how to point it at a firm's objects.

`tests/test_tenancy_guard.py` fails when a route exists that is in neither table, so a new view
cannot skip the isolation tests. Each entry maps a URL name to a function of (firm cast, side)
giving the URL's kwargs: side "primary" is the firm's first advisor's household (also the client
login's), "secondary" the second advisor's.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Route:
    name: str
    kwargs: Callable[[object, str], dict] | None = None  # None: a collection route
    is_api: bool = False
    # Which roles of the owning firm may read it (others get 403); clients read only.
    roles: tuple[str, ...] = ("firm_admin", "advisor")
    write_methods: tuple[str, ...] = ("post",)
    payload: dict = field(default_factory=dict)
    readable: bool = True  # False: POST-only, a GET answers 405 before anything is looked up
    # Shared reference data (an ESG category, a security of the master): every firm may read
    # the object, so the isolation tests expect no 404 on reads; writes are still refused and
    # change nothing, and anonymous users are still sent to sign in.
    is_reference: bool = False


def _household(f, side):
    return f.client if side == "primary" else f.other_client


def _account(f, side):
    return f.account if side == "primary" else f.other_account


def client_kw(f, side):
    return {"public_id": _household(f, side).public_id}


def client_id_kw(f, side):
    return {"client_id": _household(f, side).public_id}


def account_kw(f, side):
    return {"public_id": _account(f, side).public_id}


def advisor_kw(f, side):
    return {"public_id": (f.advisor if side == "primary" else f.other_advisor).public_id}


def invitation_kw(f, side):
    return {"public_id": f.invitation.public_id}


def job_kw(f, side):
    return {"public_id": f.job(side).public_id}


ALL = ("firm_admin", "advisor", "client")
ADMIN = ("firm_admin",)

ACCOUNTS_ROUTES: list[Route] = [
    Route("home", roles=ALL, write_methods=()),
    Route("client-book-export", write_methods=("post",), readable=False),
    Route("client-create", payload={"name": "Intruder"}),
    Route("client-detail", client_kw, roles=ALL, write_methods=()),
    Route("client-edit", client_kw, payload={"name": "Renamed"}),
    Route("account-create", client_id_kw, payload={"name": "Intruder account"}),
    Route("account-detail", account_kw, roles=ALL, write_methods=()),
    Route("account-edit", account_kw, payload={"name": "Renamed"}),
    Route("firm-advisors", roles=ADMIN, write_methods=()),
    Route("invitation-create", roles=ADMIN, payload={"email": "x@example.com"}),
    Route("invitation-revoke", invitation_kw, roles=ADMIN, readable=False),
    Route("invitation-resend", invitation_kw, roles=ADMIN, readable=False),
    Route("advisor-set-active", advisor_kw, roles=ADMIN, payload={"active": "0"}, readable=False),
    Route("firm-history", roles=ADMIN, write_methods=()),
    Route("audit-trail", roles=ADMIN, write_methods=()),
    Route("audit-trail-csv", roles=ADMIN, write_methods=()),
    Route("job-detail", job_kw, roles=ALL, write_methods=()),
    Route("job-status", job_kw, roles=ALL, write_methods=()),
    Route("job-download", job_kw, roles=ALL, write_methods=()),
    Route("job-cancel", job_kw, roles=("firm_admin", "advisor"), readable=False),
    # API
    Route("api-client-list", is_api=True, roles=ALL, payload={"name": "Intruder"}),
    Route(
        "api-client-detail",
        client_kw,
        is_api=True,
        roles=ALL,
        write_methods=("put", "patch", "delete"),
        payload={"name": "Renamed"},
    ),
    Route("api-account-list", is_api=True, roles=ALL, payload={"name": "Intruder"}),
    Route(
        "api-account-detail",
        account_kw,
        is_api=True,
        roles=ALL,
        write_methods=("put", "patch", "delete"),
        payload={"name": "Renamed"},
    ),
    Route("api-advisor-list", is_api=True, roles=ADMIN, write_methods=("post",)),
    Route(
        "api-advisor-detail",
        advisor_kw,
        is_api=True,
        roles=ADMIN,
        write_methods=("patch",),
        payload={"is_active": False},
    ),
    Route("api-invitation-list", is_api=True, roles=ADMIN, payload={"email": "x@example.com"}),
    Route("api-invitation-detail", invitation_kw, is_api=True, roles=ADMIN, write_methods=()),
    Route("api-job-list", is_api=True, roles=ALL, write_methods=("post",)),
    Route("api-job-detail", job_kw, is_api=True, roles=ALL, write_methods=("patch", "delete")),
    Route("api-job-cancel", job_kw, is_api=True, roles=("firm_admin", "advisor"), readable=False),
]


def _area_routes() -> list[Route]:
    """Each area lists its routes in tests/routes_<area>.py as ROUTES."""
    from importlib import import_module

    routes: list[Route] = []
    for area in ("portfolios", "esg", "lots", "transitions", "analysis", "proposals"):
        try:
            module = import_module(f"tests.routes_{area}")
        except ModuleNotFoundError:
            continue
        routes.extend(module.ROUTES)
    return routes


ROUTES: list[Route] = ACCOUNTS_ROUTES + _area_routes()

# Routes anyone may open: signing in, accepting an invitation (the token is the credential),
# and the API's schema and docs (they describe the API; they hold no firm's data).
PUBLIC_ROUTES = {
    "login",
    "logout",
    "invitation-accept",
    "api-token",
    "api-schema",
    "api-docs",
    "api-root",
}
