"""Small reference-data fixtures (securities, prices, risk model, strategies) for fast tests.

Registered as a pytest plugin by tests/conftest.py, so any test can ask for them by name.

`reference_small` (function scope, needs the database; builds in ~0.2 s) returns a
`ReferenceData` with:

- `securities`: ~60 real records of the security master (`pma_engine.securities`), stored as
  master securities (firm None): every one of the 11 GICS sectors with at least four S&P 500
  and two S&P 600 names, and these ESG-relevant industries present:
  Tobacco (MO, PM, UVV), Aerospace & Defense (AIR, AXON, BA, GD), Integrated Oil & Gas (CVX, XOM),
  Oil & Gas Exploration & Production (APA, COP, CRC), Coal & Consumable Fuels (BTU),
  Casinos & Gaming (CZR, LVS, MGM), Brewers (TAP), Distillers & Vintners (BF.B, STZ),
  Private Prisons (CXW, GEO). `data.security("MO")` gets one by ticker.
- SYNTHETIC daily closes: `SMALL_DAYS` (300) business days ending on `SMALL_END`
  (2025-12-31), seed `SMALL_SEED`, loaded through the same service as the demo
  (`prices_synthetic_generate`, source "synthetic"). `data.simulated` holds the engine's
  `SimulatedPrices` (true loadings and volatilities) for statistical checks.
- A stored `RiskModel` estimated from those prices by `risk_model_build` (`data.risk_model`,
  `data.model` is the engine's `FactorRiskModel`), flagged `is_synthetic`.
- The six strategies of portfolios/demo.py with one synthetic version effective
  2025-01-02: di-large-cap, di-all-cap (cap-weight proxies), active-quality-core,
  active-dividend-value, active-all-cap-opportunities (25 names each, sector balanced) and
  core-equity (40 % active-quality-core + 60 % di-large-cap). `data.strategies[slug]`;
  `data.weights(slug)` gives {ticker: Decimal weight} of the current version.

Names avoid the isolation tests' firm markers ("alpha", "bravo").
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from functools import lru_cache

import pytest

from pma_engine.securities import SecurityRecord, security_master_load

SMALL_DAYS = 300
SMALL_END = date(2025, 12, 31)
SMALL_SEED = 424_242
SMALL_EFFECTIVE = date(2025, 1, 2)
SMALL_ACTIVE_NAMES = 25

ESG_TICKERS = (
    *("MO", "PM", "UVV"),  # tobacco
    *("AIR", "AXON", "BA", "GD"),  # aerospace & defense
    *("CVX", "XOM", "APA", "COP", "CRC", "BTU"),  # oil, gas and coal
    *("CZR", "LVS", "MGM"),  # casinos & gaming
    *("TAP", "BF.B", "STZ"),  # brewers, distillers
    *("CXW", "GEO"),  # private prisons
)
_MARKERS = ("alpha", "bravo")


@lru_cache(maxsize=1)
def small_universe() -> tuple[SecurityRecord, ...]:
    """The fixture's records: the ESG names, then per sector the first S&P 500 names (to four)
    and S&P 600 names (to two) in ticker order."""
    records = [r for r in security_master_load() if not any(m in r.name.lower() for m in _MARKERS)]
    by_ticker = {r.ticker: r for r in records}
    chosen: dict[str, SecurityRecord] = {t: by_ticker[t] for t in ESG_TICKERS}
    sectors = sorted({r.sector for r in records})
    for sector in sectors:
        for index, wanted in (("S&P 500", 4), ("S&P 600", 2)):
            have = sum(1 for r in chosen.values() if r.sector == sector and index in r.indices)
            for record in records:
                if have >= wanted:
                    break
                if (
                    record.sector == sector
                    and index in record.indices
                    and record.ticker not in chosen
                ):
                    chosen[record.ticker] = record
                    have += 1
    return tuple(sorted(chosen.values(), key=lambda r: r.ticker))


@dataclass
class ReferenceData:
    securities: dict  # ticker -> Security
    strategies: dict  # slug -> Strategy
    risk_model: object  # portfolios.models.RiskModel
    model: object  # pma_engine.risk.FactorRiskModel
    simulated: object  # pma_engine.simulation.SimulatedPrices
    as_of: date

    def security(self, ticker: str):
        return self.securities[ticker]

    def weights(self, slug: str) -> dict[str, Decimal]:
        from portfolios.models import ModelWeight
        from portfolios.selectors import strategy_version_current

        version = strategy_version_current(strategy=self.strategies[slug])
        return dict(
            ModelWeight.objects.filter(version=version)
            .order_by("-weight")
            .values_list("security__ticker", "weight")
        )


def reference_small_build() -> ReferenceData:
    """Build the small reference set in the current database (see the module docstring)."""
    from portfolios import services
    from portfolios.demo import strategies_seed, strategy_definitions
    from portfolios.models import Security
    from portfolios.selectors import risk_model_load

    records = small_universe()
    services.security_master_sync(records=records)
    securities = list(Security.objects.filter(firm__isnull=True).order_by("ticker"))
    history = services.prices_synthetic_generate(
        n_days=SMALL_DAYS, seed=SMALL_SEED, end=SMALL_END, securities=securities
    )
    strategies = strategies_seed(
        definitions=strategy_definitions(n_active_names=SMALL_ACTIVE_NAMES, min_names_per_sector=2),
        securities=securities,
        effective_date=SMALL_EFFECTIVE,
    )
    risk_model = services.risk_model_build()
    return ReferenceData(
        securities={s.ticker: s for s in securities},
        strategies=strategies,
        risk_model=risk_model,
        model=risk_model_load(row_id=risk_model.pk),
        simulated=history.simulated,
        as_of=risk_model.as_of,
    )


@pytest.fixture
def reference_small(db) -> ReferenceData:
    return reference_small_build()
