"""A small, hand-made reference world for the ESG tests: 28 securities in 8 sectors, a seeded
synthetic factor risk model over them, three strategies and four categories.

Kept apart from the demo data so that the tests are fast and every expected member or
excluded name can be read off the table below.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

import numpy as np
import pytest

from esg import services as esg_services
from esg.models import ExclusionCategory, RuleField
from pma_engine.risk import FactorRiskModel
from portfolios import services as portfolio_services
from portfolios.models import Security, StrategyKind

SP500, SP600 = "S&P 500", "S&P 600"

# ticker, name, sector, industry, index
SECURITIES: list[tuple[str, str, str, str, str]] = [
    ("XOM", "Exxon Mobil", "Energy", "Integrated Oil & Gas", SP500),
    ("CVX", "Chevron", "Energy", "Integrated Oil & Gas", SP500),
    ("COP", "ConocoPhillips", "Energy", "Oil & Gas Exploration & Production", SP500),
    ("SLB", "Schlumberger", "Energy", "Oil & Gas Equipment & Services", SP500),
    ("MO", "Altria", "Consumer Staples", "Tobacco", SP500),
    ("PM", "Philip Morris", "Consumer Staples", "Tobacco", SP500),
    ("KO", "Coca-Cola", "Consumer Staples", "Soft Drinks & Non-alcoholic Beverages", SP500),
    ("PG", "Procter & Gamble", "Consumer Staples", "Household Products", SP500),
    ("TAP", "Molson Coors", "Consumer Staples", "Brewers", SP500),
    ("LMT", "Lockheed Martin", "Industrials", "Aerospace & Defense", SP500),
    ("NOC", "Northrop Grumman", "Industrials", "Aerospace & Defense", SP500),
    ("GD", "General Dynamics", "Industrials", "Aerospace & Defense", SP500),
    ("CAT", "Caterpillar", "Industrials", "Machinery", SP500),
    ("UPS", "United Parcel Service", "Industrials", "Air Freight & Logistics", SP500),
    (
        "AAPL",
        "Apple",
        "Information Technology",
        "Technology Hardware, Storage & Peripherals",
        SP500,
    ),
    ("MSFT", "Microsoft", "Information Technology", "Software", SP500),
    ("NVDA", "Nvidia", "Information Technology", "Semiconductors & Semiconductor Equipment", SP500),
    ("ORCL", "Oracle", "Information Technology", "Software", SP500),
    ("JPM", "JPMorgan Chase", "Financials", "Banks", SP500),
    ("GS", "Goldman Sachs", "Financials", "Capital Markets", SP500),
    ("BAC", "Bank of America", "Financials", "Banks", SP500),
    ("JNJ", "Johnson & Johnson", "Health Care", "Pharmaceuticals", SP500),
    ("UNH", "UnitedHealth", "Health Care", "Health Care Providers & Services", SP500),
    ("LVS", "Las Vegas Sands", "Consumer Discretionary", "Casinos & Gaming", SP500),
    ("MGM", "MGM Resorts", "Consumer Discretionary", "Casinos & Gaming", SP500),
    ("HD", "Home Depot", "Consumer Discretionary", "Specialty Retail", SP500),
    ("AMZN", "Amazon", "Consumer Discretionary", "Broadline Retail", SP500),
    ("CXW", "CoreCivic", "Industrials", "Private Prisons", SP600),
]
BY_TICKER = {row[0]: row for row in SECURITIES}
# The DI strategy leaves these index members out: candidates that may take excluded weight.
DI_UNHELD = ("HD", "BAC")
ACTIVE_NAMES = ("XOM", "MO", "LMT", "AAPL", "MSFT", "JPM", "JNJ", "KO", "CAT", "LVS", "UNH")
TECH_NAMES = ("AAPL", "MSFT", "NVDA", "ORCL")
CATEGORY_RULES = {
    "tobacco": ("Tobacco", [(RuleField.INDUSTRY, "Tobacco")]),
    "fossil-fuels": (
        "Fossil fuels",
        [
            (RuleField.INDUSTRY, "Integrated Oil & Gas"),
            (RuleField.INDUSTRY, "Oil & Gas Exploration & Production"),
            (RuleField.INDUSTRY, "Oil & Gas Equipment & Services"),
        ],
    ),
    "weapons": ("Weapons", [(RuleField.INDUSTRY, "Aerospace & Defense")]),
    "gambling": ("Gambling", [(RuleField.INDUSTRY, "Casinos & Gaming")]),
}


def synthetic_risk_model(tickers, sectors, *, seed: int = 7) -> FactorRiskModel:
    """Market + one factor per sector + one style; annualized; seeded (SYNTHETIC)."""
    rng = np.random.default_rng(seed)
    sector_names = sorted(set(sectors))
    n, k = len(tickers), 2 + len(sector_names)
    exposures = np.zeros((n, k))
    exposures[:, 0] = rng.normal(1.0, 0.2, n)
    for row, sector in enumerate(sectors):
        exposures[row, 1 + sector_names.index(sector)] = 1.0
    exposures[:, -1] = rng.normal(0.0, 1.0, n)
    vols = np.concatenate([[0.16], rng.uniform(0.05, 0.10, len(sector_names)), [0.04]])
    factor_cov = np.diag(vols**2)
    specific_var = rng.uniform(0.15, 0.35, n) ** 2
    return FactorRiskModel(
        tickers=tuple(tickers),
        exposures=exposures,
        factor_cov=factor_cov,
        specific_var=specific_var,
        as_of=date(2025, 12, 31),
        sectors=tuple(sectors),
    )


def _weights(tickers, rng) -> dict[str, Decimal]:
    raw = rng.lognormal(0.0, 0.8, len(tickers))
    raw = raw / raw.sum()
    rounded = {t: Decimal(str(round(float(w), 10))) for t, w in zip(tickers, raw, strict=True)}
    rounded[tickers[0]] += Decimal(1) - sum(rounded.values())  # exactly 1
    return rounded


@dataclass
class EsgWorld:
    securities: dict[str, Security]
    strategies: dict[str, object]
    categories: dict[str, ExclusionCategory]
    model: FactorRiskModel


@pytest.fixture
def esg_world(db) -> EsgWorld:
    return esg_world_build()


def esg_world_build() -> EsgWorld:
    """Create the securities, risk model, strategies and categories (needs database access)."""
    from portfolios import selectors

    selectors._MODEL_CACHE.clear()  # see _risk_model_cache_clear
    securities = {
        ticker: Security.objects.create(
            ticker=ticker, name=name, sector=sector, industry=industry, indices=index
        )
        for ticker, name, sector, industry, index in SECURITIES
    }
    model = synthetic_risk_model([row[0] for row in SECURITIES], [row[2] for row in SECURITIES])
    portfolio_services.risk_model_store(model=model, is_synthetic=True)
    rng = np.random.default_rng(11)
    di_names = [row[0] for row in SECURITIES if row[4] == SP500 and row[0] not in DI_UNHELD]
    specs = {
        "esg-di": ("ESG test DI", StrategyKind.DIRECT_INDEX, di_names),
        "esg-active": ("ESG test active", StrategyKind.ACTIVE, list(ACTIVE_NAMES)),
        "esg-tech": ("ESG test tech leaders", StrategyKind.ACTIVE, list(TECH_NAMES)),
    }
    strategies = {}
    for slug, (name, kind, tickers) in specs.items():
        strategy = portfolio_services.strategy_upsert(slug=slug, name=name, kind=kind)
        portfolio_services.strategy_version_create(
            strategy=strategy,
            weights={securities[t]: w for t, w in _weights(tickers, rng).items()},
            effective_date=date(2025, 1, 1),
            is_synthetic=True,
        )
        strategies[slug] = strategy
    categories = {}
    for slug, (name, rules) in CATEGORY_RULES.items():
        category = ExclusionCategory.objects.create(slug=slug, name=name)
        for field, value in rules:
            category.rules.create(field=field, value=value)
        categories[slug] = category
    esg_services.category_members_rebuild()
    return EsgWorld(securities, strategies, categories, model)


def account_with_strategy(account, strategy):
    account.strategy = strategy
    account.save(update_fields=["strategy"])
    return account


@pytest.fixture(autouse=True)
def _risk_model_cache_clear():
    """portfolios.selectors caches decoded risk models by row id; SQLite reuses ids after a
    test's rollback, so a model from an earlier test could otherwise be served."""
    from portfolios import selectors

    selectors._MODEL_CACHE.clear()
    yield
    selectors._MODEL_CACHE.clear()
