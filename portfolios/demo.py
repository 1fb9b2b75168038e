"""Demo reference data: the security master, a SYNTHETIC price history, the six strategies and a
risk model. Idempotent: a second run finds everything in place and changes nothing.

The six strategies (see docs/strategies.md):

| slug | kind | universe / rule | benchmark |
| --- | --- | --- | --- |
| di-large-cap | direct indexing | S&P 500, cap-weight proxy | — |
| di-all-cap | direct indexing | S&P 500 + S&P 600, cap-weight proxy | — |
| active-quality-core | active | 80 names of the S&P 500, sector balanced | di-large-cap |
| active-dividend-value | active | 80 names of the S&P 500, more equal sectors | di-large-cap |
| active-all-cap-opportunities | active | 80 names of the S&P 500 + 600 | di-all-cap |
| core-equity | core | 40 % Active Quality Core + 60 % DI Large Cap | di-large-cap |
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date

from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from pma_engine.model_portfolios import (
    ActiveModelRule,
    active_model_build,
    cap_weights,
    synthetic_market_cap,
    weights_blend,
    weights_round,
)
from portfolios import services
from portfolios.models import Price, PriceSource, RiskModel, Security, Strategy, StrategyKind

CAP_PROXY_SEED = 2026
DEMO_DAYS_FULL = 2520  # ten years of business days
DEMO_DAYS_QUICK = 260  # about one year (tests)
SYNTHETIC_NOTES = {
    "index": (
        "SYNTHETIC demo weights: a cap-weight proxy (approximate caps of the largest companies, "
        "simulated caps for the rest; see docs/strategies.md), not index data."
    ),
    "active": (
        "SYNTHETIC demo weights: about 80 names drawn by the documented sector-balanced rule "
        "from the index proxy (see docs/strategies.md), not a manager's model."
    ),
    "blend": (
        "SYNTHETIC demo weights: a blend of the demo's active and index proxy weights "
        "(see docs/strategies.md), not a real model."
    ),
}


@dataclass(frozen=True)
class StrategyDefinition:
    """One demo strategy: an index proxy (`indices`), an active rule, or a blend."""

    slug: str
    name: str
    kind: str
    description: str
    indices: tuple[str, ...] = ()  # index strategies: the cap-weighted universe
    benchmark: str = ""
    rule: ActiveModelRule | None = None  # active strategies
    blend: tuple[tuple[float, str], ...] = field(default=())  # core: (share, slug)

    @property
    def synthetic_note(self) -> str:
        """How the demo built this strategy's weights (stored with its synthetic version)."""
        if self.indices:
            return SYNTHETIC_NOTES["index"]
        return SYNTHETIC_NOTES["active" if self.rule is not None else "blend"]


def strategy_definitions(
    *, n_active_names: int = 80, min_names_per_sector: int = 3
) -> list[StrategyDefinition]:
    """The six strategies, in the order they must be built (benchmarks first)."""
    return [
        StrategyDefinition(
            slug="di-large-cap",
            name="DI Large Cap",
            kind=StrategyKind.DIRECT_INDEX,
            description=(
                "Direct indexing on the S&P 500: several hundred names held directly, "
                "tracking the index while harvesting losses."
            ),
            indices=("S&P 500",),
        ),
        StrategyDefinition(
            slug="di-all-cap",
            name="DI All Cap",
            kind=StrategyKind.DIRECT_INDEX,
            description="Direct indexing on the S&P 500 and S&P 600 (large and small caps).",
            indices=("S&P 500", "S&P 600"),
        ),
        StrategyDefinition(
            slug="active-quality-core",
            name="Active Quality Core",
            kind=StrategyKind.ACTIVE,
            description=(
                "About 80 large-cap names from several managers' ideas, balanced across "
                "sectors; long-term holdings preferred."
            ),
            benchmark="di-large-cap",
            rule=ActiveModelRule(
                seed=101, n_names=n_active_names, min_names_per_sector=min_names_per_sector
            ),
        ),
        StrategyDefinition(
            slug="active-dividend-value",
            name="Active Dividend Value",
            kind=StrategyKind.ACTIVE,
            description=(
                "About 80 large-cap names with a value and income tilt; sector weights closer "
                "to an equal split than the index."
            ),
            benchmark="di-large-cap",
            rule=ActiveModelRule(
                seed=202,
                n_names=n_active_names,
                min_names_per_sector=min_names_per_sector,
                equal_sector_share=0.4,
                pick_size_power=0.25,
            ),
        ),
        StrategyDefinition(
            slug="active-all-cap-opportunities",
            name="Active All Cap Opportunities",
            kind=StrategyKind.ACTIVE,
            description="About 80 names across large and small caps, balanced across sectors.",
            benchmark="di-all-cap",
            rule=ActiveModelRule(
                seed=303,
                n_names=n_active_names,
                min_names_per_sector=min_names_per_sector,
                pick_size_power=0.35,
            ),
        ),
        StrategyDefinition(
            slug="core-equity",
            name="Core Equity",
            kind=StrategyKind.CORE,
            description=(
                "A blend in one account: 40 % Active Quality Core and 60 % DI Large Cap, so "
                "the DI sleeve's harvested losses absorb the active sleeve's gains."
            ),
            benchmark="di-large-cap",
            blend=((0.4, "active-quality-core"), (0.6, "di-large-cap")),
        ),
    ]


def index_proxy_weights(
    *, securities: Sequence[Security], indices: Sequence[str], seed: int = CAP_PROXY_SEED
) -> dict[str, float]:
    """SYNTHETIC cap-weight proxy over the securities belonging to any of `indices`."""
    caps = {}
    for security in securities:
        memberships = [name for name in security.indices.split(",") if name]
        index = next((name for name in memberships if name in indices), None)
        if index is not None:
            caps[security.ticker] = synthetic_market_cap(security.ticker, index=index, seed=seed)
    return cap_weights(caps)


def strategy_weights_build(
    definitions: Sequence[StrategyDefinition], *, securities: Sequence[Security]
) -> dict[str, dict[str, float]]:
    """Weights by ticker of every definition (benchmarks before the models that use them)."""
    sectors = {s.ticker: s.sector for s in securities}
    built: dict[str, dict[str, float]] = {}
    for definition in definitions:
        if definition.indices:
            built[definition.slug] = index_proxy_weights(
                securities=securities, indices=definition.indices
            )
        elif definition.rule is not None:
            built[definition.slug] = active_model_build(
                benchmark=built[definition.benchmark], sectors=sectors, rule=definition.rule
            )
        else:
            built[definition.slug] = weights_blend(
                [(share, built[slug]) for share, slug in definition.blend]
            )
    return built


@transaction.atomic
def strategies_seed(
    *,
    definitions: Sequence[StrategyDefinition] | None = None,
    securities: Sequence[Security] | None = None,
    effective_date: date | None = None,
) -> dict[str, Strategy]:
    """Create the strategies; give each one without versions a first, synthetic version."""
    definitions = list(definitions or strategy_definitions())
    if securities is None:
        securities = list(
            Security.objects.filter(firm__isnull=True, is_active=True).order_by("ticker")
        )
    by_ticker = {s.ticker: s for s in securities}
    effective_date = effective_date or date(timezone.localdate().year, 1, 1)
    strategies: dict[str, Strategy] = {}
    for definition in definitions:
        strategies[definition.slug] = services.strategy_upsert(
            slug=definition.slug,
            name=definition.name,
            kind=definition.kind,
            description=definition.description,
            benchmark=strategies.get(definition.benchmark),
        )
    missing = [d for d in definitions if not strategies[d.slug].versions.exists()]
    if missing:
        weights = strategy_weights_build(definitions, securities=securities)
        for definition in missing:
            rounded = weights_round(weights[definition.slug])
            services.strategy_version_create(
                strategy=strategies[definition.slug],
                weights={by_ticker[ticker]: weight for ticker, weight in rounded.items()},
                effective_date=effective_date,
                is_synthetic=True,
                note=definition.synthetic_note,
            )
    return strategies


def _synthetic_history_is_loaded(*, n_days: int) -> bool:
    active = Security.objects.filter(firm__isnull=True, is_active=True)
    expected = active.count() * n_days
    loaded = Price.objects.filter(security__in=active, source=PriceSource.SYNTHETIC).count()
    return expected > 0 and loaded == expected


def demo_reference_seed(*, quick: bool) -> None:
    """Security master, SYNTHETIC prices (10 years; `quick`: one), strategies, risk model."""
    services.security_master_sync()
    n_days = DEMO_DAYS_QUICK if quick else DEMO_DAYS_FULL
    if not _synthetic_history_is_loaded(n_days=n_days):
        services.prices_synthetic_generate(n_days=n_days, seed=services.DEMO_PRICE_SEED)
    strategies_seed()
    latest = Price.objects.aggregate(latest=Max("date"))["latest"]
    if latest is not None and not RiskModel.objects.filter(as_of=latest).exists():
        services.risk_model_build(as_of=latest)
