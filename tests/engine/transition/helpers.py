"""Small problems for the planner's tests, built directly as arrays (no file, no Django)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

import numpy as np

from pma_engine.rebalance.types import RebalanceProblem
from pma_engine.tax.holding import is_long_term
from pma_engine.transition import Scenario, TransitionInput, scenario_parse


def problem_build(
    *,
    tickers: Sequence[str],
    prices: Sequence[float],
    target: Sequence[float],
    lots: Sequence[tuple[str, int, float, float, date]],  # (id, asset, shares, basis, acquired)
    as_of: date,
    cash: float = 0.0,
    exposures: np.ndarray | None = None,
    factor_covariance: np.ndarray | None = None,
    specific_variance: Sequence[float] | None = None,
    **extra: object,
) -> tuple[RebalanceProblem, np.ndarray]:
    n = len(tickers)
    b = np.zeros((n, 1)) if exposures is None else np.asarray(exposures, dtype=float)
    f = np.array([[0.04]]) if factor_covariance is None else np.asarray(factor_covariance)
    d = np.full(n, 0.04) if specific_variance is None else np.asarray(specific_variance, float)
    acquired = np.array([lot[4].toordinal() for lot in lots], dtype=np.int64)
    problem = RebalanceProblem(
        labels=tuple(tickers),
        prices=np.asarray(prices, dtype=float),
        target_weights=np.asarray(target, dtype=float),
        exposures=b,
        factor_covariance=f,
        specific_variance=d,
        cash=float(cash),
        lot_ids=tuple(lot[0] for lot in lots),
        lot_asset=np.array([lot[1] for lot in lots], dtype=np.int64),
        lot_shares=np.array([lot[2] for lot in lots], dtype=float),
        lot_basis_per_share=np.array([lot[3] for lot in lots], dtype=float),
        lot_is_long_term=np.array([is_long_term(lot[4], as_of) for lot in lots], dtype=bool),
        lot_days_held=np.array([(as_of - lot[4]).days for lot in lots], dtype=np.int64),
        **extra,  # type: ignore[arg-type]
    )
    return problem, acquired


def plan_input(
    problem: RebalanceProblem,
    acquired: np.ndarray,
    *,
    as_of: date,
    scenarios: Sequence[str | Scenario],
    years: int,
    **extra: object,
) -> TransitionInput:
    return TransitionInput(
        problem=problem,
        as_of=as_of,
        lot_acquired=acquired,
        scenarios=tuple(s if isinstance(s, Scenario) else scenario_parse(s) for s in scenarios),
        years=years,
        **extra,  # type: ignore[arg-type]
    )
