"""Securities and prices for the tax-lot tests (a handful of master names, made by hand)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from portfolios.models import Price, PriceSource, Security


def security_make(
    ticker: str, *, close: str | None = None, on: date = date(2026, 11, 20), firm=None
):
    security, _ = Security.objects.get_or_create(
        ticker=ticker,
        firm=None,
        defaults={"name": f"{ticker} Inc.", "sector": "Information Technology"},
    )
    if close is not None:
        Price.objects.update_or_create(
            security=security,
            date=on,
            defaults={"close": Decimal(close), "source": PriceSource.SYNTHETIC},
        )
    return security


@pytest.fixture
def securities(db):
    """AAPL 200, MSFT 400, XYZ 45 (latest closes on 2026-11-20)."""
    return {
        "AAPL": security_make("AAPL", close="200"),
        "MSFT": security_make("MSFT", close="400"),
        "XYZ": security_make("XYZ", close="45"),
    }


@pytest.fixture(autouse=True)
def _uploads_in_tmp(settings, tmp_path):
    """Uploaded holdings files are stored under MEDIA_ROOT: keep the tests' out of ./media."""
    settings.MEDIA_ROOT = tmp_path / "media"
