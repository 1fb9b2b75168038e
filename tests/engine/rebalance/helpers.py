"""Small random accounts and independent reference answers for the rebalance tests."""

from __future__ import annotations

from dataclasses import replace

import cvxpy as cp
import numpy as np

from pma_engine.rebalance import RebalanceProblem


def account_random(
    seed: int,
    *,
    n_assets: int = 6,
    n_lots: int = 10,
    n_factors: int = 2,
    gain_budget: float | None = None,
    **changes: object,
) -> RebalanceProblem:
    """A small account with gains and losses, short and long term, drifted from its target."""
    rng = np.random.default_rng(seed)
    prices = rng.uniform(10.0, 200.0, n_assets)
    exposures = np.c_[
        rng.normal(1.0, 0.3, n_assets), rng.normal(0.0, 1.0, (n_assets, n_factors - 1))
    ]
    vols = np.r_[0.16, np.full(n_factors - 1, 0.05)]
    factor_cov = np.diag(vols**2)
    specific = rng.uniform(0.15, 0.4, n_assets) ** 2
    target = rng.dirichlet(np.ones(n_assets))
    lot_asset = np.sort(rng.integers(0, n_assets, n_lots))
    lot_shares = np.round(rng.uniform(5, 200, n_lots), 1)
    basis = prices[lot_asset] * rng.uniform(0.5, 1.6, n_lots)
    days = rng.integers(10, 2000, n_lots)
    return replace(
        RebalanceProblem(
            labels=tuple(f"T{i}" for i in range(n_assets)),
            prices=prices,
            target_weights=target,
            exposures=exposures,
            factor_covariance=factor_cov,
            specific_variance=specific,
            cash=float(rng.uniform(0, 3000)),
            lot_ids=tuple(f"L{i}" for i in range(n_lots)),
            lot_asset=lot_asset.astype(np.int64),
            lot_shares=lot_shares,
            lot_basis_per_share=basis,
            lot_is_long_term=days > 365,
            lot_days_held=days.astype(np.int64),
            gain_budget=gain_budget,
            trading_cost_bps=5.0,
            risk_aversion=float(rng.choice([1.0, 10.0, 100.0])),
        ),
        **changes,
    )


def sigma_dense(problem: RebalanceProblem) -> np.ndarray:
    b = problem.exposures
    return b @ problem.factor_covariance @ b.T + np.diag(problem.specific_variance)


def equity(problem: RebalanceProblem) -> float:
    return float(problem.cash + problem.lot_shares @ problem.prices[problem.lot_asset])


def objective_of(problem: RebalanceProblem, sell: np.ndarray, buy: np.ndarray) -> float:
    """The stated objective in dollars, with the dense covariance (independent of the engine)."""
    e = equity(problem)
    price_lot = problem.prices[problem.lot_asset]
    gain = sell * (price_lot - problem.lot_basis_per_share)
    lt = problem.lot_is_long_term
    tax = problem.short_term_rate * gain[~lt].sum() + problem.long_term_rate * gain[lt].sum()
    fees = problem.trading_cost_bps / 1e4 * (sell @ price_lot + buy @ problem.prices)
    held = np.zeros(problem.asset_count)
    np.add.at(held, problem.lot_asset, problem.lot_shares - sell)
    a = (held + buy) * problem.prices / e - problem.target_weights
    return float(
        problem.tax_weight * tax + fees + problem.risk_aversion * e * a @ sigma_dense(problem) @ a
    )


def dense_reference(
    problem: RebalanceProblem, *, least_tracking_error: bool = False
) -> tuple[float, np.ndarray, np.ndarray]:
    """The problem in shares with the n x n covariance (cvxpy + Clarabel): objective, sell, buy.
    least_tracking_error: minimize equity x TE^2 alone under the same constraints instead."""
    e = equity(problem)
    price_lot = problem.prices[problem.lot_asset]
    n, n_lots = problem.asset_count, problem.lot_count
    sell = cp.Variable(n_lots)
    buy = cp.Variable(n)
    agg = np.zeros((n, n_lots))
    agg[problem.lot_asset, np.arange(n_lots)] = 1.0
    held = agg @ problem.lot_shares
    a = cp.multiply(held + buy - agg @ sell, problem.prices / e) - problem.target_weights
    gain_ps = price_lot - problem.lot_basis_per_share
    rate = np.where(problem.lot_is_long_term, problem.long_term_rate, problem.short_term_rate)
    fee = problem.trading_cost_bps / 1e4
    gross = price_lot @ sell + problem.prices @ buy
    sigma = sigma_dense(problem)
    objective = (
        problem.tax_weight * (rate * gain_ps) @ sell
        + fee * gross
        + problem.risk_aversion * e * cp.quad_form(a, cp.psd_wrap(sigma))
    )
    cap = (
        problem.lot_shares
        if problem.lot_sell_max is None
        else np.minimum(problem.lot_sell_max, problem.lot_shares)
    )
    cons = [sell >= 0, sell <= cap, buy >= 0]
    if problem.buy_allowed is not None:
        cons.append(buy[~problem.buy_allowed] == 0)
    cash_after = (
        problem.cash + price_lot @ sell - problem.prices @ buy - fee * gross - problem.withdrawal
    )
    cons.append(cash_after >= problem.cash_target)
    if problem.gain_budget is not None:
        cons.append(gain_ps @ sell <= problem.gain_budget)
    if problem.tax_budget is not None:
        cons.append((rate * gain_ps) @ sell <= problem.tax_budget)
    if problem.max_turnover is not None:
        cons.append(gross <= problem.max_turnover * e)
    if problem.te_max is not None:
        cons.append(cp.quad_form(a, cp.psd_wrap(sigma)) <= problem.te_max**2)
    if least_tracking_error:  # in dollars, so that the solver sees a well-scaled objective
        objective = e * cp.quad_form(a, cp.psd_wrap(sigma))
    prob = cp.Problem(cp.Minimize(objective), cons)
    prob.solve(solver="CLARABEL")
    assert prob.status == "optimal", prob.status
    return float(prob.value), np.asarray(sell.value), np.asarray(buy.value)
