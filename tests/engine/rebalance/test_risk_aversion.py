"""Risk aversion trades tax for tracking error: a higher one never follows the target less
closely and never pays less tax. Checked on the engine, and independently by exhaustive search
over the lots' sale fractions of a tiny problem (no trading cost, so that the tax alone is the
other side of the trade-off)."""

from __future__ import annotations

import itertools
from dataclasses import replace

import numpy as np
import pytest

from pma_engine.rebalance import RebalanceProblem, rebalance_solve
from tests.engine.rebalance.helpers import account_random, equity, sigma_dense

LAMBDAS = (2.0, 20.0, 200.0)


def _tiny() -> RebalanceProblem:
    """A overweight (a long-term gain lot and a short-term loss lot), B underweight (a gain
    lot); only B may be bought, with the sales' proceeds. No trading cost."""
    return RebalanceProblem(
        labels=("A", "B"),
        prices=np.array([100.0, 50.0]),
        target_weights=np.array([0.4, 0.6]),
        exposures=np.array([[1.0], [0.8]]),
        factor_covariance=np.array([[0.04]]),
        specific_variance=np.array([0.09, 0.05]),
        cash=0.0,
        lot_ids=("A1", "A2", "B1"),
        lot_asset=np.array([0, 0, 1]),
        lot_shares=np.array([60.0, 20.0, 40.0]),
        lot_basis_per_share=np.array([40.0, 130.0, 30.0]),
        lot_is_long_term=np.array([True, False, True]),
        lot_days_held=np.array([900, 100, 800]),
        buy_allowed=np.array([False, True]),
    )


def _grid(problem: RebalanceProblem, fractions: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(tax, equity x TE^2) at each row of lot sale fractions, B bought at its exact best.

    With no fee the best buy of B minimizes TE^2 alone whatever the risk aversion:
    x = -e (a0' S)_B / S_BB, clipped to [0, proceeds]; so the set searched is the same for
    every risk aversion and the exhaustive answer is exact on it.
    """
    e = equity(problem)
    sigma = sigma_dense(problem)
    sell = fractions * problem.lot_shares
    price_lot = problem.prices[problem.lot_asset]
    gain = sell * (price_lot - problem.lot_basis_per_share)
    lt = problem.lot_is_long_term
    tax = problem.short_term_rate * gain[:, ~lt].sum(1) + problem.long_term_rate * gain[:, lt].sum(
        1
    )
    agg = np.zeros((problem.asset_count, problem.lot_count))
    agg[problem.lot_asset, np.arange(problem.lot_count)] = 1.0
    a = (problem.lot_shares - sell) @ agg.T * problem.prices / e - problem.target_weights
    x = np.clip(-e * (a @ sigma)[:, 1] / sigma[1, 1], 0.0, problem.cash + sell @ price_lot)
    a[:, 1] += x / e
    return tax, e * np.einsum("mi,ij,mj->m", a, sigma, a)


def _exhaustive(problem: RebalanceProblem, risk_aversion: float) -> tuple[float, float]:
    """(tax, TE) of the best grid point, zooming in around it three times."""
    lo, hi = np.zeros(3), np.ones(3)
    e = equity(problem)
    best = (np.inf, 0.0, 0.0)
    for _ in range(4):
        fractions = np.array(
            list(itertools.product(*[np.linspace(lo[i], hi[i], 41) for i in range(3)]))
        )
        tax, risk = _grid(problem, fractions)
        values = tax + risk_aversion * risk
        k = int(np.argmin(values))
        if values[k] < best[0]:
            best = (float(values[k]), float(tax[k]), float(np.sqrt(risk[k] / e)))
        width = (hi - lo) / 8
        lo, hi = np.clip(fractions[k] - width, 0, 1), np.clip(fractions[k] + width, 0, 1)
    return best[1], best[2]


def test_exhaustive_search_higher_risk_aversion_lower_te_higher_tax() -> None:
    problem = _tiny()
    answers = [_exhaustive(problem, lam) for lam in LAMBDAS]
    for (tax_lo, te_lo), (tax_hi, te_hi) in itertools.pairwise(answers):
        assert te_hi <= te_lo + 1e-9
        assert tax_hi >= tax_lo - 1e-9
    # the trade-off is live on this problem: the extremes differ by a measurable amount
    assert answers[-1][1] < answers[0][1] - 0.005
    assert answers[-1][0] > answers[0][0] + 50.0


@pytest.mark.parametrize("risk_aversion", LAMBDAS)
def test_engine_matches_the_exhaustive_search(risk_aversion: float) -> None:
    problem = replace(_tiny(), risk_aversion=risk_aversion)
    result = rebalance_solve(problem)
    assert result.status == "optimal"
    tax, te = _exhaustive(problem, risk_aversion)
    assert result.tracking_error == pytest.approx(te, abs=2e-4)
    assert result.tax == pytest.approx(tax, abs=0.5)


def test_engine_higher_risk_aversion_lower_te_higher_tax_on_the_tiny_problem() -> None:
    results = [rebalance_solve(replace(_tiny(), risk_aversion=lam)) for lam in LAMBDAS]
    assert all(r.status == "optimal" for r in results)
    for low, high in itertools.pairwise(results):
        assert high.tracking_error <= low.tracking_error + 1e-6
        assert high.tax >= low.tax - 1e-4
    assert results[-1].tracking_error < results[0].tracking_error - 0.005


@pytest.mark.parametrize("seed", [11, 12, 13, 14])
def test_engine_on_random_accounts_te_falls_and_tax_rises_with_risk_aversion(seed: int) -> None:
    """Same problem, two risk aversions (continuous shares, no fee, no wash guard: the solve
    is exact, so the exchange argument holds: TE(high) <= TE(low), tax(high) >= tax(low))."""
    base = account_random(seed, n_assets=8, n_lots=16, trading_cost_bps=0.0, gain_budget=2000.0)
    low = rebalance_solve(replace(base, risk_aversion=5.0))
    high = rebalance_solve(replace(base, risk_aversion=50.0))
    assert low.status == high.status == "optimal"
    scale = equity(base)
    assert high.tracking_error <= low.tracking_error + 1e-5
    assert high.tax >= low.tax - 1e-6 * scale
