"""Synthetic prices: reproducible, positive, and statistically what the parameters say."""

from __future__ import annotations

from datetime import date

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pma_engine.simulation import (
    SYNTHETIC_LABEL,
    SimulationParams,
    correlation_average,
    correlation_theoretical,
    covariance_theoretical,
    prices_simulate,
    stock_vols_theoretical,
)

N_NAMES = 200
N_DAYS = 2520
SECTORS = [f"S{k:02d}" for k in range(10)]


@pytest.fixture(scope="module")
def simulated():
    tickers = [f"T{i:03d}" for i in range(N_NAMES)]
    sectors = [SECTORS[i % len(SECTORS)] for i in range(N_NAMES)]
    return prices_simulate(
        tickers=tickers, sectors=sectors, n_days=N_DAYS, start=date(2015, 1, 2), seed=2024
    )


def test_same_seed_same_prices_different_seed_different() -> None:
    kwargs = {"tickers": ["A", "B", "C"], "sectors": ["X", "Y", "X"], "n_days": 300}
    first = prices_simulate(**kwargs, start=date(2020, 1, 1), seed=5)
    again = prices_simulate(**kwargs, start=date(2020, 1, 1), seed=5)
    other = prices_simulate(**kwargs, start=date(2020, 1, 1), seed=6)
    assert np.array_equal(first.closes, again.closes)
    assert np.array_equal(first.loadings, again.loadings)
    assert not np.allclose(first.closes, other.closes)


def test_shapes_dates_and_positive_prices(simulated) -> None:
    assert simulated.closes.shape == (N_DAYS, N_NAMES)
    assert simulated.dates.shape == (N_DAYS,)
    assert simulated.dates[0] == np.datetime64("2015-01-02")
    assert np.all(np.diff(simulated.dates).astype(int) > 0)
    weekdays = (simulated.dates.astype("datetime64[D]").view("int64") - 4) % 7  # 1970-01-05 Mon
    assert np.all(weekdays < 5)
    assert np.all(simulated.closes > 0)
    # Anchored at the end by default: the latest closes are in the plausible range.
    assert np.all((simulated.closes[-1] >= 20) & (simulated.closes[-1] <= 500))
    assert simulated.label == SYNTHETIC_LABEL and "not market data" in simulated.label


def test_start_anchor_keeps_returns_and_moves_the_level() -> None:
    end = prices_simulate(
        tickers=["A", "B"], sectors=["X", "Y"], n_days=300, start=date(2020, 1, 1), seed=5
    )
    start = prices_simulate(
        tickers=["A", "B"],
        sectors=["X", "Y"],
        n_days=300,
        start=date(2020, 1, 1),
        seed=5,
        params=SimulationParams(price_anchor="start"),
    )
    assert np.all((start.closes[0] >= 20) & (start.closes[0] <= 500))
    np.testing.assert_allclose(start.closes[0], end.closes[-1])  # the same anchor draws
    np.testing.assert_allclose(
        np.diff(np.log(start.closes), axis=0), np.diff(np.log(end.closes), axis=0), atol=1e-12
    )


def test_start_date_on_a_weekend_rolls_to_monday() -> None:
    result = prices_simulate(tickers=["A"], sectors=["X"], n_days=3, start=date(2024, 6, 1), seed=1)
    assert list(result.dates) == [
        np.datetime64(d) for d in ("2024-06-03", "2024-06-04", "2024-06-05")
    ]


def test_theoretical_formulas_on_a_hand_worked_example() -> None:
    loadings = np.array([[1.0, 0.0], [0.5, 1.0]])
    factor_vols = np.array([0.2, 0.1])
    idio_vols = np.array([0.3, 0.4])
    # var1 = 0.2^2 + 0.3^2 = 0.13; var2 = 0.25*0.04 + 0.01 + 0.16 = 0.18; cov = 0.5*0.04 = 0.02
    vols = stock_vols_theoretical(loadings=loadings, factor_vols=factor_vols, idio_vols=idio_vols)
    np.testing.assert_allclose(vols, [np.sqrt(0.13), np.sqrt(0.18)], rtol=1e-12)
    corr = correlation_theoretical(loadings=loadings, factor_vols=factor_vols, idio_vols=idio_vols)
    np.testing.assert_allclose(corr[0, 1], 0.02 / np.sqrt(0.13 * 0.18), rtol=1e-12)
    assert correlation_average(corr) == pytest.approx(0.02 / np.sqrt(0.13 * 0.18))


@settings(max_examples=25, deadline=None)
@given(
    n_names=st.integers(2, 8),
    n_factors=st.integers(1, 4),
    seed=st.integers(0, 10_000),
)
def test_theoretical_vols_match_the_dense_covariance(n_names: int, n_factors: int, seed: int):
    rng = np.random.default_rng(seed)
    loadings = rng.normal(size=(n_names, n_factors))
    factor_vols = rng.uniform(0.01, 0.3, n_factors)
    idio_vols = rng.uniform(0.05, 0.5, n_names)
    dense = np.zeros((n_names, n_names))  # brute force: sum of rank-one factor terms
    for k in range(n_factors):
        dense += factor_vols[k] ** 2 * np.outer(loadings[:, k], loadings[:, k])
    dense += np.diag(idio_vols**2)
    np.testing.assert_allclose(
        covariance_theoretical(loadings=loadings, factor_vols=factor_vols, idio_vols=idio_vols),
        dense,
        rtol=1e-12,
    )
    vols = stock_vols_theoretical(loadings=loadings, factor_vols=factor_vols, idio_vols=idio_vols)
    np.testing.assert_allclose(vols, np.sqrt(np.diag(dense)), rtol=1e-12)


def test_default_parameters_give_realistic_statistics(simulated) -> None:
    vols = simulated.stock_vols()
    assert 0.25 <= float(np.median(vols)) <= 0.40
    assert np.percentile(vols, 5) >= 0.18 and np.percentile(vols, 95) <= 0.50
    corr = simulated.covariance() / np.outer(vols, vols)
    average = correlation_average(corr)
    within = correlation_average(corr, groups=simulated.sectors)
    across = correlation_average(corr, groups=simulated.sectors, same_group=False)
    assert 0.20 <= average <= 0.35
    assert within > across + 0.03


def test_sample_vols_match_theory(simulated) -> None:
    # A sample vol over T daily Gaussian returns has relative standard error 1/sqrt(2(T-1)),
    # 1.4 % here: the mean error over 200 names is far below 2 %, and no name should be off by
    # more than 5 standard errors (7 %).
    sample = simulated.log_returns().std(axis=0, ddof=1) * np.sqrt(252)
    relative_error = sample / simulated.stock_vols() - 1
    standard_error = 1 / np.sqrt(2 * (N_DAYS - 1))
    assert np.mean(np.abs(relative_error)) < 2 * standard_error
    assert np.max(np.abs(relative_error)) < 5 * standard_error


def test_sample_correlations_match_theory(simulated) -> None:
    # Errors in the average correlation come from sampling the common factors: the market
    # factor variance has relative error sqrt(2/T) = 2.8 %, moving an average correlation of
    # 0.25 by about 0.25 * 0.75 * 0.028 = 0.005. A 0.02 (0.03 within sectors, fewer pairs and
    # one extra sampled factor each) tolerance is four or more standard errors.
    sample = np.corrcoef(simulated.log_returns(), rowvar=False)
    theory = correlation_theoretical(
        loadings=simulated.loadings,
        factor_vols=simulated.factor_vols,
        idio_vols=simulated.idio_vols,
    )
    groups = simulated.sectors
    assert correlation_average(sample) == pytest.approx(correlation_average(theory), abs=0.02)
    assert correlation_average(sample, groups=groups) == pytest.approx(
        correlation_average(theory, groups=groups), abs=0.03
    )
    assert correlation_average(sample, groups=groups) > correlation_average(
        sample, groups=groups, same_group=False
    )


def test_market_drift_shows_in_the_mean_return() -> None:
    params = SimulationParams(market_drift=0.5, beta_sd=0.0, idio_vol_min=0.05, idio_vol_max=0.05)
    result = prices_simulate(
        tickers=[f"T{i}" for i in range(50)],
        sectors=["X"] * 50,
        n_days=2521,
        start=date(2010, 1, 4),
        seed=3,
        params=params,
    )
    # All betas are 1, so the average log return is 0.5/252 a day plus noise whose annualized
    # standard error is at most (0.16 + 0.1 + 0.1) / sqrt(10 years) = 0.11.
    annual_mean = result.log_returns().mean() * 252
    assert annual_mean == pytest.approx(0.5, abs=0.25)


def test_bad_inputs_are_rejected() -> None:
    with pytest.raises(ValueError):
        prices_simulate(tickers=["A", "B"], sectors=["X"], n_days=5, start=date(2020, 1, 1), seed=1)
    with pytest.raises(ValueError):
        prices_simulate(
            tickers=["A", "A"], sectors=["X", "X"], n_days=5, start=date(2020, 1, 1), seed=1
        )
    with pytest.raises(ValueError):
        SimulationParams(style_names=("size",), style_vols=(0.1, 0.2))
