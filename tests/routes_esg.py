"""Isolation table of the ESG pages and API (see tests/routes.py)."""

from __future__ import annotations

from tests.routes import ALL, Route, account_kw


def category_kw(f, side):
    """A global category (shared reference data: every firm may read it)."""
    from esg.models import ExclusionCategory

    category, _ = ExclusionCategory.objects.get_or_create(
        slug="isolation-check", defaults={"name": "Isolation check"}
    )
    return {"slug": category.slug}


ADVISORS = ("firm_admin", "advisor")
CUSTOMIZE_FORM = {
    "action": "save",
    "categories": ["isolation-check"],
    "restrictions-TOTAL_FORMS": "1",
    "restrictions-INITIAL_FORMS": "0",
    "restrictions-0-scope": "security",
    "restrictions-0-target": "XOM",
    "restrictions-0-mode": "do_not_hold",
    "concentrated-TOTAL_FORMS": "0",
    "concentrated-INITIAL_FORMS": "0",
}
CUSTOMIZATION_BODY = {
    "categories": ["isolation-check"],
    "restrictions": [{"scope": "sector", "value": "Energy", "mode": "do_not_hold"}],
}

ROUTES: list[Route] = [
    Route("esg-category-list", roles=ADVISORS, write_methods=("post",)),
    Route("esg-category-detail", category_kw, roles=ADVISORS, is_reference=True),
    Route("esg-account-customize", account_kw, roles=ADVISORS, payload=CUSTOMIZE_FORM),
    Route("esg-account-target", account_kw, roles=ALL, write_methods=("post",)),
    # API
    Route("api-esg-category-list", is_api=True, roles=ALL, write_methods=("post",)),
    Route(
        "api-esg-category-detail",
        category_kw,
        is_api=True,
        roles=ALL,
        is_reference=True,
        write_methods=("put", "patch", "delete"),
        payload={"name": "Renamed"},
    ),
    Route("api-customization-list", is_api=True, roles=ALL, payload=CUSTOMIZATION_BODY),
    Route(
        "api-customization-detail",
        account_kw,
        is_api=True,
        roles=ALL,
        write_methods=("put", "patch", "delete"),
        payload=CUSTOMIZATION_BODY,
    ),
    Route(
        "api-customization-preview",
        account_kw,
        is_api=True,
        roles=ADVISORS,
        readable=False,
        payload=CUSTOMIZATION_BODY,
    ),
    Route("api-customization-target", account_kw, is_api=True, roles=ALL, write_methods=("post",)),
]
