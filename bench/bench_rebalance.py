"""Benchmarks of the rebalancing engine (no Django): 500 names x 2,000 / 10,000 lots, re-solves,
overhead, and a ten-year monthly tax-loss-harvesting backtest on a synthetic 500-name target.

Baselines are measured in the same run: the same problem with a dense n x n covariance (cvxpy,
Clarabel), and for re-solves a fresh solve.
"""

from __future__ import annotations

import time
from dataclasses import replace
from typing import Any

import cvxpy as cp
import numpy as np
import scipy.sparse as sp

from pma_engine.rebalance import RebalanceProblem, RebalanceSolver, rebalance_solve
from pma_engine.rebalance.synthetic import cap_weights, problem_synthetic, risk_model_synthetic

N_FACTORS = 30


def _median(func, runs: int) -> tuple[float, Any]:
    timings, result = [], None
    for _ in range(runs):
        started = time.perf_counter()
        result = func()
        timings.append(time.perf_counter() - started)
    return float(np.median(timings)), result


def _dense_solve(problem: RebalanceProblem) -> float:
    """The same QP with Sigma = B F B' + D as one dense n x n matrix (cvxpy + Clarabel)."""
    e = problem.cash + float(problem.lot_shares @ problem.prices[problem.lot_asset])
    price_lot = problem.prices[problem.lot_asset]
    value = problem.lot_shares * price_lot / e
    gain = problem.lot_shares * (price_lot - problem.lot_basis_per_share) / e
    rate = np.where(problem.lot_is_long_term, problem.long_term_rate, problem.short_term_rate)
    fee = problem.trading_cost_bps / 1e4
    n, n_lots = problem.asset_count, problem.lot_count
    agg = sp.csr_matrix((value, (problem.lot_asset, np.arange(n_lots))), shape=(n, n_lots))
    held = np.asarray(agg.sum(axis=1)).ravel()
    sigma = problem.exposures @ problem.factor_covariance @ problem.exposures.T + np.diag(
        problem.specific_variance
    )
    s, b, a = cp.Variable(n_lots), cp.Variable(n), cp.Variable(n)
    cons = [
        s >= 0,
        s <= 1,
        b >= 0,
        a == held - problem.target_weights + b - agg @ s,
        (1 - fee) * cp.sum(agg @ s) - (1 + fee) * cp.sum(b) >= -problem.cash / e,
    ]
    if problem.gain_budget is not None:
        cons.append(gain @ s <= problem.gain_budget / e)
    objective = 1e4 * (
        (rate * gain + fee * value) @ s
        + fee * cp.sum(b)
        + problem.risk_aversion * cp.quad_form(a, cp.psd_wrap(sigma))
    )
    prob = cp.Problem(cp.Minimize(objective), cons)
    prob.solve(solver="CLARABEL")
    assert prob.status == "optimal", prob.status
    return float(prob.solver_stats.solve_time or 0.0)


def _size_bench(n_lots: int, runs: int) -> tuple[dict[str, Any], float]:
    problem = problem_synthetic(n_lots=n_lots, n_factors=N_FACTORS, gain_budget=25_000.0)
    seconds, result = _median(lambda: rebalance_solve(problem), runs)
    dense_seconds, dense_solver = _median(lambda: _dense_solve(problem), max(2, runs // 2))
    ratio = seconds / result.solve_seconds
    row = {
        "value": seconds,
        "unit": "s",
        "baseline": dense_seconds,
        "ratio": seconds / dense_seconds,
        "detail": (
            f"500 names x {n_lots:,} lots x {N_FACTORS} factors, $5M, gain budget $25k, whole "
            f"shares; end-to-end (validate, presolve, build, solve, round) median of {runs}; "
            f"Clarabel {result.solve_seconds:.3f} s; status {result.status}, TE "
            f"{result.tracking_error_before:.2%} -> {result.tracking_error:.2%}, "
            f"{result.trade_count} trades; baseline: dense n x n covariance (cvxpy, Clarabel "
            f"{dense_solver:.3f} s inside the solver)"
        ),
    }
    return row, ratio


def bench_rebalance() -> dict[str, dict[str, Any]]:
    out: dict[str, dict[str, Any]] = {}
    out["rebalance_500x2000_s"], _ = _size_bench(2000, runs=5)
    row, overhead = _size_bench(10_000, runs=5)
    out["rebalance_500x10000_s"] = row
    out["rebalance_overhead_ratio"] = {
        "value": overhead,
        "unit": "x",
        "baseline": None,
        "ratio": None,
        "detail": "end-to-end over Clarabel's own time, 500 x 10,000 lots (goal < 2)",
    }
    problem = problem_synthetic(n_lots=10_000, n_factors=N_FACTORS, gain_budget=25_000.0)
    rng = np.random.default_rng(3)
    started = time.perf_counter()
    solver = RebalanceSolver(problem)
    solver.solve(problem)
    first = time.perf_counter() - started
    moves = [problem.prices * rng.lognormal(0.0, 0.03, problem.asset_count) for _ in range(5)]
    timings, fresh = [], []
    for prices in moves:
        moved = replace(problem, prices=prices)
        t0 = time.perf_counter()
        solver.solve(moved)
        timings.append(time.perf_counter() - t0)
        t0 = time.perf_counter()
        rebalance_solve(moved)
        fresh.append(time.perf_counter() - t0)
    out["rebalance_resolve_s"] = {
        "value": float(np.median(timings)),
        "unit": "s",
        "baseline": float(np.median(fresh)),
        "ratio": float(np.median(timings) / np.median(fresh)),
        "detail": (
            f"500 x 10,000 lots re-solved with new prices through RebalanceSolver (cvxpy DPP, "
            f"{solver.builds} build; first solve with canonicalization {first:.2f} s); median "
            "of 5; baseline: a fresh solve (direct Clarabel assembly)"
        ),
    }
    out.update(_tlh_backtest())
    return out


def _tlh_backtest(years: int = 10, n_assets: int = 500, seed: int = 7) -> dict[str, dict]:
    """Monthly harvesting from a fresh $1M deposit into a cap-weighted 500-name target."""
    rng = np.random.default_rng(seed)
    exposures, factor_cov, specific = risk_model_synthetic(n_assets, 15, rng)
    target = cap_weights(n_assets, rng)
    prices = rng.uniform(20.0, 400.0, n_assets)
    # monthly returns from the same model: 7 %/yr drift, the model's covariance
    chol = np.linalg.cholesky(factor_cov / 12)
    lot_asset = np.zeros(0, dtype=np.int64)
    lot_shares = np.zeros(0)
    lot_basis = np.zeros(0)
    lot_month = np.zeros(0, dtype=np.int64)
    cash = 1_000_000.0
    harvested, values, te, turnover, seconds = [], [], [], [], []
    bought_last = np.zeros(n_assets, dtype=bool)
    loss_sold_last = np.zeros(n_assets, dtype=bool)
    for month in range(years * 12):
        if month:
            factor_ret = chol @ rng.normal(size=15)
            ret = (
                0.07 / 12
                + exposures @ factor_ret
                + rng.normal(size=n_assets) * np.sqrt(specific / 12)
            )
            prices = prices * np.exp(ret - 0.5 * (specific + 0.02) / 12)
        age = month - lot_month
        problem = RebalanceProblem(
            labels=tuple(f"S{i:03d}" for i in range(n_assets)),
            prices=prices,
            target_weights=target,
            exposures=exposures,
            factor_covariance=factor_cov,
            specific_variance=specific,
            cash=cash,
            lot_ids=tuple(str(i) for i in range(len(lot_asset))),
            lot_asset=lot_asset,
            lot_shares=lot_shares,
            lot_basis_per_share=lot_basis,
            lot_is_long_term=age > 12,
            lot_days_held=age * 30,
            gain_budget=0.0,
            trading_cost_bps=2.0,
            risk_aversion=20.0,
            # wash guard: no buy of a name loss-sold last month, no loss sale of one bought then
            buy_allowed=~loss_sold_last,
            lot_sell_max=np.where(
                bought_last[lot_asset] & (prices[lot_asset] < lot_basis), 0.0, lot_shares
            ),
            forbid_buy_and_loss_sell=True,
            loss_harvest_min_fraction=0.05,
        )
        result = rebalance_solve(problem)
        assert result.ok, result.conflict
        seconds.append(result.seconds)
        equity = result.equity_before
        values.append(equity)
        harvested.append(result.harvested_losses)
        te.append(result.tracking_error)
        turnover.append(result.turnover)
        sell, buy = result.sell_shares, result.buy_shares
        loss = (sell > 0) & (prices[lot_asset] < lot_basis)
        loss_sold_last = np.isin(np.arange(n_assets), lot_asset[loss])
        bought_last = buy > 0
        lot_shares = lot_shares - sell
        keep = lot_shares > 1e-9
        new = np.flatnonzero(buy > 0)
        lot_asset = np.r_[lot_asset[keep], new].astype(np.int64)
        lot_shares = np.r_[lot_shares[keep], buy[new]]
        lot_basis = np.r_[lot_basis[keep], prices[new]]
        lot_month = np.r_[lot_month[keep], np.full(len(new), month)].astype(np.int64)
        cash = result.cash_after
    value = np.asarray(values)
    harvested_pct = np.asarray(harvested) / value
    per_year = [harvested_pct[y * 12 : (y + 1) * 12].sum() for y in range(years)]
    avg = float(np.mean(per_year))
    tax_alpha = avg * 0.238
    return {
        "tlh_backtest": {
            "value": avg * 100,
            "unit": "%/yr",
            "baseline": None,
            "ratio": None,
            "detail": (
                f"harvested losses per year as % of value, 10 years monthly, 500-name "
                f"cap-weighted synthetic target, $1M fresh deposit, zero gain budget, 5 % loss "
                f"threshold, 30-day guard; by year {', '.join(f'{x:.1%}' for x in per_year)}; "
                f"tax value ~{tax_alpha:.2%}/yr at 23.8 % (LT), ~{avg * 0.408:.2%}/yr at 40.8 % "
                f"(losses offsetting ST gains elsewhere); published 0.5-2.3 %/yr. Mean TE "
                f"{np.mean(te):.2%} (a zero gain budget sells gains only against harvested "
                "losses, so drift stays), "
                f"turnover {np.mean(turnover[1:]) * 12:.0%}/yr after the deposit, "
                f"{len(lot_asset)} lots at the end, median solve {np.median(seconds):.2f} s. "
                "We land at the low end: one deposit and no later cash to invest at new prices, "
                "a 5 % threshold, 30-day blocks at a monthly step; harvests come in drawdowns "
                "and fade as the basis falls below the price. Synthetic: market vol 16 %, "
                "specific vols 15-35 %, 7 %/yr drift, no dividends, no mean reversion"
            ),
        }
    }
