"""A small legacy account on the small reference data, for the analysis tests.

The account (firm alpha's brokerage) follows DI Large Cap and holds eight lots: names in the
target at a gain and at a loss, short- and long-term, and two names outside the target (one
at a large long-term gain, one at a loss), plus 5,000 of cash.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

import pytest

from portfolios.models import TaxLot
from portfolios.selectors import latest_prices


@dataclass
class AnalysisWorld:
    cast: object
    reference: object
    account: object
    strategy: object


def lots_make(*, account, reference, as_of: date, rows) -> list[TaxLot]:
    """rows: (ticker, shares, basis per share as a fraction of today's close, days held)."""
    ids = {t: reference.security(t).pk for t, *_ in rows}
    prices = latest_prices(security_ids=ids.values())
    lots = []
    for ticker, shares, basis_ratio, days in rows:
        close = prices[ids[ticker]].close
        acquired = as_of - timedelta(days=days)
        lots.append(
            TaxLot.objects.create(
                firm=account.firm,
                account=account,
                security=reference.security(ticker),
                shares=Decimal(shares),
                cost_basis=(Decimal(shares) * close * Decimal(str(basis_ratio))).quantize(
                    Decimal("0.01")
                ),
                acquired_on=acquired,
                adjusted_acquired_on=acquired,
            )
        )
    return lots


def in_target(reference, slug: str, count: int) -> list[str]:
    weights = reference.weights(slug)
    return list(weights)[:count]


def outside_target(reference, slug: str, count: int) -> list[str]:
    weights = reference.weights(slug)
    return [t for t in sorted(reference.securities) if t not in weights][:count]


@pytest.fixture
def analysis_world(cast, reference_small) -> AnalysisWorld:
    return analysis_world_build(cast=cast, reference=reference_small)


def analysis_world_build(*, cast, reference) -> AnalysisWorld:
    reference_small = reference
    strategy = reference_small.strategies["di-large-cap"]
    account = cast.a.account
    account.strategy = strategy
    account.cash_balance = Decimal("5000.00")
    account.save(update_fields=["strategy", "cash_balance"])
    inside = in_target(reference_small, "di-large-cap", 4)
    outside = outside_target(reference_small, "di-large-cap", 2)
    today = date.today()
    lots_make(
        account=account,
        reference=reference_small,
        as_of=today,
        rows=[
            (inside[0], "120", 0.55, 900),
            (inside[0], "40", 1.20, 200),
            (inside[1], "80", 0.80, 500),
            (inside[2], "60", 1.35, 700),
            (inside[3], "30", 0.95, 100),
            (outside[0], "150", 0.40, 1500),
            (outside[0], "50", 0.90, 250),
            (outside[1], "90", 1.25, 400),
        ],
    )
    return AnalysisWorld(cast=cast, reference=reference_small, account=account, strategy=strategy)
