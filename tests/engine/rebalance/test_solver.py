"""Re-solves through RebalanceSolver, the wash guard, rounding, diagnosis and constraint costs."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from pma_engine.rebalance import RebalanceSolver, constraint_costs, rebalance_solve
from tests.engine.rebalance.helpers import account_random, equity


def test_resolve_with_new_prices_equals_fresh_solve() -> None:
    problem = account_random(11, n_assets=10, n_lots=30, gain_budget=300.0, max_turnover=0.5)
    solver = RebalanceSolver(problem)
    first = solver.solve(problem)
    rng = np.random.default_rng(5)
    for _ in range(3):
        moved = replace(problem, prices=problem.prices * rng.lognormal(0, 0.1, problem.asset_count))
        again = solver.solve(moved)
        fresh = rebalance_solve(moved)
        assert again.objective == pytest.approx(fresh.objective, rel=1e-6, abs=1e-6 * equity(moved))
        # the post-trade weights are unique (TE is strictly convex in them); lot choices among
        # lots of one name with equal tax cost need not be
        np.testing.assert_allclose(again.weights_after, fresh.weights_after, atol=1e-5)
        assert again.tax == pytest.approx(fresh.tax, rel=1e-4, abs=1e-3 * equity(moved) * 1e-3)
    assert first.ok
    assert solver.builds == 1  # one canonicalization for all four solves


def test_solver_reuses_slots_when_a_year_adds_a_lot_and_rebuilds_past_them() -> None:
    problem = account_random(12, n_assets=5, n_lots=12)
    solver = RebalanceSolver(problem, lot_headroom=1)
    solver.solve(problem)
    # next year: one new lot of asset 0 fits the spare slot
    grown = replace(
        problem,
        lot_ids=(*problem.lot_ids, "NEW1"),
        lot_asset=np.r_[problem.lot_asset, 0],
        lot_shares=np.r_[problem.lot_shares, 10.0],
        lot_basis_per_share=np.r_[problem.lot_basis_per_share, problem.prices[0]],
        lot_is_long_term=np.r_[problem.lot_is_long_term, False],
        lot_days_held=np.r_[problem.lot_days_held, 5],
    )
    assert solver.solve(grown).objective == pytest.approx(
        rebalance_solve(grown).objective, rel=1e-6
    )
    assert solver.builds == 1
    twice = replace(
        grown,
        lot_ids=(*grown.lot_ids, "NEW2"),
        lot_asset=np.r_[grown.lot_asset, 0],
        lot_shares=np.r_[grown.lot_shares, 10.0],
        lot_basis_per_share=np.r_[grown.lot_basis_per_share, problem.prices[0]],
        lot_is_long_term=np.r_[grown.lot_is_long_term, False],
        lot_days_held=np.r_[grown.lot_days_held, 5],
    )
    assert solver.solve(twice).ok
    assert solver.builds == 2


def _harvest_account():
    """Every name at a loss in one lot and under target elsewhere: the free optimum loss-sells
    and buys back the same names (a wash sale in every name)."""
    return account_random(21, n_assets=6, n_lots=12, risk_aversion=100.0, trading_cost_bps=1.0)


def test_wash_guard_removes_every_buy_and_loss_sale_pair() -> None:
    problem = _harvest_account()
    free = rebalance_solve(problem)
    assert free.wash_sale_flags, "the unguarded optimum loss-sells and rebuys (reported)"
    guarded = rebalance_solve(replace(problem, forbid_buy_and_loss_sell=True))
    assert guarded.ok and guarded.wash_sale_flags == ()
    # what the guard blocked is listed with its reason, for every group the free answer flagged
    assert guarded.wash_guard_blocks
    blocked = {flag.group for flag in guarded.wash_guard_blocks}
    assert {flag.group for flag in free.wash_sale_flags} <= blocked
    assert all("in this proposal" in flag.reason for flag in guarded.wash_guard_blocks)
    price_lot = problem.prices[problem.lot_asset]
    loss_assets = set(
        problem.lot_asset[(guarded.sell_shares > 0) & (price_lot < problem.lot_basis_per_share)]
    )
    assert not loss_assets & set(np.flatnonzero(guarded.buy_shares > 0))
    # the guard costs objective, never gains it
    assert guarded.objective >= free.objective - 1e-6


def test_share_classes_count_as_one_name() -> None:
    problem = _harvest_account()
    groups = np.zeros(problem.asset_count, dtype=np.int64)  # one company, six classes
    guarded = rebalance_solve(replace(problem, forbid_buy_and_loss_sell=True, name_group=groups))
    price_lot = problem.prices[problem.lot_asset]
    loss_sold = np.any((guarded.sell_shares > 0) & (price_lot < problem.lot_basis_per_share))
    assert not (loss_sold and np.any(guarded.buy_shares > 0))


def test_whole_shares_keep_constraints_and_report_rounding_cost() -> None:
    problem = account_random(31, n_assets=8, n_lots=20, gain_budget=100.0, whole_shares=True)
    result = rebalance_solve(problem)
    assert np.allclose(result.buy_shares, np.round(result.buy_shares))
    assert result.cash_after >= -1e-9
    assert result.realized_net <= 100.0 + 1e-9
    assert result.rounding_te_cost == pytest.approx(
        result.tracking_error - result.continuous_tracking_error
    )


def test_withdrawal_larger_than_the_account_is_explained() -> None:
    problem = account_random(41)
    result = rebalance_solve(replace(problem, withdrawal=2 * equity(problem)))
    assert result.status == "infeasible"
    assert "withdrawal" in result.conflict
    assert np.all(result.sell_shares == 0) and np.all(result.buy_shares == 0)


def test_withdrawal_is_raised() -> None:
    problem = account_random(42, gain_budget=0.0)
    amount = 0.2 * equity(problem)
    result = rebalance_solve(replace(problem, withdrawal=amount))
    assert result.ok
    assert result.cash_after >= -1e-6
    assert result.gross_sells >= amount - problem.cash - 1e-6


def test_constraint_costs_name_the_binding_budget() -> None:
    problem = account_random(51, n_assets=6, n_lots=12, gain_budget=0.0, risk_aversion=100.0)
    problem = replace(problem, lot_basis_per_share=problem.prices[problem.lot_asset] * 0.5)
    result = rebalance_solve(problem)
    costs = {c.name: c for c in constraint_costs(problem, result)}
    assert "gain_budget" in costs
    cost = costs["gain_budget"]
    assert cost.tracking_error_relaxed < cost.tracking_error
    assert cost.tax_relaxed > cost.tax
    assert "zero gain budget keeps tracking error at" in cost.description


def test_constraint_costs_state_the_tax_netted_as_schedule_d_does() -> None:
    """A short-term loss offsets long-term gains first: worked by hand from the nets."""
    problem = account_random(51, n_assets=6, n_lots=12, gain_budget=0.0, risk_aversion=100.0)
    ratio = np.where(problem.lot_is_long_term, 0.5, 1.3)  # LT gains, ST losses
    problem = replace(problem, lot_basis_per_share=problem.prices[problem.lot_asset] * ratio)
    result = rebalance_solve(problem)
    costs = constraint_costs(problem, result)
    assert costs
    for cost in costs:
        relaxed = rebalance_solve(replace(problem, gain_budget=None))
        st, lt = relaxed.realized_st, relaxed.realized_lt
        if st < 0 < lt:
            by_hand = max(lt + st, 0.0) * problem.long_term_rate
        elif lt < 0 < st:
            by_hand = max(st + lt, 0.0) * problem.short_term_rate
        else:
            by_hand = max(st, 0.0) * problem.short_term_rate + max(lt, 0.0) * problem.long_term_rate
        assert cost.tax_relaxed == pytest.approx(by_hand, abs=0.01)
        assert f"instead of ${by_hand:,.0f}" in cost.description
        assert st < 0 < lt  # the case where netting and the linear estimate differ
        linear = st * problem.short_term_rate + lt * problem.long_term_rate
        assert by_hand - linear > 1.0


def test_direct_engine_solver_matches_cvxpy_solver() -> None:
    problem = account_random(13, n_assets=8, n_lots=20, gain_budget=100.0)
    direct = RebalanceSolver(problem, engine="direct")
    assert direct.builds == 0
    a, b = direct.solve(problem), RebalanceSolver(problem).solve(problem)
    assert a.objective == pytest.approx(b.objective, rel=1e-6, abs=1e-6 * equity(problem))


def test_optimizer_pays_less_tax_than_selling_everything_at_equal_tracking_error() -> None:
    """Selling every lot and buying the target is the naive way to reach the target; at the
    same tracking error the optimizer pays no more tax (here: much less)."""
    problem = account_random(61, n_assets=8, n_lots=30, risk_aversion=1.0)
    problem = replace(problem, lot_basis_per_share=problem.lot_basis_per_share * 0.6)  # gains
    sell_all = problem.lot_shares.copy()
    e = equity(problem)
    fee = problem.trading_cost_bps / 1e4
    investable = (problem.cash + sell_all @ problem.prices[problem.lot_asset] * (1 - fee)) / (
        1 + fee
    )
    buy_all = problem.target_weights * investable / problem.prices
    naive = problem.lot_shares @ (problem.prices[problem.lot_asset] - problem.lot_basis_per_share)
    rates = np.where(problem.lot_is_long_term, problem.long_term_rate, problem.short_term_rate)
    naive_tax = float(
        (rates * problem.lot_shares)
        @ (problem.prices[problem.lot_asset] - problem.lot_basis_per_share)
    )
    held_after = buy_all * problem.prices / e - problem.target_weights
    sigma = problem.exposures @ problem.factor_covariance @ problem.exposures.T + np.diag(
        problem.specific_variance
    )
    naive_te = float(np.sqrt(held_after @ sigma @ held_after))
    result = rebalance_solve(replace(problem, te_max=max(naive_te, 1e-4) * 1.01))
    assert result.ok
    assert result.tracking_error <= max(naive_te, 1e-4) * 1.01 + 1e-9
    assert result.tax < naive_tax
    assert naive > 0  # the account does hold net gains


def test_loss_below_the_threshold_is_not_harvested() -> None:
    problem = account_random(71, n_assets=4, n_lots=8, risk_aversion=1000.0, trading_cost_bps=1.0)
    price_lot = problem.prices[problem.lot_asset]
    basis = price_lot * 1.03  # every lot 3 % under water, target = holdings: only tax moves it
    held = np.bincount(
        problem.lot_asset,
        weights=problem.lot_shares * problem.prices[problem.lot_asset],
        minlength=4,
    )
    target = held / held.sum()
    base = replace(problem, lot_basis_per_share=basis, target_weights=target, cash=0.0)
    assert rebalance_solve(base).harvested_losses > 0
    kept = rebalance_solve(replace(base, loss_harvest_min_fraction=0.05))
    assert kept.harvested_losses == pytest.approx(0.0, abs=1e-6)


def test_scs_answers_when_clarabel_fails(monkeypatch: pytest.MonkeyPatch) -> None:
    from pma_engine.rebalance import solve as solve_module
    from pma_engine.rebalance.formulation import ContinuousAnswer

    problem = account_random(81, n_assets=6, n_lots=12, gain_budget=100.0)
    expected = rebalance_solve(problem)

    def broken(problem, inputs, root):  # Clarabel "fails": numerical error
        return ContinuousAnswer(
            "solver_error", np.zeros(problem.lot_count), np.zeros(problem.asset_count),
            "CLARABEL", 0.0, np.inf, np.nan,
        )  # fmt: skip

    monkeypatch.setattr(solve_module, "direct_solve", broken)
    result = rebalance_solve(problem)
    assert result.ok and result.solver == "SCS"
    assert any("solved again with SCS" in m for m in result.messages)
    assert result.objective == pytest.approx(
        expected.objective, rel=1e-4, abs=1e-4 * equity(problem)
    )
    assert result.realized_net <= 100.0 + 1e-6
