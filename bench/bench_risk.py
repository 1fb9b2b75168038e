"""Benchmarks: synthetic prices, risk model build and tracking error at 1,100 names x 10 years.

Baselines are measured in the same run: the dense sample covariance (np.cov) for the model build
and the dense quadratic form a' Sigma a for tracking error.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import date
from typing import Any

import numpy as np

from pma_engine.risk import risk_model_estimate, tracking_error
from pma_engine.securities import security_master_load
from pma_engine.simulation import prices_simulate

N_DAYS = 2521  # closes: 2,520 daily returns, ten years


def _best_of(func: Callable[[], Any], repeats: int) -> tuple[float, Any]:
    """Fastest of `repeats` runs (seconds) and the last result."""
    best = float("inf")
    result = None
    for _ in range(repeats):
        started = time.perf_counter()
        result = func()
        best = min(best, time.perf_counter() - started)
    return best, result


def _per_call(func: Callable[[], Any], calls: int) -> float:
    """Median seconds per call over five batches of `calls` calls."""
    timings = []
    for _ in range(5):
        started = time.perf_counter()
        for _ in range(calls):
            func()
        timings.append((time.perf_counter() - started) / calls)
    return float(np.median(timings))


def bench_risk() -> dict[str, dict[str, Any]]:
    records = security_master_load()
    tickers = [record.ticker for record in records]
    sectors = [record.sector for record in records]
    n_names = len(tickers)

    simulate_seconds, simulated = _best_of(
        lambda: prices_simulate(
            tickers=tickers, sectors=sectors, n_days=N_DAYS, start=date(2015, 1, 2), seed=1
        ),
        repeats=3,
    )
    returns = simulated.simple_returns()

    build_seconds, model = _best_of(
        lambda: risk_model_estimate(
            returns=returns, tickers=tickers, sectors=sectors, as_of=date(2024, 12, 31)
        ),
        repeats=3,
    )
    dense_seconds, dense_cov = _best_of(lambda: np.cov(returns, rowvar=False) * 252, repeats=3)

    rng = np.random.default_rng(0)
    weights = rng.dirichlet(np.ones(n_names))
    benchmark = np.full(n_names, 1.0 / n_names)
    active = weights - benchmark
    factor_te = _per_call(lambda: tracking_error(model, weights, benchmark), calls=200)
    dense_te = _per_call(lambda: float(np.sqrt(active @ dense_cov @ active)), calls=200)

    shape = f"{n_names} names x {N_DAYS - 1} days"
    return {
        "simulate_prices_1100x10y": {
            "value": simulate_seconds,
            "unit": "s",
            "baseline": None,
            "ratio": None,
            "detail": f"prices_simulate, {shape}, {len(simulated.factor_names)} factors",
        },
        "risk_model_build_1100x10y": {
            "value": build_seconds,
            "unit": "s",
            "baseline": dense_seconds,
            "ratio": build_seconds / dense_seconds,
            "detail": f"risk_model_estimate K={model.n_factors}, {shape}; baseline np.cov",
        },
        "tracking_error_1100": {
            "value": factor_te,
            "unit": "s",
            "baseline": dense_te,
            "ratio": factor_te / dense_te,
            "detail": "factor form per call; baseline dense a'Sigma a with Sigma precomputed",
        },
    }
