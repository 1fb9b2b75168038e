"""A small rebalancing world: the ESG tests' 28 securities and risk model, GOOG and GOOGL (one
company), a latest price for every name, a direct-indexing strategy over them, and the alpha
household's taxable account and IRA holding lots bought over the years (gains and losses,
short and long term). Dates are relative to today so that the wash windows are live."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

import numpy as np
import pytest
from django.utils import timezone

from portfolios import services as portfolio_services
from portfolios.models import Price, PriceSource, Security, StrategyKind
from tests.esg.conftest import SECURITIES, esg_world_build

DI_NAMES = [row[0] for row in SECURITIES if row[4] == "S&P 500"] + ["GOOG", "GOOGL"]
# ticker -> latest close (deterministic, 20..400)
PRICE_SEED = 5


@dataclass
class RebalanceWorld:
    securities: dict[str, Security]
    prices: dict[str, Decimal]
    strategy: object
    account: object  # taxable, the alpha advisor's household
    ira: object
    today: date


def _prices(tickers) -> dict[str, Decimal]:
    rng = np.random.default_rng(PRICE_SEED)
    return {t: Decimal(str(round(float(rng.uniform(20, 400)), 2))) for t in tickers}


def trade_input(account, security, *, shares, price, on, action="BUY", source="opening"):
    from portfolios.lots.types import TradeInput

    return TradeInput(
        account=account,
        security=security,
        action=action,
        trade_date=on,
        shares=Decimal(str(shares)),
        amount=(Decimal(str(shares)) * Decimal(str(price))).quantize(Decimal("0.01")),
        source=source,
    )


def trades_add(account, items, *, cash: Decimal | None = Decimal("1000")):
    """Trades through the tax engine's trade service (one replay); the accounts' cash is then
    set to `cash` (opening lots are not paid from the account's cash)."""
    from portfolios.lots.cash import cash_balance_set
    from portfolios.lots.trades import trades_record

    result = trades_record(trades=items, actor=None, client=account.client)
    if cash is not None:
        for touched in {item.account.pk: item.account for item in items}.values():
            cash_balance_set(account=touched, actor=None, amount=cash)
    return result


def world_build(cast, *, holdings=None) -> RebalanceWorld:
    from transitions.rebalance.models import ShareClassGroup, ShareClassMember

    esg = esg_world_build()
    securities = dict(esg.securities)
    for ticker, name in (("GOOG", "Alphabet C"), ("GOOGL", "Alphabet A")):
        securities[ticker] = Security.objects.create(
            ticker=ticker,
            name=name,
            sector="Communication Services",
            industry="Interactive Media & Services",
            indices="S&P 500",
        )
    group = ShareClassGroup.objects.create(name="Alphabet")
    for ticker in ("GOOG", "GOOGL"):
        ShareClassMember.objects.create(group=group, security=securities[ticker])
    today = timezone.localdate()
    prices = _prices(sorted(securities))
    Price.objects.bulk_create(
        [
            Price(
                security=securities[t],
                date=today - timedelta(days=1),
                close=p,
                source=PriceSource.SYNTHETIC,
            )
            for t, p in prices.items()
        ]
    )
    rng = np.random.default_rng(3)
    raw = rng.lognormal(0, 0.6, len(DI_NAMES))
    raw[DI_NAMES.index("GOOG")] = raw[DI_NAMES.index("GOOGL")] = raw.max()  # want to buy them
    raw = raw / raw.sum()
    weights = {
        securities[t]: Decimal(str(round(float(w), 10))) for t, w in zip(DI_NAMES, raw, strict=True)
    }
    first = securities[DI_NAMES[0]]
    weights[first] += Decimal(1) - sum(weights.values())
    strategy = portfolio_services.strategy_upsert(
        slug="rb-di", name="Rebalance test DI", kind=StrategyKind.DIRECT_INDEX
    )
    portfolio_services.strategy_version_create(
        strategy=strategy, weights=weights, effective_date=date(2025, 1, 1), is_synthetic=True
    )
    account = cast.a.account
    account.strategy = strategy
    account.save(update_fields=["strategy"])
    ira = cast.a.ira
    ira.strategy = strategy
    ira.save(update_fields=["strategy"])
    holdings = holdings if holdings is not None else DEFAULT_HOLDINGS
    trades_add(
        account,
        [
            trade_input(
                account,
                securities[ticker],
                shares=shares,
                price=(prices[ticker] * Decimal(str(ratio))).quantize(Decimal("0.01")),
                on=today - timedelta(days=days_ago),
            )
            for ticker, shares, ratio, days_ago in holdings
        ],
    )
    account.refresh_from_db()
    return RebalanceWorld(securities, prices, strategy, account, ira, today)


# ticker, shares, basis / today's price, days ago (a drifted account: overweight energy and
# tech, gains and losses, short and long term; no GOOG/GOOGL)
DEFAULT_HOLDINGS = [
    ("XOM", 120, 0.55, 2000),
    ("XOM", 40, 1.30, 200),
    ("CVX", 60, 0.80, 900),
    ("AAPL", 80, 0.40, 2500),
    ("AAPL", 30, 1.25, 100),
    ("MSFT", 50, 0.70, 1500),
    ("NVDA", 40, 1.40, 300),
    ("JPM", 60, 0.90, 700),
    ("JNJ", 40, 1.20, 800),
    ("KO", 100, 0.95, 400),
    ("PG", 30, 1.10, 1000),
    ("CAT", 25, 0.60, 1800),
    ("UNH", 10, 1.35, 250),
    ("AMZN", 30, 0.85, 600),
    ("LMT", 10, 0.75, 1200),
]


@pytest.fixture
def world(cast, settings, tmp_path) -> RebalanceWorld:
    settings.MEDIA_ROOT = tmp_path / "media"
    return world_build(cast)


@pytest.fixture(autouse=True)
def _risk_model_cache_clear():
    from portfolios import risk_selectors

    risk_selectors._MODEL_CACHE.clear()
    yield
    risk_selectors._MODEL_CACHE.clear()


def propose_now(account, actor, **kwargs):
    """The job's body, run directly (the job path has its own tests)."""
    from transitions.rebalance.compute import trade_list_compute

    return trade_list_compute(account=account, actor=actor, **kwargs)
