"""Reads of prices and holdings, in bulk, for pages and for the engine."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from decimal import Decimal

from django.db.models import OuterRef, Subquery, Sum

from portfolios.models import Price, TaxLot

CENT = Decimal("0.01")


def latest_prices(*, security_ids: Iterable[int]) -> dict[int, tuple[Decimal, object]]:
    """Latest close and its date for each security that has a price."""
    ids = list(set(security_ids))
    if not ids:
        return {}
    newest = Price.objects.filter(security_id=OuterRef("security_id")).order_by("-date")
    rows = Price.objects.filter(
        security_id__in=ids, date=Subquery(newest.values("date")[:1])
    ).values_list("security_id", "close", "date")
    return {security_id: (close, on) for security_id, close, on in rows}


def market_values_by_account(*, account_ids: Iterable[int]) -> dict[int, Decimal]:
    """Market value of the lots of each account (latest close × shares); accounts with no lots
    are absent, so the caller can show a blank rather than a misleading zero."""
    holdings = (
        TaxLot.objects.filter(account_id__in=list(account_ids))
        .values("account_id", "security_id")
        .annotate(shares=Sum("shares"))
    )
    rows = list(holdings)
    prices = latest_prices(security_ids=[row["security_id"] for row in rows])
    values: dict[int, Decimal] = defaultdict(Decimal)
    for row in rows:
        price = prices.get(row["security_id"])
        if price is not None:
            values[row["account_id"]] += row["shares"] * price[0]
        else:
            values.setdefault(row["account_id"], Decimal("0"))
    return {account_id: value.quantize(CENT) for account_id, value in values.items()}


def account_lot_rows(*, account) -> list[dict]:
    """Open lots of one account with price, market value and unrealized gain or loss."""
    lots = list(
        TaxLot.objects.filter(account=account)
        .select_related("security")
        .order_by("security__ticker", "acquired_on")
    )
    prices = latest_prices(security_ids=[lot.security_id for lot in lots])
    rows = []
    for lot in lots:
        price = prices.get(lot.security_id)
        market_value = (lot.shares * price[0]).quantize(CENT) if price else None
        rows.append(
            {
                "lot": lot,
                "price": price[0] if price else None,
                "market_value": market_value,
                "unrealized": (market_value - lot.cost_basis) if market_value is not None else None,
            }
        )
    return rows
