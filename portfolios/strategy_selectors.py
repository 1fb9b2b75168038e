"""Reads of the strategies: the version in force, its weights, the strategy list and a
strategy's page (sectors, holdings, tracking error to its benchmark). Re-exported by
`portfolios.selectors`."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

import numpy as np
from django.db import connection
from django.db.models import CharField, Count, FloatField, Min, OuterRef, Subquery, Sum
from django.db.models.functions import Cast
from django.utils import timezone

from portfolios.models import (
    GICS_SECTORS,
    ModelWeight,
    Price,
    PriceSource,
    RiskModel,
    Security,
    Strategy,
    StrategyVersion,
    TaxLot,
)
from portfolios.risk_selectors import (
    risk_model_current,
    risk_model_latest,
    risk_model_load,
    tracking_error_pct,
    volatility_pct,
)

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


def latest_closes(*, security_ids: Iterable[int]) -> dict[int, tuple[Decimal, date, str]]:
    """Latest close, its date and its source (synthetic or not) for each priced security."""
    ids = list(set(security_ids))
    if not ids:
        return {}
    newest = Price.objects.filter(security_id=OuterRef("security_id")).order_by("-date")
    rows = Price.objects.filter(
        security_id__in=ids, date=Subquery(newest.values("date")[:1])
    ).values_list("security_id", "close", "date", "source")
    return {security_id: (close, on, source) for security_id, close, on, source in rows}


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


def strategy_version_current(
    *, strategy: Strategy, on: date | None = None
) -> StrategyVersion | None:
    """The version in force on `on` (default today): latest effective date, then number."""
    on = on or timezone.localdate()
    return (
        StrategyVersion.objects.filter(strategy=strategy, effective_date__lte=on)
        .order_by("-effective_date", "-version")
        .first()
    )


def strategy_weights(*, version: StrategyVersion | None) -> dict[int, Decimal]:
    """security id -> weight of a version, largest first."""
    if version is None:
        return {}
    return dict(
        ModelWeight.objects.filter(version=version)
        .order_by("-weight", "security_id")
        .values_list("security_id", "weight")
    )


def strategy_weights_by_slug(*, slug: str, on: date | None = None) -> dict[int, Decimal]:
    """Current weights of a strategy named by slug ({} if it has none)."""
    strategy = Strategy.objects.filter(slug=slug).first()
    if strategy is None:
        return {}
    return strategy_weights(version=strategy_version_current(strategy=strategy, on=on))


@dataclass
class StrategyRow:
    strategy: Strategy
    version: StrategyVersion | None
    n_names: int
    te_pct: float | None  # to the benchmark
    benchmark: Strategy | None


def strategy_rows(*, include_inactive: bool = False) -> list[StrategyRow]:
    """Every strategy with its current version, name count and tracking error to benchmark."""
    strategies = Strategy.objects.select_related("benchmark").order_by("kind", "name")
    if not include_inactive:
        strategies = strategies.filter(is_active=True)
    today = timezone.localdate()
    strategies = list(strategies)
    versions = (
        StrategyVersion.objects.filter(strategy__in=strategies, effective_date__lte=today)
        .annotate(n_names=Count("weights"))
        .order_by("strategy_id", "-effective_date", "-version")
    )
    current: dict[int, StrategyVersion] = {}
    for version in versions:
        current.setdefault(version.strategy_id, version)
    model = risk_model_current()
    weights_cache: dict[int, dict[int, Decimal]] = {}

    def weights_of(strategy_id: int) -> dict[int, Decimal]:
        if strategy_id not in weights_cache:
            weights_cache[strategy_id] = strategy_weights(version=current.get(strategy_id))
        return weights_cache[strategy_id]

    rows = []
    for strategy in strategies:
        version = current.get(strategy.pk)
        te = None
        if model is not None and strategy.benchmark_id and version is not None:
            bench = weights_of(strategy.benchmark_id)
            if bench:
                te = tracking_error_pct(weights=weights_of(strategy.pk), target=bench, model=model)
        rows.append(
            StrategyRow(
                strategy=strategy,
                version=version,
                n_names=version.n_names if version is not None else 0,
                te_pct=te,
                benchmark=strategy.benchmark,
            )
        )
    return rows


@dataclass
class SectorBar:
    sector: str
    weight: float
    benchmark_weight: float | None

    @property
    def percent(self) -> float:
        return 100.0 * self.weight

    @property
    def benchmark_percent(self) -> float | None:
        return None if self.benchmark_weight is None else 100.0 * self.benchmark_weight


@dataclass
class Holding:
    security: Security
    weight: Decimal
    benchmark_weight: Decimal | None

    @property
    def percent(self) -> float:
        return 100.0 * float(self.weight)

    @property
    def benchmark_percent(self) -> float | None:
        return None if self.benchmark_weight is None else 100.0 * float(self.benchmark_weight)

    @property
    def active_percent(self) -> float | None:
        bench = self.benchmark_percent
        return None if bench is None else self.percent - bench


@dataclass
class StrategyDetail:
    strategy: Strategy
    version: StrategyVersion | None
    versions: list[StrategyVersion]
    holdings: list[Holding]  # largest first, `top` of them
    n_names: int
    sectors: list[SectorBar]
    characteristics: list[tuple[str, str]] = field(default_factory=list)
    te_pct: float | None = None
    volatility_pct: float | None = None
    risk_model: RiskModel | None = None


def _sector_split(weights: Mapping[int, Decimal]) -> dict[str, float]:
    sectors = dict(Security.objects.filter(pk__in=list(weights)).values_list("pk", "sector"))
    totals: dict[str, float] = defaultdict(float)
    for pk, weight in weights.items():
        totals[sectors.get(pk) or "Unclassified"] += float(weight)
    return totals


def strategy_detail(
    *, strategy: Strategy, version: StrategyVersion | None = None, top: int = 25
) -> StrategyDetail:
    """Holdings, sector weights against the benchmark, characteristics and version history."""
    versions = list(
        StrategyVersion.objects.filter(strategy=strategy)
        .annotate(n_names=Count("weights"))
        .order_by("-effective_date", "-version")
    )
    if version is None:
        version = strategy_version_current(strategy=strategy)
    if version is None and versions:
        version = versions[-1]  # nothing in force yet: show the earliest
    weights = strategy_weights(version=version)
    benchmark = strategy.benchmark
    bench_weights = (
        strategy_weights(version=strategy_version_current(strategy=benchmark))
        if benchmark is not None
        else {}
    )
    top_ids = list(weights)[:top]
    securities = Security.objects.in_bulk(top_ids)
    holdings = [
        Holding(
            security=securities[pk],
            weight=weights[pk],
            benchmark_weight=bench_weights.get(pk, Decimal(0)) if bench_weights else None,
        )
        for pk in top_ids
    ]
    split = _sector_split(weights)
    bench_split = _sector_split(bench_weights) if bench_weights else {}
    sectors = [
        SectorBar(
            sector=sector,
            weight=split.get(sector, 0.0),
            benchmark_weight=bench_split.get(sector, 0.0) if bench_split else None,
        )
        for sector in [*GICS_SECTORS, "Unclassified"]
        if split.get(sector) or bench_split.get(sector)
    ]
    model_row = risk_model_latest()
    model = risk_model_load(row_id=model_row.pk) if model_row is not None else None
    te = (
        tracking_error_pct(weights=weights, target=bench_weights, model=model)
        if model is not None and weights and bench_weights
        else None
    )
    vol = volatility_pct(weights=weights, model=model) if model is not None and weights else None
    values = [float(w) for w in weights.values()]
    characteristics = []
    if values:
        characteristics = [
            ("Names", f"{len(values)}"),
            ("Largest weight", f"{100 * max(values):.2f}%"),
            ("Top 10 weight", f"{100 * sum(sorted(values, reverse=True)[:10]):.1f}%"),
            ("Effective number of names", f"{1.0 / sum(v * v for v in values):.0f}"),
            ("Sectors held", f"{sum(1 for s in sectors if s.weight > 0)} of {len(GICS_SECTORS)}"),
        ]
        n_small = Security.objects.filter(
            pk__in=list(weights), indices__contains="S&P 600"
        ).values_list("pk", flat=True)
        small = sum(float(weights[pk]) for pk in n_small)
        characteristics.append(("In the S&P 600 (small cap)", f"{100 * small:.1f}%"))
    return StrategyDetail(
        strategy=strategy,
        version=version,
        versions=versions,
        holdings=holdings,
        n_names=len(weights),
        sectors=sectors,
        characteristics=characteristics,
        te_pct=te,
        volatility_pct=vol,
        risk_model=model_row,
    )
