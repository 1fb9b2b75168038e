"""Fixtures of the portfolios tests (the shared ones are in tests/fixtures_reference.py)."""

from __future__ import annotations

import pytest

from portfolios.models import Security


@pytest.fixture
def three_securities(db):
    """Three master securities and one firm-less inactive one."""
    rows = [
        Security(ticker="AAA", name="Triple A Corp", sector="Industrials", indices="S&P 500"),
        Security(ticker="BBB", name="Bee Bank", sector="Financials", indices="S&P 500"),
        Security(ticker="CCC", name="Sea Shipping", sector="Industrials", indices="S&P 600"),
        Security(ticker="OLD", name="Delisted Co", sector="Energy", is_active=False),
    ]
    Security.objects.bulk_create(rows)
    return {s.ticker: s for s in Security.objects.filter(firm__isnull=True)}
