"""Customized target: exclusions re-weighted for least tracking error (pma_engine.target).

Expected numbers come from hand-worked formulas, KKT linear solves with numpy, grid search and
dense covariances, never from the optimizer itself.
"""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pma_engine.target import (
    TargetInfeasibleError,
    TargetSolveError,
    exclusion_costs,
    target_optimize,
    target_pro_rata,
)


def dense_cov(exposures: np.ndarray, factor_cov: np.ndarray, specific_var: np.ndarray):
    return exposures @ factor_cov @ exposures.T + np.diag(specific_var)


def dense_te(active: np.ndarray, cov: np.ndarray) -> float:
    return float(np.sqrt(active @ cov @ active))


# Two sectors of three names, equal weighted; market factor plus one factor per sector.
SECTOR_EXPOSURES = np.array(
    [[1, 1, 0], [1, 1, 0], [1, 1, 0], [1, 0, 1], [1, 0, 1], [1, 0, 1]], dtype=float
)
MARKET_VAR, SECTOR_VAR, SPECIFIC_VAR = 0.16**2, 0.08**2, 0.20**2
SECTOR_FACTOR_COV = np.diag([MARKET_VAR, SECTOR_VAR, SECTOR_VAR])
SECTOR_SPECIFIC = np.full(6, SPECIFIC_VAR)
SECTOR_BENCHMARK = np.full(6, 1 / 6)


def sector_model_kwargs() -> dict[str, np.ndarray]:
    return {
        "benchmark_weights": SECTOR_BENCHMARK,
        "exposures": SECTOR_EXPOSURES,
        "factor_cov": SECTOR_FACTOR_COV,
        "specific_var": SECTOR_SPECIFIC,
    }


def sector_variance_by_hand(x: float) -> float:
    """Active variance when name 3 (sector 1) is out, the other two of sector 1 hold x each and
    the three of sector 2 hold (1 - 2x)/3 each. Market exposure of the active weights is 0;
    sector exposures are +-(2x - 1/2)."""
    sector_exposure = 2 * x - 0.5
    factor_part = 2 * SECTOR_VAR * sector_exposure**2
    sector_two_gap = (1 - 4 * x) / 6  # (1 - 2x)/3 - 1/6
    specific_part = SPECIFIC_VAR * (2 * (x - 1 / 6) ** 2 + (1 / 6) ** 2 + 3 * sector_two_gap**2)
    return factor_part + specific_part


# dV/dx = 0 worked by hand: 16 s2 x - 4 s2 + (20/3) D x - (4/3) D = 0
SECTOR_OPTIMAL_X = (4 * SECTOR_VAR + 4 / 3 * SPECIFIC_VAR) / (
    16 * SECTOR_VAR + 20 / 3 * SPECIFIC_VAR
)


def test_pro_rata_scales_remaining_names_up():
    weights = target_pro_rata(np.array([0.5, 0.3, 0.2]), np.array([False, False, True]))
    np.testing.assert_allclose(weights, [0.625, 0.375, 0.0], atol=1e-15)


def test_pro_rata_with_everything_excluded_raises():
    with pytest.raises(TargetInfeasibleError):
        target_pro_rata(np.array([0.5, 0.5, 0.0]), np.array([True, True, False]))


def test_sector_model_shifts_weight_to_the_same_sector():
    excluded = np.array([False, False, True, False, False, False])
    result = target_optimize(excluded=excluded, **sector_model_kwargs())

    assert 0.2 < SECTOR_OPTIMAL_X < 0.25  # premise: strictly between pro rata and sector-neutral
    x, y = SECTOR_OPTIMAL_X, (1 - 2 * SECTOR_OPTIMAL_X) / 3
    np.testing.assert_allclose(result.weights, [x, x, 0.0, y, y, y], atol=1e-7)
    assert result.tracking_error == pytest.approx(np.sqrt(sector_variance_by_hand(x)), rel=1e-7)
    assert result.pro_rata_tracking_error == pytest.approx(
        np.sqrt(sector_variance_by_hand(0.2)), rel=1e-12
    )
    assert result.tracking_error < result.pro_rata_tracking_error - 1e-4
    assert result.solver == "CLARABEL" and result.status == "optimal"
    assert result.iterations is not None and result.iterations > 0
    assert result.max_residual <= 1e-6


def kkt_equality_qp(cov: np.ndarray, benchmark: np.ndarray, allowed: np.ndarray) -> np.ndarray:
    """min (w-b)'S(w-b) s.t. sum w = 1, w[~allowed] = 0, ignoring w >= 0: one linear solve."""
    kept, out = np.flatnonzero(allowed), np.flatnonzero(~allowed)
    size = kept.size
    system = np.zeros((size + 1, size + 1))
    system[:size, :size] = 2 * cov[np.ix_(kept, kept)]
    system[:size, size] = 1.0
    system[size, :size] = 1.0
    rhs = np.zeros(size + 1)
    # gradient 2 S_AA (w_A - b_A) - 2 S_AE b_E + lambda = 0
    rhs[:size] = (
        2 * cov[np.ix_(kept, kept)] @ benchmark[kept]
        + 2 * cov[np.ix_(kept, out)] @ (benchmark[out])
    )
    rhs[size] = 1.0
    weights = np.zeros(benchmark.size)
    weights[kept] = np.linalg.solve(system, rhs)[:size]
    return weights


def test_four_names_one_exclusion_matches_kkt_and_grid_search():
    exposures = np.array([[1.0, 0.8], [1.1, -0.3], [0.9, 0.5], [1.0, 0.1]])
    factor_cov = np.array([[0.03, 0.004], [0.004, 0.01]])
    specific = np.array([0.05, 0.03, 0.08, 0.04])
    benchmark = np.array([0.3, 0.25, 0.25, 0.2])
    excluded = np.array([True, False, False, False])
    cov = dense_cov(exposures, factor_cov, specific)

    expected = kkt_equality_qp(cov, benchmark, ~excluded)
    assert np.all(expected[1:] > 0.01)  # premise: w >= 0 not binding, so KKT is the optimum

    # Independent cross-check of the KKT answer: a grid over the simplex of names 2-4.
    steps = 400
    grid = np.array(
        [(i, j, steps - i - j) for i in range(steps + 1) for j in range(steps + 1 - i)], float
    )
    active = np.column_stack([np.zeros(len(grid)), grid / steps]) - benchmark
    variances = np.einsum("ij,jk,ik->i", active, cov, active)
    grid_best = np.concatenate([[0.0], grid[np.argmin(variances)] / steps])
    np.testing.assert_allclose(grid_best, expected, atol=1.5 / steps)

    result = target_optimize(
        benchmark_weights=benchmark,
        excluded=excluded,
        exposures=exposures,
        factor_cov=factor_cov,
        specific_var=specific,
    )
    np.testing.assert_allclose(result.weights, expected, atol=1e-6)
    assert result.tracking_error == pytest.approx(dense_te(expected - benchmark, cov), rel=1e-6)
    assert result.tracking_error**2 <= variances.min() + 1e-12


def test_three_names_with_binding_non_negativity_matches_clipped_line_search():
    # Excluded name 3 has beta 3: replacing its market exposure wants more than 100% in name 1
    # (beta 1) and a short position in name 2 (beta 0.2), so w_2 >= 0 binds.
    exposures = np.array([[1.0], [0.2], [3.0]])
    factor_cov = np.array([[0.09]])
    specific = np.full(3, 0.005)
    benchmark = np.array([0.5, 0.3, 0.2])
    excluded = np.array([False, False, True])
    cov = dense_cov(exposures, factor_cov, specific)

    # On the line w = (t, 1 - t, 0): V(t) = (d + t e)'S(d + t e), minimized at -e'Sd / e'Se.
    direction = np.array([1.0, -1.0, 0.0])
    start_gap = np.array([0.0, 1.0, 0.0]) - benchmark
    unconstrained_t = -(direction @ cov @ start_gap) / (direction @ cov @ direction)
    assert unconstrained_t > 1.05  # premise: the bound w_2 >= 0 binds
    expected = np.array([1.0, 0.0, 0.0])

    result = target_optimize(
        benchmark_weights=benchmark,
        excluded=excluded,
        exposures=exposures,
        factor_cov=factor_cov,
        specific_var=specific,
    )
    np.testing.assert_allclose(result.weights, expected, atol=1e-6)
    assert result.weights[2] == 0.0
    # Being at a bound, the optimum beats the (infeasible) interior point's neighbourhood:
    assert result.tracking_error < result.pro_rata_tracking_error


def random_factor_model(rng: np.random.Generator, name_count: int, factor_count: int):
    exposures = rng.normal(0.0, 1.0, (name_count, factor_count))
    exposures[:, 0] = 1.0 + 0.3 * rng.normal(size=name_count)  # a market factor
    root = rng.normal(0.0, 0.1, (factor_count, factor_count))
    factor_cov = root @ root.T + np.diag(rng.uniform(0.001, 0.02, factor_count))
    specific = rng.uniform(0.01, 0.16, name_count)
    return exposures, factor_cov, specific


def optimality_gaps(
    weights: np.ndarray, benchmark: np.ndarray, cov: np.ndarray, allowed: np.ndarray
) -> tuple[float, float]:
    """KKT check with the dense covariance: held names share one marginal risk, allowed names at
    zero have no lower marginal risk. Returns (spread among held, worst undercut by a zero)."""
    gradient = 2 * cov @ (weights - benchmark)
    held = allowed & (weights > 1e-6)
    level = float(np.median(gradient[held]))
    spread = float(np.max(np.abs(gradient[held] - level)))
    zeros = allowed & (weights <= 1e-6)
    undercut = float(np.max(level - gradient[zeros], initial=0.0))
    return spread, undercut


def test_larger_model_is_kkt_optimal_and_te_matches_dense_covariance():
    rng = np.random.default_rng(7)
    exposures, factor_cov, specific = random_factor_model(rng, 80, 6)
    benchmark = rng.dirichlet(np.ones(80))
    excluded = rng.random(80) < 0.25
    cov = dense_cov(exposures, factor_cov, specific)

    result = target_optimize(
        benchmark_weights=benchmark,
        excluded=excluded,
        exposures=exposures,
        factor_cov=factor_cov,
        specific_var=specific,
    )
    assert result.tracking_error == pytest.approx(
        dense_te(result.weights - benchmark, cov), rel=1e-10
    )
    pro_rata = target_pro_rata(benchmark, excluded)
    assert result.pro_rata_tracking_error == pytest.approx(
        dense_te(pro_rata - benchmark, cov), rel=1e-10
    )
    spread, undercut = optimality_gaps(result.weights, benchmark, cov, ~excluded)
    assert spread < 1e-6 and undercut < 1e-6


@settings(max_examples=40, deadline=None)
@given(
    seed=st.integers(0, 2**32 - 1),
    name_count=st.integers(2, 12),
    factor_count=st.integers(1, 3),
    exclusion_rate=st.floats(0.0, 0.9),
    unheld_rate=st.floats(0.0, 0.5),
)
def test_property_target_is_clean_and_never_worse_than_pro_rata(
    seed, name_count, factor_count, exclusion_rate, unheld_rate
):
    rng = np.random.default_rng(seed)
    exposures, factor_cov, specific = random_factor_model(rng, name_count, factor_count)
    benchmark = rng.dirichlet(np.ones(name_count))
    benchmark[rng.random(name_count) < unheld_rate] = 0.0
    if benchmark.sum() == 0:
        benchmark[0] = 1.0
    benchmark /= benchmark.sum()
    excluded = rng.random(name_count) < exclusion_rate
    kwargs = {
        "benchmark_weights": benchmark,
        "excluded": excluded,
        "exposures": exposures,
        "factor_cov": factor_cov,
        "specific_var": specific,
    }
    allowed = (benchmark > 0) & ~excluded
    if not allowed.any():
        with pytest.raises(TargetInfeasibleError):
            target_optimize(**kwargs)
        return

    result = target_optimize(**kwargs)
    weights = result.weights
    assert np.all(weights[~allowed] == 0.0)  # excluded and unheld names exactly zero
    assert np.all(weights >= 0.0)
    assert abs(weights.sum() - 1.0) <= 1e-9
    cov = dense_cov(exposures, factor_cov, specific)
    assert result.tracking_error == pytest.approx(dense_te(weights - benchmark, cov), rel=1e-9)
    pro_rata_te = dense_te(target_pro_rata(benchmark, ~allowed) - benchmark, cov)
    assert result.tracking_error <= pro_rata_te + 1e-7
    if not excluded[benchmark > 0].any():
        np.testing.assert_allclose(weights, benchmark, rtol=0, atol=1e-15)


def test_excluding_nothing_returns_the_benchmark():
    result = target_optimize(excluded=np.zeros(6, dtype=bool), **sector_model_kwargs())
    np.testing.assert_allclose(result.weights, SECTOR_BENCHMARK, rtol=0, atol=1e-15)
    assert result.tracking_error == 0.0
    assert result.pro_rata_tracking_error is not None
    assert result.pro_rata_tracking_error < 1e-12


def test_everything_excluded_raises_a_domain_error():
    with pytest.raises(TargetInfeasibleError, match="every name is excluded"):
        target_optimize(excluded=np.ones(6, dtype=bool), **sector_model_kwargs())


def test_excluding_all_held_names_raises_when_candidates_default_to_holdings():
    benchmark = np.array([0.5, 0.5, 0.0])
    model = {
        "exposures": np.ones((3, 1)),
        "factor_cov": np.array([[0.04]]),
        "specific_var": np.full(3, 0.04),
    }
    with pytest.raises(TargetInfeasibleError):
        target_optimize(
            benchmark_weights=benchmark, excluded=np.array([True, True, False]), **model
        )
    # With the wider universe as candidates the unheld name can take it all.
    result = target_optimize(
        benchmark_weights=benchmark,
        excluded=np.array([True, True, False]),
        candidates=np.ones(3, dtype=bool),
        **model,
    )
    np.testing.assert_array_equal(result.weights, [0.0, 0.0, 1.0])
    assert result.pro_rata_tracking_error is None


def test_candidates_let_an_unheld_close_substitute_take_the_weight():
    # Names 1 and 3 share a factor and have little specific risk; name 2 is unrelated.
    exposures = np.array([[1.0], [0.0], [1.0]])
    factor_cov = np.array([[0.09]])
    specific = np.array([0.005, 0.04, 0.005])
    benchmark = np.array([0.5, 0.5, 0.0])
    excluded = np.array([True, False, False])
    cov = dense_cov(exposures, factor_cov, specific)
    model = {"exposures": exposures, "factor_cov": factor_cov, "specific_var": specific}

    held_only = target_optimize(benchmark_weights=benchmark, excluded=excluded, **model)
    np.testing.assert_array_equal(held_only.weights, [0.0, 1.0, 0.0])

    # Line w = (0, 1 - t, t): minimizer -e'Sd / e'Se, with d = (0,1,0) - b and e = (0,-1,1).
    direction = np.array([0.0, -1.0, 1.0])
    start_gap = np.array([0.0, 1.0, 0.0]) - benchmark
    t = -(direction @ cov @ start_gap) / (direction @ cov @ direction)
    assert 0.3 < t < 1  # premise: interior, the substitute takes a large share
    widened = target_optimize(
        benchmark_weights=benchmark,
        excluded=excluded,
        candidates=np.array([True, True, True]),
        **model,
    )
    np.testing.assert_allclose(widened.weights, [0.0, 1 - t, t], atol=1e-7)
    assert widened.tracking_error < held_only.tracking_error


def test_max_weight_caps_and_spreads_the_excess_evenly():
    # No factor risk, equal specific risk: min sum (w - b)^2, so the excess spreads evenly.
    benchmark = np.array([0.4, 0.2, 0.2, 0.2])
    result = target_optimize(
        benchmark_weights=benchmark,
        excluded=np.zeros(4, dtype=bool),
        exposures=np.zeros((4, 1)),
        factor_cov=np.array([[0.04]]),
        specific_var=np.full(4, 0.09),
        max_weight=0.3,
    )
    np.testing.assert_allclose(result.weights, [0.3, 0.7 / 3, 0.7 / 3, 0.7 / 3], atol=1e-7)
    assert result.tracking_error == pytest.approx(np.sqrt(0.09 * (0.01 + 3 * (0.1 / 3) ** 2)))
    assert result.weights.max() <= 0.3 + 1e-9


def test_max_weight_too_small_for_the_names_left_raises():
    with pytest.raises(TargetInfeasibleError, match="max_weight"):
        target_optimize(
            excluded=np.array([True, True, True, True, False, False]),
            max_weight=0.4,
            **sector_model_kwargs(),
        )


def test_scs_fallback_when_the_first_solver_fails():
    excluded = np.array([False, False, True, False, False, False])
    result = target_optimize(
        excluded=excluded, solvers=("NOT_A_SOLVER", "SCS"), **sector_model_kwargs()
    )
    assert result.solver == "SCS"
    x, y = SECTOR_OPTIMAL_X, (1 - 2 * SECTOR_OPTIMAL_X) / 3
    np.testing.assert_allclose(result.weights, [x, x, 0.0, y, y, y], atol=1e-5)
    assert result.weights[2] == 0.0


def test_no_working_solver_raises_a_solve_error():
    with pytest.raises(TargetSolveError, match="NOT_A_SOLVER"):
        target_optimize(
            excluded=np.array([False, False, True, False, False, False]),
            solvers=("NOT_A_SOLVER",),
            **sector_model_kwargs(),
        )


def test_singular_factor_covariance_gives_the_same_target_as_an_equivalent_model():
    # Two perfectly correlated copies of the market factor equal one factor with 4x variance.
    rng = np.random.default_rng(3)
    beta = rng.uniform(0.5, 1.5, 10)
    specific = rng.uniform(0.02, 0.1, 10)
    benchmark = rng.dirichlet(np.ones(10))
    excluded = np.zeros(10, dtype=bool)
    excluded[[1, 4]] = True
    twin = target_optimize(
        benchmark_weights=benchmark,
        excluded=excluded,
        exposures=np.column_stack([beta, beta]),
        factor_cov=np.full((2, 2), 0.03),
        specific_var=specific,
    )
    single = target_optimize(
        benchmark_weights=benchmark,
        excluded=excluded,
        exposures=beta[:, None],
        factor_cov=np.array([[0.12]]),
        specific_var=specific,
    )
    np.testing.assert_allclose(twin.weights, single.weights, atol=1e-7)


@pytest.mark.parametrize(
    ("change", "error"),
    [
        ({"excluded": np.array([2])}, TypeError),
        ({"excluded": np.zeros(5, dtype=bool)}, ValueError),
        ({"benchmark_weights": np.full(6, 0.15)}, ValueError),
        ({"benchmark_weights": np.array([0.5, 0.5, 0.5, -0.5, 0.0, 0.0])}, ValueError),
        ({"factor_cov": np.diag([0.02, -0.01, 0.01])}, ValueError),
        ({"specific_var": np.full(6, -0.01)}, ValueError),
        ({"max_weight": 0.0}, ValueError),
    ],
)
def test_bad_inputs_are_refused(change, error):
    kwargs = {**sector_model_kwargs(), "excluded": np.zeros(6, dtype=bool), **change}
    with pytest.raises(error):
        target_optimize(**kwargs)


def test_benchmark_rounding_residue_is_normalized():
    rounded = np.full(6, 0.1667)  # sums to 1.0002, as stored model weights might
    result = target_optimize(
        **{**sector_model_kwargs(), "benchmark_weights": rounded},
        excluded=np.zeros(6, dtype=bool),
    )
    np.testing.assert_allclose(result.weights, np.full(6, 1 / 6), atol=1e-15)


def test_exclusion_costs_per_category_and_combined():
    exclusions = {
        "name 3": np.array([False, False, True, False, False, False]),
        "sector 2": np.array([False, False, False, True, True, True]),
        "nothing held": np.zeros(6, dtype=bool),
    }
    report = exclusion_costs(exclusions=exclusions, **sector_model_kwargs())

    assert report.baseline_tracking_error == 0.0
    name_three, sector_two, nothing = report.by_exclusion
    assert [cost.name for cost in report.by_exclusion] == list(exclusions)

    assert name_three.removed_indices == (2,) and name_three.names_removed == 1
    assert name_three.benchmark_weight_removed == pytest.approx(1 / 6)
    assert name_three.tracking_error == pytest.approx(
        np.sqrt(sector_variance_by_hand(SECTOR_OPTIMAL_X)), rel=1e-7
    )

    # Without sector 2 the only target is sector 1 equal weighted: active = +-1/6 per name.
    # Sector exposures +1/2, -1/2; market 0. Variance = 2 * s2 / 4 + 6 * D / 36.
    assert sector_two.removed_indices == (3, 4, 5)
    assert sector_two.benchmark_weight_removed == pytest.approx(0.5)
    assert sector_two.tracking_error == pytest.approx(
        np.sqrt(SECTOR_VAR / 2 + SPECIFIC_VAR / 6), rel=1e-7
    )

    assert nothing.names_removed == 0 and nothing.tracking_error == 0.0

    # All together: sector 1 minus name 3, i.e. two names at 1/2 each.
    # Active: +1/3, +1/3, -1/6, -1/6 x3; sector exposures +1/2, -1/2.
    combined_variance = SECTOR_VAR / 2 + SPECIFIC_VAR * (2 / 9 + 4 / 36)
    assert report.combined.removed_indices == (2, 3, 4, 5)
    assert report.combined.benchmark_weight_removed == pytest.approx(2 / 3)
    assert report.combined.tracking_error == pytest.approx(np.sqrt(combined_variance), rel=1e-7)
    assert all(
        report.combined.tracking_error >= cost.tracking_error - 1e-9 for cost in report.by_exclusion
    )


def test_exclusion_costs_resolves_agree_with_fresh_solves_and_combined_dominates():
    rng = np.random.default_rng(11)
    exposures, factor_cov, specific = random_factor_model(rng, 60, 5)
    benchmark = rng.dirichlet(np.ones(60))
    exclusions = {f"category {index}": rng.random(60) < 0.1 for index in range(4)}
    model = {"exposures": exposures, "factor_cov": factor_cov, "specific_var": specific}

    report = exclusion_costs(benchmark_weights=benchmark, exclusions=exclusions, **model)
    for cost, mask in zip(report.by_exclusion, exclusions.values(), strict=True):
        fresh = target_optimize(benchmark_weights=benchmark, excluded=mask, **model)
        np.testing.assert_allclose(cost.target.weights, fresh.weights, atol=1e-7)
        assert cost.benchmark_weight_removed == pytest.approx(benchmark[mask].sum())
        assert report.combined.tracking_error >= cost.tracking_error - 1e-9
    union = np.logical_or.reduce(list(exclusions.values()))
    assert report.combined.names_removed == int(union.sum())
    assert np.all(report.combined.target.weights[union] == 0.0)


def test_exclusion_costs_names_the_exclusion_that_leaves_nothing():
    with pytest.raises(TargetInfeasibleError, match="everything"):
        exclusion_costs(
            exclusions={"sector 1": np.arange(6) < 3, "everything": np.ones(6, dtype=bool)},
            **sector_model_kwargs(),
        )


def test_weights_are_read_only():
    result = target_optimize(
        excluded=np.array([False, False, True, False, False, False]), **sector_model_kwargs()
    )
    with pytest.raises(ValueError):
        result.weights[0] = 0.5


def test_dense_brute_force_over_every_single_exclusion_of_the_sector_model():
    cov = dense_cov(SECTOR_EXPOSURES, SECTOR_FACTOR_COV, SECTOR_SPECIFIC)
    for position in range(6):
        excluded = np.arange(6) == position
        expected = kkt_equality_qp(cov, SECTOR_BENCHMARK, ~excluded)
        assert np.all(expected[~excluded] > 0)
        result = target_optimize(excluded=excluded, **sector_model_kwargs())
        np.testing.assert_allclose(result.weights, expected, atol=1e-7)


def test_two_exclusions_pairs_match_kkt_on_the_sector_model():
    cov = dense_cov(SECTOR_EXPOSURES, SECTOR_FACTOR_COV, SECTOR_SPECIFIC)
    for first, second in itertools.combinations(range(6), 2):
        excluded = np.isin(np.arange(6), [first, second])
        expected = kkt_equality_qp(cov, SECTOR_BENCHMARK, ~excluded)
        if np.any(expected[~excluded] < 0):
            continue  # non-negativity binds; covered by the line-search test
        result = target_optimize(excluded=excluded, **sector_model_kwargs())
        np.testing.assert_allclose(result.weights, expected, atol=1e-7)
