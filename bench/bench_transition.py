"""Benchmarks of the transition planner (issue 11) on a synthetic 500-name target.

The market is SYNTHETIC (seeded): 620 names with a 20-factor risk model (market, 11 sectors,
8 styles); the target is the 500 largest by a log-normal cap, cap-weighted; the legacy account
holds 500 names (380 of the target, 120 outside it) in 2,000 lots bought over eight years, a
fifth of them same-day, same-price tranches of one purchase (split fills, transfers), so
gains, losses, short and long term are all present.

- transition_expected_path_s: immediate, timeline:3, timeline:5, gain_budget:0 over 5 years on
  the expected path, end to end (solver builds included), one process. Baseline: the naive
  loop in the same run (a fresh cvxpy problem for every solve, no lot merging).
- transition_100_paths_s: the same with 100 simulated paths on 2 worker processes. Baseline:
  the naive loop on a few paths, scaled to 100. The detail says what each step bought.
"""

from __future__ import annotations

import os
import time
from datetime import date, timedelta

import numpy as np

from pma_engine.rebalance.types import RebalanceProblem
from pma_engine.tax.holding import is_long_term
from pma_engine.transition import TransitionInput, scenario_parse, transition_plan
from pma_engine.transition.__main__ import process_map
from pma_engine.transition.solving import solvers_clear

AS_OF = date(2026, 6, 1)
SCENARIOS = ("immediate", "timeline:3", "timeline:5", "gain_budget:0")
YEARS = 5
PATHS = 100
NAIVE_PATHS = 2


def problem_synthetic(
    seed: int = 11,
    *,
    n_names: int = 620,
    n_target: int = 500,
    n_held: int = 500,
    n_lots: int = 2_000,
) -> tuple[RebalanceProblem, np.ndarray]:
    """A cap-weighted target and a legacy account, as arrays (SYNTHETIC)."""
    rng = np.random.default_rng(seed)
    sectors = rng.integers(0, 11, n_names)
    k = 1 + 11 + 8
    exposures = np.zeros((n_names, k))
    exposures[:, 0] = np.clip(rng.normal(1.0, 0.25, n_names), 0.4, 1.8)
    exposures[np.arange(n_names), 1 + sectors] = np.clip(rng.normal(1.0, 0.2, n_names), 0.2, None)
    exposures[:, 12:] = rng.standard_normal((n_names, 8))
    factor_vol = np.r_[0.16, rng.uniform(0.06, 0.10, 11), rng.uniform(0.02, 0.05, 8)]
    factor_covariance = np.diag(factor_vol**2)
    specific_variance = rng.uniform(0.15, 0.35, n_names) ** 2
    caps = np.sort(rng.lognormal(0.0, 1.3, n_names))[::-1]
    target = np.zeros(n_names)
    target[:n_target] = caps[:n_target] / caps[:n_target].sum()
    prices = np.exp(rng.uniform(np.log(20.0), np.log(500.0), n_names))
    held = np.r_[rng.choice(n_target, 380, replace=False), n_target + np.arange(120)][:n_held]
    value = 5_000_000.0
    name_value = value * rng.dirichlet(np.full(len(held), 1.5))
    lot_asset = np.repeat(held, n_lots // len(held))
    base_lots = int(n_lots * 0.8)
    unique_asset = lot_asset[:base_lots]
    ages = rng.integers(20, 8 * 365, base_lots)
    years_held = ages / 365.0
    growth = np.exp(0.11 * years_held + 0.25 * np.sqrt(years_held) * rng.standard_normal(base_lots))
    basis = prices[unique_asset] / growth
    acquired = np.array([(AS_OF - timedelta(days=int(a))).toordinal() for a in ages])
    copies = rng.integers(0, base_lots, n_lots - base_lots)  # same-day tranches
    lot_asset = np.r_[unique_asset, unique_asset[copies]]
    basis = np.r_[basis, basis[copies]]
    acquired = np.r_[acquired, acquired[copies]].astype(np.int64)
    weight = rng.uniform(0.2, 1.0, n_lots)
    per_name = np.bincount(lot_asset, weights=weight, minlength=n_names)
    value_of = np.zeros(n_names)
    value_of[held] = name_value
    shares = value_of[lot_asset] * weight / per_name[lot_asset] / prices[lot_asset]
    dates = [date.fromordinal(int(d)) for d in acquired]
    problem = RebalanceProblem(
        labels=tuple(f"N{i:03d}" for i in range(n_names)),
        prices=prices,
        target_weights=target,
        exposures=exposures,
        factor_covariance=factor_covariance,
        specific_variance=specific_variance,
        cash=25_000.0,
        lot_ids=tuple(f"L{j:04d}" for j in range(n_lots)),
        lot_asset=lot_asset.astype(np.int64),
        lot_shares=shares,
        lot_basis_per_share=basis,
        lot_is_long_term=np.array([is_long_term(d, AS_OF) for d in dates]),
        lot_days_held=np.array([(AS_OF - d).days for d in dates], dtype=np.int64),
        risk_aversion=1.0,
    )
    return problem, acquired


def _input(**extra: object) -> TransitionInput:
    problem, acquired = problem_synthetic()
    return TransitionInput(
        problem=problem,
        as_of=AS_OF,
        lot_acquired=acquired,
        scenarios=tuple(scenario_parse(s) for s in SCENARIOS),
        years=YEARS,
        **extra,  # type: ignore[arg-type]
    )


def _timed(inp: TransitionInput, **kwargs: object) -> float:
    solvers_clear()
    started = time.perf_counter()
    transition_plan(inp, **kwargs)  # type: ignore[arg-type]
    return time.perf_counter() - started


def bench_transition() -> dict[str, dict[str, object]]:
    fast = _input()
    naive = _input(reuse_solvers=False, merge_identical_lots=False)
    unmerged = _input(merge_identical_lots=False)
    lots = fast.problem.lot_count
    from pma_engine.transition.book import book_open

    slots = book_open(fast).layout.original_slots
    expected = _timed(fast)
    expected_unmerged = _timed(unmerged)
    expected_naive = _timed(naive)
    workers = min(2, os.cpu_count() or 1)
    subset = 10
    one_process = _timed(fast, paths=subset, seed=7)
    naive_paths = _timed(naive, paths=NAIVE_PATHS, seed=7)
    full = _timed(fast, paths=PATHS, seed=7, map_paths=process_map(workers))
    per_path_naive = (naive_paths - expected_naive) / NAIVE_PATHS
    naive_100 = expected_naive + per_path_naive * PATHS
    per_path_one = (one_process - expected) / subset
    solves = len(SCENARIOS) * YEARS
    return {
        "transition_expected_path_s": {
            "value": round(expected, 3),
            "unit": "s",
            "baseline": round(expected_naive, 3),
            "ratio": round(expected / expected_naive, 3),
            "detail": (
                f"{len(SCENARIOS)} scenarios x {YEARS} years ({solves} yearly trades, "
                f"{solves - 1} optimizer solves), 500-name cap-weighted target, account of "
                f"500 names / {lots} lots ({slots} after merging identical lots); goal < 5 s. "
                f"Baseline: fresh cvxpy problem per solve, no merging. Merging alone: "
                f"{expected_unmerged:.2f} s unmerged vs {expected:.2f} s."
            ),
        },
        "transition_100_paths_s": {
            "value": round(full, 3),
            "unit": "s",
            "baseline": round(naive_100, 3),
            "ratio": round(full / naive_100, 3),
            "detail": (
                f"{PATHS} simulated paths + the expected path, {workers} processes; goal < 60 s. "
                f"Baseline: naive loop (fresh problem per solve, no merging, one process) on "
                f"{NAIVE_PATHS} paths = {per_path_naive:.2f} s/path, scaled to {PATHS}. "
                f"Steps: parameterized re-solve + merging, one process: "
                f"{per_path_one:.2f} s/path ({subset} paths); year 1 solved once for all "
                f"paths (saves 1 of {YEARS} years' solves); process pool x{workers}: "
                f"{(full - expected) / PATHS:.2f} s/path."
            ),
        },
    }
