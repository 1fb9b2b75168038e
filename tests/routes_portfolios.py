"""Isolation table of the strategy and security pages and API (see tests/routes.py).

Securities of the master and strategies are shared reference data: every firm may read them
(`is_reference`), nobody may change them through the portal or the API. A firm's legacy
securities are firm-owned; tests/portfolios/test_pages.py checks another firm gets 404 there.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from tests.routes import ALL, Route

ADVISORS = ("firm_admin", "advisor")


def security_kw(f, side):
    """A master security (global): every firm may read it."""
    from portfolios.models import Security

    security, _ = Security.objects.get_or_create(
        ticker="ZZISO",
        firm=None,
        defaults={"name": "Isolation Check Corp", "sector": "Utilities", "indices": "S&P 600"},
    )
    return {"ticker": security.ticker}


def strategy_kw(f, side):
    """A global strategy with one version of weights."""
    from portfolios.models import ModelWeight, Strategy, StrategyVersion

    security_kw(f, side)
    strategy, _ = Strategy.objects.get_or_create(
        slug="isolation-check", defaults={"name": "Isolation Check", "kind": "direct_index"}
    )
    version, created = StrategyVersion.objects.get_or_create(
        strategy=strategy, version=1, defaults={"effective_date": date(2020, 1, 2)}
    )
    if created:
        ModelWeight.objects.create(version=version, security_id=_security_id(), weight=Decimal("1"))
    return {"slug": strategy.slug}


def _security_id() -> int:
    from portfolios.models import Security

    return Security.objects.get(ticker="ZZISO", firm=None).pk


def _reference_api(name: str, kwargs) -> Route:
    return Route(
        name,
        kwargs,
        is_api=True,
        roles=ALL,
        is_reference=True,
        write_methods=("post", "put", "patch", "delete"),
        payload={"name": "Renamed"},
    )


ROUTES: list[Route] = [
    Route("strategy-list", roles=ADVISORS, write_methods=("post",)),
    Route("strategy-detail", strategy_kw, roles=ADVISORS, is_reference=True),
    Route("security-list", roles=ADVISORS, write_methods=("post",)),
    Route("security-detail", security_kw, roles=ADVISORS, is_reference=True),
    # API: read-only reference data for every firm role
    Route("api-security-list", is_api=True, roles=ALL, payload={"ticker": "NEW"}),
    _reference_api("api-security-detail", security_kw),
    _reference_api("api-security-prices", security_kw),
    Route("api-strategy-list", is_api=True, roles=ALL, payload={"slug": "new"}),
    _reference_api("api-strategy-detail", strategy_kw),
    _reference_api("api-strategy-weights", strategy_kw),
    _reference_api("api-strategy-versions", strategy_kw),
]
