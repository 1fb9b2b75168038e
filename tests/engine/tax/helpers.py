"""Small builders for tax-engine tests: transactions from short literals."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from pma_engine.tax import AccountType, Action, ReliefMethod, Transaction


def tx(
    day: str,
    action: str,
    ticker: str,
    shares: str | int,
    amount: str | int,
    *,
    account: str = "brokerage",
    account_type: str = "taxable",
    lot: str | None = None,
    method: ReliefMethod | None = None,
) -> Transaction:
    return Transaction(
        trade_date=date.fromisoformat(day),
        account=account,
        account_type=AccountType(account_type),
        action=Action(action),
        ticker=ticker,
        shares=Decimal(shares),
        amount=Decimal(amount),
        lot_id=lot,
        method=method,
    )


def D(value: str | int) -> Decimal:  # noqa: N802 - reads like a literal suffix
    return Decimal(value)
