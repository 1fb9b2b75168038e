"""The one adapter between the portal's rows and the transition planner's input.

Everything the planner needs for one account (its lots, the household's wash windows, the
customized target or the strategy's weights, the latest prices, the risk model, the client's
tax rates and cash) is read here, aligned on one universe of security ids, and packed into a
`TransitionInput`. A change of source (another lots loader, another target) is a change here.

The digest is a hash of exactly what went in, so a read can tell that an analysis is stale
without solving anything.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

import numpy as np
from django.utils import timezone

from pma_engine.household import WASH_WINDOW_DAYS
from pma_engine.rebalance.types import RebalanceProblem
from pma_engine.transition import Scenario, TransitionInput
from pma_engine.transition.book import NO_DAY
from pma_engine.universe import Universe

DEFAULT_SHORT_TERM_RATE = 0.408
DEFAULT_LONG_TERM_RATE = 0.238
TRANSITION_RISK_AVERSION = 10.0
"""The optimizer's weight on TE^2 (per unit of equity) against dollars of tax. At 1.0 a legacy
account 15 % off its target would rather stay than pay any tax, so a budget scenario would
never spend its budget; at 10 moving to the target is worth a tax of up to ~2 % of the
account per 0.045 of TE^2, so budgets, timelines and the frontier decide the pace, as
advisors expect."""


class AnalysisInputError(ValueError):
    """The account cannot be analysed as it stands; `field` names what is missing or wrong."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message


@dataclass(frozen=True, eq=False)
class AccountSnapshot:
    """What the planner sees of one account on one day, with the digest of it."""

    problem: RebalanceProblem
    lot_acquired: np.ndarray
    last_buy_day: np.ndarray
    last_loss_sale_day: np.ndarray
    universe: Universe
    security_ids: tuple[int, ...]
    lot_public_ids: tuple[str, ...]
    filing_status: str
    as_of: date
    target_source: str  # "customized" or "strategy"
    strategy_kind: str
    digest: str

    def transition_input(
        self, *, scenarios: Sequence[Scenario], years: int, te_goal: float, drift: float
    ) -> TransitionInput:
        return TransitionInput(
            problem=self.problem,
            as_of=self.as_of,
            lot_acquired=self.lot_acquired,
            scenarios=tuple(scenarios),
            years=years,
            te_goal=te_goal,
            drift=drift,
            last_buy_day=self.last_buy_day,
            last_loss_sale_day=self.last_loss_sale_day,
            filing_status=self.filing_status,
        )


def _target_weights(account) -> tuple[dict[int, float], str]:
    """The stored customized target (security id -> weight), else the strategy's weights."""
    from esg.selectors import customized_target_weights
    from portfolios.selectors import strategy_version_current, strategy_weights

    weights = customized_target_weights(account=account)
    if weights:
        return {int(k): float(v) for k, v in weights.items() if v > 0}, "customized"
    version = strategy_version_current(strategy=account.strategy)
    return {
        int(k): float(v) for k, v in strategy_weights(version=version).items() if v > 0
    }, "strategy"


def account_snapshot(*, account, as_of: date | None = None) -> AccountSnapshot:
    """Read everything the planner needs for `account` (reads only; no solve).

    Raises AnalysisInputError naming the field: strategy, lots, prices, risk model.
    """
    from portfolios.lots.selectors import household_lots_load
    from portfolios.risk_selectors import risk_model_for, risk_model_latest, risk_model_load
    from portfolios.selectors import latest_prices, universe_load

    as_of = as_of or timezone.localdate()
    if account.strategy_id is None:
        raise AnalysisInputError(
            "strategy", "The account has no strategy: choose one before a transition analysis."
        )
    target, target_source = _target_weights(account)
    if not target:
        raise AnalysisInputError(
            "strategy", f"The strategy {account.strategy} has no model weights in force yet."
        )
    base = universe_load(security_ids=sorted(target))
    universe, household = household_lots_load(client=account.client, as_of=as_of, universe=base)
    account_index = np.nonzero(household.account_ids == account.pk)[0]
    own = (
        np.nonzero(household.lot_account == account_index[0])[0]
        if len(account_index)
        else np.zeros(0, dtype=np.int64)
    )
    if len(own) == 0:
        raise AnalysisInputError(
            "lots", "The account holds no tax lots: upload its holdings before an analysis."
        )
    ids = [int(i) for i in universe.ids]
    prices = latest_prices(security_ids=ids)
    held_positions = set(household.lot_security[own].tolist())
    missing = [universe.tickers[i] for i in sorted(held_positions) if ids[i] not in prices]
    if missing:
        raise AnalysisInputError(
            "prices",
            "No price for "
            + ", ".join(sorted(missing)[:10])
            + (" …" if len(missing) > 10 else "")
            + ": load prices for every holding before an analysis.",
        )
    # Target names without a price cannot be bought: dropped from the target, re-normalized.
    row = risk_model_latest()
    if row is None:
        raise AnalysisInputError(
            "risk model", "No risk model yet: platform staff build one before analyses can run."
        )
    model = risk_model_for(universe=universe, model=risk_model_load(row_id=row.pk))
    price_array = np.array([float(prices[s].close) if s in prices else 1.0 for s in ids])
    target_array = np.array([target.get(s, 0.0) if s in prices else 0.0 for s in ids])
    if target_array.sum() <= 0:
        raise AnalysisInputError("prices", "No name of the target has a price.")
    target_array = target_array / target_array.sum()
    lot_shares = household.shares[own].astype(float)
    lot_basis = household.basis_per_share[own].astype(float)
    lot_asset = household.lot_security[own].astype(np.int64)
    acquired = household.acquired_adjusted[own].astype(np.int64)
    client = account.client
    st_rate = float(client.short_term_rate) if client.short_term_rate is not None else None
    lt_rate = float(client.long_term_rate) if client.long_term_rate is not None else None
    loss_sale_until = np.asarray(household.recent_loss_sale_until, dtype=np.int64)
    buy_until = np.asarray(household.recent_buy_until, dtype=np.int64)
    last_loss_sale = np.where(loss_sale_until > 0, loss_sale_until - WASH_WINDOW_DAYS, NO_DAY)
    last_buy = np.where(buy_until > 0, buy_until - WASH_WINDOW_DAYS, NO_DAY)
    problem = RebalanceProblem(
        labels=tuple(universe.tickers),
        prices=price_array,
        target_weights=target_array,
        exposures=np.asarray(model.exposures, dtype=float),
        factor_covariance=np.asarray(model.factor_cov, dtype=float),
        specific_variance=np.asarray(model.specific_var, dtype=float),
        cash=float(account.cash_balance or 0),
        lot_ids=tuple(household.lot_public_ids[i] for i in own.tolist()),
        lot_asset=lot_asset,
        lot_shares=lot_shares,
        lot_basis_per_share=lot_basis,
        lot_is_long_term=np.asarray(household.is_long_term[own], dtype=bool),
        lot_days_held=(household.as_of - acquired).astype(np.int64),
        short_term_rate=st_rate if st_rate is not None else DEFAULT_SHORT_TERM_RATE,
        long_term_rate=lt_rate if lt_rate is not None else DEFAULT_LONG_TERM_RATE,
        buy_allowed=target_array > 0,
        risk_aversion=TRANSITION_RISK_AVERSION,
        forbid_buy_and_loss_sell=True,
    )
    digest = _digest(
        problem=problem,
        ids=ids,
        acquired=acquired,
        last_buy=last_buy,
        last_loss_sale=last_loss_sale,
        extra={
            "risk_model": [row.pk, row.created_at.isoformat() if row.created_at else ""],
            "filing_status": client.filing_status,
            "target_source": target_source,
            "strategy": account.strategy_id,
            "price_dates": sorted({prices[s].on.isoformat() for s in ids if s in prices}),
        },
    )
    return AccountSnapshot(
        problem=problem,
        lot_acquired=acquired,
        last_buy_day=last_buy.astype(np.int64),
        last_loss_sale_day=last_loss_sale.astype(np.int64),
        universe=universe,
        security_ids=tuple(ids),
        lot_public_ids=problem.lot_ids,
        filing_status=client.filing_status,
        as_of=as_of,
        target_source=target_source,
        strategy_kind=account.strategy.kind,
        digest=digest,
    )


def _digest(*, problem: RebalanceProblem, ids, acquired, last_buy, last_loss_sale, extra) -> str:
    """sha256 of the planner's input: arrays by bytes, the rest as sorted JSON."""
    h = hashlib.sha256()
    for array in (
        np.asarray(ids, dtype=np.int64),
        np.round(problem.prices, 6),
        np.round(problem.target_weights, 10),
        problem.lot_asset,
        np.round(problem.lot_shares, 6),
        np.round(problem.lot_basis_per_share, 6),
        np.asarray(acquired, dtype=np.int64),
        np.asarray(last_buy, dtype=np.int64),
        np.asarray(last_loss_sale, dtype=np.int64),
        np.round(problem.exposures, 10),
        np.round(problem.factor_covariance, 12),
        np.round(problem.specific_variance, 12),
    ):
        h.update(np.ascontiguousarray(array).tobytes())
        h.update(b"|")
    h.update(
        json.dumps(
            {
                **extra,
                "lots": list(problem.lot_ids),
                "cash": round(problem.cash, 2),
                "rates": [problem.short_term_rate, problem.long_term_rate],
            },
            sort_keys=True,
        ).encode()
    )
    return h.hexdigest()
