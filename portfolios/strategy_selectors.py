"""Reads of the strategies: the version in force, its weights, the strategy list and a
strategy's page (sectors, holdings, tracking error to its benchmark). Re-exported by
`portfolios.selectors`."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.db.models import Count
from django.utils import timezone

from portfolios.models import (
    GICS_SECTORS,
    ModelWeight,
    RiskModel,
    Security,
    Strategy,
    StrategyVersion,
)
from portfolios.risk_selectors import (
    risk_model_current,
    risk_model_latest,
    risk_model_load,
    tracking_error_pct,
    volatility_pct,
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


def _fraction(percent: float | None) -> float | None:
    """The risk helpers answer in percent a year; pages take fractions (the `percent` filter)."""
    return None if percent is None else percent / 100.0


@dataclass
class StrategyRow:
    strategy: Strategy
    version: StrategyVersion | None
    n_names: int
    tracking_error: float | None  # to the benchmark, a fraction of 1 a year
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
                te = _fraction(
                    tracking_error_pct(weights=weights_of(strategy.pk), target=bench, model=model)
                )
        rows.append(
            StrategyRow(
                strategy=strategy,
                version=version,
                n_names=version.n_names if version is not None else 0,
                tracking_error=te,
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
    def active_weight(self) -> Decimal | None:
        """Weight over the benchmark's, a fraction of 1 (pages format it with `percent`)."""
        return None if self.benchmark_weight is None else self.weight - self.benchmark_weight


@dataclass
class StrategyDetail:
    strategy: Strategy
    version: StrategyVersion | None
    versions: list[StrategyVersion]
    holdings: list[Holding]  # largest first, `top` of them
    n_names: int
    sectors: list[SectorBar]
    # (label, value, places): a rate (a fraction, shown with `percent:places`) or, places
    # None, a text as it is.
    characteristics: list[tuple[str, object, int | None]] = field(default_factory=list)
    tracking_error: float | None = None  # to the benchmark, a fraction of 1 a year
    volatility: float | None = None  # predicted, a fraction of 1 a year
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
        _fraction(tracking_error_pct(weights=weights, target=bench_weights, model=model))
        if model is not None and weights and bench_weights
        else None
    )
    vol = (
        _fraction(volatility_pct(weights=weights, model=model))
        if model is not None and weights
        else None
    )
    values = [float(w) for w in weights.values()]
    characteristics = []
    if values:
        characteristics = [
            ("Names", f"{len(values)}", None),
            ("Largest weight", max(values), 2),
            ("Top 10 weight", sum(sorted(values, reverse=True)[:10]), 1),
            ("Effective number of names", f"{1.0 / sum(v * v for v in values):.0f}", None),
            (
                "Sectors held",
                f"{sum(1 for s in sectors if s.weight > 0)} of {len(GICS_SECTORS)}",
                None,
            ),
        ]
        n_small = Security.objects.filter(
            pk__in=list(weights), indices__contains="S&P 600"
        ).values_list("pk", flat=True)
        small = sum(float(weights[pk]) for pk in n_small)
        characteristics.append(("In the S&P 600 (small cap)", small, 1))
    return StrategyDetail(
        strategy=strategy,
        version=version,
        versions=versions,
        holdings=holdings,
        n_names=len(weights),
        sectors=sectors,
        characteristics=characteristics,
        tracking_error=te,
        volatility=vol,
        risk_model=model_row,
    )
