"""Money is rounded by one helper (half up, as tax forms are filled in) on every path: the
engine's Form 8949, the account values of the pages, the money filter. 1 share at 10.125
is worth 10.13 everywhere (half-even would say 10.12)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from accounts.templatetags.portal import money
from pma_engine.tax import money_round
from portfolios.models import Price, Security, TaxLot
from portfolios.selectors import account_values, market_values_by_account


def test_half_a_cent_rounds_up_on_every_path(cast):
    a = cast.a
    security = Security.objects.create(ticker="HALF", name="Half Cent")
    Price.objects.create(
        security=security, date=date(2026, 1, 2), close=Decimal("10.125"), source="imported"
    )
    TaxLot.objects.create(
        firm=a.firm,
        account=a.account,
        security=security,
        shares=Decimal("1"),
        cost_basis=Decimal("9"),
        acquired_on=date(2025, 1, 2),
        adjusted_acquired_on=date(2025, 1, 2),
    )
    assert money_round(Decimal("10.125")) == Decimal("10.13")
    assert market_values_by_account(account_ids=[a.account.pk]) == {a.account.pk: Decimal("10.13")}
    assert account_values(accounts=[a.account])[a.account.pk] == Decimal("10.13") + (
        a.account.cash_balance
    )
    assert money(Decimal("10.125")) == "$10.13"
    assert money(Decimal("-0.005")) == "−$0.01"
