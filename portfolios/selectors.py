"""Reads of prices and holdings, in bulk, for pages and for the engine.

Also: prices as arrays for the engine (`price_matrix`), the current risk model (cached per row
in-process), tracking error between two weight mappings, and the strategies' weights.
"""

from __future__ import annotations

import decimal
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

import numpy as np
from django.db import connection
from django.db.models import CharField, Count, F, FloatField, Min, Q, Sum
from django.db.models.functions import Cast
from django.http import Http404
from django.utils import timezone

from pma_engine.tax import money_round
from portfolios.models import (
    ModelWeight,
    Price,
    PriceSource,
    Security,
    Strategy,
    StrategyVersion,
    TaxLot,
)
from portfolios.risk_selectors import (  # noqa: F401  (re-exported: the contract's names)
    _MODEL_CACHE,
    WeightKey,
    risk_model_current,
    risk_model_for,
    risk_model_latest,
    risk_model_load,
    tracking_error_pct,
    universe_load,
    volatility_pct,
)


@dataclass(frozen=True)
class LatestPrice:
    close: Decimal
    on: date
    source: str


_LATEST_SQL = {
    # One index probe per security on the (security, date) unique index.
    "postgresql": (
        "SELECT s.id, p.close, p.date, p.source FROM unnest(%s::bigint[]) AS s(id) "
        "CROSS JOIN LATERAL (SELECT close, date, source FROM {table} "
        "WHERE security_id = s.id ORDER BY date DESC LIMIT 1) AS p"
    ),
    # SQLite: a bare column next to MAX() comes from the row holding the maximum.
    "sqlite": (
        "SELECT security_id, close, MAX(date), source FROM {table} "
        "WHERE security_id IN ({marks}) GROUP BY security_id"
    ),
}
LATEST_CHUNK = 500
_SQLITE_DECIMALS = decimal.Context(prec=15)  # as Django's SQLite converter reads decimals


def latest_prices(*, security_ids: Iterable[int]) -> dict[int, LatestPrice]:
    """Latest close, its date and its source for each security that has a price.

    One indexed query (per 500 ids on SQLite): no correlated subquery over the price table.
    """
    ids = sorted(set(security_ids))
    if not ids:
        return {}
    table = connection.ops.quote_name(Price._meta.db_table)
    result: dict[int, LatestPrice] = {}
    quantum = Decimal(1).scaleb(-Price._meta.get_field("close").decimal_places)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(_LATEST_SQL["postgresql"].format(table=table), [ids])
            rows = cursor.fetchall()
        else:
            rows = []
            for start in range(0, len(ids), LATEST_CHUNK):
                chunk = ids[start : start + LATEST_CHUNK]
                sql = _LATEST_SQL["sqlite"].format(table=table, marks=",".join(["%s"] * len(chunk)))
                cursor.execute(sql, chunk)
                rows.extend(cursor.fetchall())
    for security_id, close, on, source in rows:
        if not isinstance(close, Decimal):
            close = _SQLITE_DECIMALS.create_decimal_from_float(float(close)).quantize(quantum)
        if isinstance(on, str):
            on = date.fromisoformat(on)
        result[security_id] = LatestPrice(close=close, on=on, source=source)
    return result


def market_values_by_account(*, account_ids: Iterable[int]) -> dict[int, Decimal]:
    """Market value of the lots of each account: the sum of each lot's money_round(shares ×
    latest close), the lines the account page shows, so that a page's total is the sum of its
    shown lines to the cent. Accounts with no lots are absent, so the caller can show a blank
    rather than a misleading zero; a lot without a price counts nothing."""
    lots = list(
        TaxLot.objects.filter(account_id__in=list(account_ids)).values_list(
            "account_id", "security_id", "shares"
        )
    )
    prices = latest_prices(security_ids={security_id for _, security_id, _ in lots})
    values: dict[int, Decimal] = {}
    for account_id, security_id, shares in lots:
        price = prices.get(security_id)
        line = money_round(shares * price.close) if price is not None else Decimal("0.00")
        values[account_id] = values.get(account_id, Decimal("0.00")) + line
    return values


def account_values(*, accounts) -> dict[int, Decimal]:
    """Market value of each account: its lines (each lot's shares × price rounded to cents,
    as the account page shows them) plus its cash. An account whose holdings are recorded
    (lots, or a cash ledger: an imported CASH row, a deposit, a trade) has a value, cash-only
    ones included; one with neither is absent (not loaded yet: the page shows a blank, not a
    misleading number)."""
    from portfolios.models import CashEntry

    accounts = list(accounts)
    ids = [a.pk for a in accounts]
    values = market_values_by_account(account_ids=ids)
    with_ledger = set(
        CashEntry.objects.filter(account_id__in=ids).values_list("account_id", flat=True).distinct()
    )
    return {
        a.pk: values.get(a.pk, Decimal("0.00")) + money_round(a.cash_balance)
        for a in accounts
        if a.pk in values or a.pk in with_ledger
    }


# --------------------------------------------------------------------------- prices


PRICE_FETCH_CHUNK = 100_000


@dataclass(frozen=True, eq=False)
class PriceMatrix:
    """Closes as a T x n float array (NaN where a name has no close that day)."""

    dates: np.ndarray  # datetime64[D], ascending
    security_ids: tuple[int, ...]
    tickers: tuple[str, ...]
    closes: np.ndarray  # T x n


def price_matrix(
    *,
    start: date | None = None,
    end: date | None = None,
    security_ids: Iterable[int] | None = None,
    tickers: Iterable[str] | None = None,
) -> PriceMatrix:
    """Closes of the given securities (ids, or master tickers) between two dates, inclusive.

    Read in one query as (id, ISO date, float) tuples and pivoted with numpy: no model
    instances and no per-row date or Decimal conversion. Columns follow the order asked for
    (unknown ones are left out); rows are the days on which any of them has a close.
    """
    if security_ids is not None:
        ids = list(dict.fromkeys(security_ids))
        found = dict(Security.objects.filter(pk__in=ids).values_list("pk", "ticker"))
        ids = [pk for pk in ids if pk in found]
    else:
        wanted = list(dict.fromkeys(tickers or ()))
        by_ticker = dict(
            Security.objects.filter(firm__isnull=True, ticker__in=wanted).values_list(
                "ticker", "pk"
            )
        )
        ids = [by_ticker[t] for t in wanted if t in by_ticker]
        found = {pk: t for t, pk in by_ticker.items()}
    names = tuple(found[pk] for pk in ids)
    if not ids:
        return PriceMatrix(np.array([], dtype="datetime64[D]"), (), (), np.empty((0, 0)))
    rows = Price.objects.filter(security_id__in=ids)
    if start is not None:
        rows = rows.filter(date__gte=start)
    if end is not None:
        rows = rows.filter(date__lte=end)
    query = (
        rows.order_by()
        .annotate(day=Cast("date", CharField()), price=Cast("close", FloatField()))
        .values_list("security_id", "day", "price")
    )
    sql, params = query.query.sql_with_params()
    # Read in chunks into arrays: millions of rows never sit in memory as Python tuples.
    day_numbers: dict[str, int] = {}
    chunks: list[tuple[np.ndarray, np.ndarray, np.ndarray]] = []
    with connection.chunked_cursor() as cursor:  # server-side on PostgreSQL
        cursor.execute(sql, params)
        while fetched := cursor.fetchmany(PRICE_FETCH_CHUNK):
            count = len(fetched)
            chunks.append(
                (
                    np.fromiter((row[0] for row in fetched), dtype=np.int64, count=count),
                    # Few distinct days: number them through a dict, no per-row date parsing.
                    np.fromiter(
                        (day_numbers.setdefault(row[1], len(day_numbers)) for row in fetched),
                        dtype=np.int64,
                        count=count,
                    ),
                    np.fromiter((row[2] for row in fetched), dtype=np.float64, count=count),
                )
            )
    if not chunks:
        empty = np.empty((0, len(ids)))
        return PriceMatrix(np.array([], dtype="datetime64[D]"), tuple(ids), names, empty)
    row_ids = np.concatenate([chunk[0] for chunk in chunks])
    row_days = np.concatenate([chunk[1] for chunk in chunks])
    row_closes = np.concatenate([chunk[2] for chunk in chunks])
    del chunks
    day_values = np.array([str(day)[:10] for day in day_numbers], dtype="datetime64[D]")
    order_of_days = np.argsort(day_values)
    dates = day_values[order_of_days]
    rank = np.empty_like(order_of_days)
    rank[order_of_days] = np.arange(len(order_of_days))
    order = np.argsort(np.array(ids, dtype=np.int64))
    sorted_ids = np.array(ids, dtype=np.int64)[order]
    column = order[np.searchsorted(sorted_ids, row_ids)]
    closes = np.full((len(dates), len(ids)), np.nan)
    closes[rank[row_days], column] = row_closes
    return PriceMatrix(dates, tuple(ids), names, closes)


def price_history(
    *, security: Security, start: date | None = None, end: date | None = None
) -> list[tuple[date, Decimal, str]]:
    """(date, close, source) of one security, oldest first."""
    rows = Price.objects.filter(security=security)
    if start is not None:
        rows = rows.filter(date__gte=start)
    if end is not None:
        rows = rows.filter(date__lte=end)
    return list(rows.order_by("date").values_list("date", "close", "source"))


@dataclass(frozen=True)
class PriceSummary:
    close: Decimal
    on: date
    is_synthetic: bool
    first_date: date
    n_closes: int


def price_summary(*, security: Security) -> PriceSummary | None:
    latest = (
        Price.objects.filter(security=security).order_by("-date").values("close", "date", "source")
    ).first()
    if latest is None:
        return None
    stats = Price.objects.filter(security=security).aggregate(first=Min("date"), n=Count("id"))
    return PriceSummary(
        close=latest["close"],
        on=latest["date"],
        is_synthetic=latest["source"] == PriceSource.SYNTHETIC,
        first_date=stats["first"],
        n_closes=stats["n"],
    )


# --------------------------------------------------------------------------- risk model
# The universe and risk-model reads live in portfolios/risk_selectors.py (keyed by security id).

# --------------------------------------------------------------------------- strategies
# In portfolios/strategy_selectors.py; re-exported here.
from portfolios.strategy_selectors import (  # noqa: E402, F401
    Holding,
    SectorBar,
    StrategyDetail,
    StrategyRow,
    strategy_detail,
    strategy_rows,
    strategy_version_current,
    strategy_weights,
    strategy_weights_by_slug,
)

# --------------------------------------------------------------------------- securities


def security_search(
    *,
    user,
    query: str = "",
    sector: str = "",
    index: str = "",
    industry: str = "",
    include_inactive: bool = False,
):
    """Securities the user may see (master + own firm's legacy), filtered; ticker order."""
    rows = Security.objects.visible_to(user)
    if not include_inactive:
        rows = rows.filter(is_active=True)
    query = query.strip()
    if query:
        rows = rows.filter(
            Q(ticker__iexact=query) | Q(ticker__istartswith=query) | Q(name__icontains=query)
        )
    if sector:
        rows = rows.filter(sector=sector)
    if industry:
        rows = rows.filter(industry=industry)
    if index:
        rows = rows.filter(indices__contains=index)
    return rows.order_by("ticker", "id")


def security_access(*, user, ticker: str) -> Security:
    """The security with this ticker that the user may see (the master's before a legacy
    one); 404 for missing and for another firm's legacy name alike."""
    return security_pick(securities=Security.objects.visible_to(user), ticker=ticker)


def security_pick(*, securities, ticker: str) -> Security:
    """Among already firm-scoped `securities`, the one with this ticker (the master's first)."""
    security = securities.filter(ticker=ticker).order_by(F("firm_id").asc(nulls_first=True)).first()
    if security is None:
        raise Http404("Not found.")
    return security


def strategy_versions_current(*, on: date | None = None) -> dict[int, StrategyVersion]:
    """strategy id -> its version in force on `on` (default today), for every strategy."""
    on = on or timezone.localdate()
    current: dict[int, StrategyVersion] = {}
    versions = StrategyVersion.objects.filter(effective_date__lte=on).order_by(
        "strategy_id", "-effective_date", "-version"
    )
    for version in versions:
        current.setdefault(version.strategy_id, version)
    return current


def security_strategies(*, security: Security) -> list[tuple[Strategy, Decimal]]:
    """Active strategies whose current version holds the security, with its weight."""
    current = strategy_versions_current()
    rows = (
        ModelWeight.objects.filter(
            security=security,
            version_id__in=[v.pk for v in current.values()],
            version__strategy__is_active=True,
        )
        .select_related("version__strategy")
        .order_by("version__strategy__name")
    )
    return [(row.version.strategy, row.weight) for row in rows]


# --------------------------------------------------------------------------- accounts


@dataclass
class AccountRisk:
    strategy: Strategy
    tracking_error: float | None  # holdings vs strategy, a fraction a year (0.0123 = 1.23 %)
    n_positions: int
    unpriced: list[str]
    is_synthetic: bool
    model_as_of: date | None


def account_weights(*, account) -> tuple[dict[int, float], list[str]]:
    """Weights of the account's lots by market value (cash left out), and unpriced tickers."""
    holdings = (
        TaxLot.objects.filter(account=account)
        .values("security_id", "security__ticker")
        .annotate(shares=Sum("shares"))
    )
    rows = list(holdings)
    prices = latest_prices(security_ids=[row["security_id"] for row in rows])
    values: dict[int, float] = {}
    unpriced = []
    for row in rows:
        price = prices.get(row["security_id"])
        if price is None:
            unpriced.append(row["security__ticker"])
            continue
        values[row["security_id"]] = float(row["shares"] * price.close)
    total = sum(values.values())
    if total <= 0:
        return {}, sorted(unpriced)
    return {pk: value / total for pk, value in values.items()}, sorted(unpriced)


def account_risk(*, account) -> AccountRisk | None:
    """The account's ex-ante tracking error to its strategy, as a fraction a year (pages show
    it with the `percent` filter); None without a strategy.

    `tracking_error` stays None when the account has no priced lots, the strategy no weights, or no
    risk model has been built.
    """
    strategy = account.strategy
    if strategy is None:
        return None
    weights, unpriced = account_weights(account=account)
    target = strategy_weights(version=strategy_version_current(strategy=strategy))
    row = risk_model_latest()
    te = None
    if weights and target and row is not None:
        te_pct = tracking_error_pct(
            weights=weights, target=target, model=risk_model_load(row_id=row.pk)
        )
        te = None if te_pct is None else te_pct / 100.0
    return AccountRisk(
        strategy=strategy,
        tracking_error=te,
        n_positions=len(weights),
        unpriced=unpriced,
        is_synthetic=bool(row and row.is_synthetic),
        model_as_of=row.as_of if row else None,
    )


def recent_start(*, end: date, days: int = 365) -> date:
    return end - timedelta(days=days)


# --------------------------------------------------------------------------- cash


def accounts_cash(*, account_ids: Iterable[int]) -> dict[int, Decimal]:
    """Cash of each account (one query). The balance is `Account.cash_balance`, which every
    cash service moves together with a CashEntry row (the ledger that explains it)."""
    from accounts.models import Account

    ids = list(set(account_ids))
    rows = Account.objects.filter(pk__in=ids).values_list("pk", "cash_balance")
    return {pk: money_round(cash) for pk, cash in rows}


def account_cash(*, account) -> Decimal:
    """Cash held in one account."""
    return accounts_cash(account_ids=[account.pk]).get(account.pk, Decimal("0.00"))


def account_cash_entries(*, account, limit: int = 20) -> list:
    """The account's latest cash movements, newest first (with the trade that made each)."""
    from portfolios.models import CashEntry

    return list(
        CashEntry.objects.filter(account=account)
        .select_related("trade__security", "created_by")
        .order_by("-date", "-id")[:limit]
    )
