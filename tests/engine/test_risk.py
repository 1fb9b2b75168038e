"""Risk model: factor-form tracking error, estimation on simulated data, missing data, storage."""

from __future__ import annotations

import importlib.util
import json
from datetime import date
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pma_engine.risk import (
    FactorRiskModel,
    portfolio_volatility,
    risk_model_estimate,
    tracking_error,
    tracking_error_batch,
    tracking_error_by_ticker,
    tracking_error_pct,
)
from pma_engine.simulation import prices_simulate

AS_OF = date(2024, 12, 31)
SECTORS = [f"S{k}" for k in range(8)]


def two_name_model() -> FactorRiskModel:
    return FactorRiskModel(
        tickers=("A", "B"),
        exposures=np.array([[1.0], [1.0]]),
        factor_cov=np.array([[0.04]]),
        specific_var=np.array([0.01, 0.02]),
        as_of=AS_OF,
    )


def test_tracking_error_hand_worked() -> None:
    model = two_name_model()
    # a = (1, -1): the common factor cancels; TE^2 = 0.01 + 0.02.
    assert tracking_error(model, [1.0, 0.0], [0.0, 1.0]) == pytest.approx(np.sqrt(0.03))
    # a = (0.1, -0.1): TE^2 = 0.01*0.01 + 0.02*0.01 = 0.0003.
    assert tracking_error(model, [0.6, 0.4], [0.5, 0.5]) == pytest.approx(np.sqrt(0.0003))
    assert tracking_error_pct(model, [0.6, 0.4], [0.5, 0.5]) == pytest.approx(100 * np.sqrt(0.0003))
    # Against cash, all in A: 0.04 + 0.01.
    assert portfolio_volatility(model, [1.0, 0.0]) == pytest.approx(np.sqrt(0.05))


@st.composite
def models_and_weights(draw):
    n_names = draw(st.integers(2, 40))
    n_factors = draw(st.integers(1, 6))
    seed = draw(st.integers(0, 2**31 - 1))
    rng = np.random.default_rng(seed)
    root = rng.normal(size=(n_factors, n_factors)) * 0.1
    model = FactorRiskModel(
        tickers=tuple(f"T{i}" for i in range(n_names)),
        exposures=rng.normal(size=(n_names, n_factors)),
        factor_cov=root @ root.T + np.eye(n_factors) * 1e-4,
        specific_var=rng.uniform(0.005, 0.2, n_names),
        as_of=AS_OF,
    )
    weights = rng.dirichlet(np.ones(n_names), size=3)
    return model, weights


@settings(max_examples=60, deadline=None)
@given(models_and_weights())
def test_factor_form_equals_dense_form(case) -> None:
    model, weights = case
    dense = model.covariance_dense()
    w, b = weights[0], weights[1]
    active = w - b
    dense_te = np.sqrt(active @ dense @ active)
    assert tracking_error(model, w, b) == pytest.approx(dense_te, rel=1e-10)
    batch = tracking_error_batch(model, weights, b)
    expected = [np.sqrt((row - b) @ dense @ (row - b)) for row in weights]
    np.testing.assert_allclose(batch, expected, rtol=1e-10, atol=1e-15)
    assert tracking_error(model, w, w) == 0.0
    assert tracking_error(model, w, b) == pytest.approx(tracking_error(model, b, w), rel=1e-14)
    np.testing.assert_allclose(model.predicted_vols(), np.sqrt(np.diag(dense)), rtol=1e-12)


def test_batch_accepts_a_benchmark_per_portfolio() -> None:
    model = two_name_model()
    weights = np.array([[1.0, 0.0], [0.6, 0.4]])
    benchmarks = np.array([[0.0, 1.0], [0.5, 0.5]])
    np.testing.assert_allclose(
        tracking_error_batch(model, weights, benchmarks), [np.sqrt(0.03), np.sqrt(0.0003)]
    )
    with pytest.raises(ValueError):
        tracking_error(model, [1.0, 0.0, 0.0], [0.0, 1.0, 0.0])


@pytest.fixture(scope="module")
def simulated():
    n_names = 160
    tickers = [f"T{i:03d}" for i in range(n_names)]
    sectors = [SECTORS[i % len(SECTORS)] for i in range(n_names)]
    return prices_simulate(
        tickers=tickers, sectors=sectors, n_days=1261, start=date(2020, 1, 2), seed=99
    )


@pytest.fixture(scope="module")
def estimated(simulated):
    return risk_model_estimate(
        returns=simulated.log_returns(),
        tickers=simulated.tickers,
        sectors=simulated.sectors,
        as_of=AS_OF,
        n_factors=15,
        half_life_days=None,
    )


def test_estimated_model_recovers_true_vols(simulated, estimated) -> None:
    # 1,260 days: a sample vol has ~2 % standard error; the factor model adds a little more.
    ratio = estimated.predicted_vols() / simulated.stock_vols()
    assert np.median(np.abs(ratio - 1)) < 0.03
    assert np.max(np.abs(ratio - 1)) < 0.10
    assert not estimated.is_proxy.any()


def test_estimated_model_recovers_tracking_error_of_sector_bets(simulated, estimated) -> None:
    true_cov = simulated.covariance()
    n_names = len(simulated.tickers)
    benchmark = np.full(n_names, 1 / n_names)
    sectors = np.array(simulated.sectors)
    for sector in SECTORS[:4]:
        weights = benchmark * (sectors != sector)
        weights /= weights.sum()
        active = weights - benchmark
        true_te = np.sqrt(active @ true_cov @ active)
        assert tracking_error(estimated, weights, benchmark) == pytest.approx(true_te, rel=0.10)


def test_estimated_covariance_is_positive_definite(estimated) -> None:
    eigenvalues = np.linalg.eigvalsh(estimated.covariance_dense())
    assert eigenvalues.min() > 0
    assert np.all(estimated.specific_var >= 0.05**2 - 1e-15)  # the documented floor


def test_missing_history_is_regressed_or_proxied(simulated) -> None:
    returns = simulated.log_returns().copy()
    returns[:1000, :10] = np.nan  # listed recently: 260 days of data
    returns[:-30, 10:14] = np.nan  # listed last month: too little history
    returns[500:520, 20] = np.nan  # a gap
    model = risk_model_estimate(
        returns=returns,
        tickers=simulated.tickers,
        sectors=simulated.sectors,
        as_of=AS_OF,
        n_factors=15,
        half_life_days=None,
    )
    true_vols = simulated.stock_vols()
    # 260 days: sample vol standard error ~4.4 %; allow 3.5 of them.
    np.testing.assert_allclose(model.predicted_vols()[:10], true_vols[:10], rtol=0.15)
    assert model.predicted_vols()[20] == pytest.approx(true_vols[20], rel=0.10)
    assert list(np.flatnonzero(model.is_proxy)) == [10, 11, 12, 13]
    assert list(model.n_observations[[0, 10, 20]]) == [260, 30, 1240]
    # A proxy has its sector peers' mean exposures and their 90th-percentile specific variance.
    sectors = np.array(simulated.sectors)
    peers = (sectors == sectors[10]) & ~model.is_proxy
    np.testing.assert_allclose(model.exposures[10], model.exposures[peers].mean(axis=0))
    assert model.specific_var[10] == pytest.approx(np.percentile(model.specific_var[peers], 90))
    assert model.specific_var[10] > np.median(model.specific_var[peers])


def test_short_history_still_builds_a_positive_definite_model(simulated) -> None:
    returns = simulated.log_returns()[-40:]
    model = risk_model_estimate(
        returns=returns, tickers=simulated.tickers, sectors=simulated.sectors, as_of=AS_OF
    )
    assert model.n_factors <= 38
    assert not model.is_proxy.any()
    assert np.linalg.eigvalsh(model.covariance_dense()).min() > 0


def test_reindex_keeps_known_rows_and_proxies_unknown(estimated) -> None:
    known = estimated.tickers[5]
    reindexed = estimated.reindex(["NEW1", known, "NEW2"], sectors={"NEW1": "S3"})
    assert reindexed.tickers == ("NEW1", known, "NEW2")
    np.testing.assert_array_equal(reindexed.exposures[1], estimated.exposures[5])
    assert reindexed.specific_var[1] == estimated.specific_var[5]
    assert list(reindexed.is_proxy) == [True, False, True]
    in_s3 = np.array(estimated.sectors) == "S3"
    np.testing.assert_allclose(reindexed.exposures[0], estimated.exposures[in_s3].mean(axis=0))
    np.testing.assert_allclose(reindexed.exposures[2], estimated.exposures.mean(axis=0))
    assert reindexed.specific_var[2] == pytest.approx(np.percentile(estimated.specific_var, 90))
    assert reindexed.index_of("NEW2") == 2
    with pytest.raises(KeyError):
        estimated.subset(["NEW1"])
    assert estimated.subset([known]).tickers == (known,)


def test_tracking_error_by_ticker_aligns_mappings(estimated) -> None:
    a, b, c = estimated.tickers[:3]
    by_ticker = tracking_error_by_ticker(estimated, {a: 0.5, b: 0.5}, {b: 0.5, c: 0.5})
    positions = [estimated.index_of(t) for t in (a, b, c)]
    w = np.zeros(estimated.n_names)
    bench = np.zeros(estimated.n_names)
    w[positions[:2]] = 0.5
    bench[positions[1:]] = 0.5
    assert by_ticker == pytest.approx(tracking_error(estimated, w, bench), rel=1e-12)


def test_serialization_round_trips(estimated) -> None:
    restored = FactorRiskModel.from_bytes(estimated.to_bytes())
    from_json = FactorRiskModel.from_dict(json.loads(json.dumps(estimated.to_dict())))
    for copy in (restored, from_json):
        assert copy.tickers == estimated.tickers
        assert copy.as_of == estimated.as_of
        assert copy.sectors == estimated.sectors
        assert copy.factor_names == estimated.factor_names
        assert copy.half_life_days == estimated.half_life_days
        assert copy.history_days == estimated.history_days
        np.testing.assert_array_equal(copy.exposures, estimated.exposures)
        np.testing.assert_array_equal(copy.factor_cov, estimated.factor_cov)
        np.testing.assert_array_equal(copy.specific_var, estimated.specific_var)
        np.testing.assert_array_equal(copy.is_proxy, estimated.is_proxy)
        np.testing.assert_array_equal(copy.n_observations, estimated.n_observations)


def test_model_arrays_are_read_only(estimated) -> None:
    with pytest.raises(ValueError):
        estimated.specific_var[0] = 0.0


def _skfolio_sp500_prices():
    """skfolio's bundled daily closes of 20 S&P 500 stocks, read without importing skfolio
    (whose import pulls in scikit-learn and plotly); skipped when skfolio is not installed."""
    pandas = pytest.importorskip("pandas")
    spec = importlib.util.find_spec("skfolio")
    if spec is None or not spec.submodule_search_locations:
        pytest.fail("skfolio is missing: it is a test dependency (requirements-dev.txt)")
    package_dir = Path(next(iter(spec.submodule_search_locations)))
    path = package_dir / "datasets" / "data" / "sp500_dataset.csv.gz"
    if not path.exists():
        pytest.skip("skfolio no longer ships sp500_dataset.csv.gz")
    return pandas.read_csv(path, index_col="Date", parse_dates=True)


def test_real_sp500_sample_vols_are_reproduced() -> None:
    prices = _skfolio_sp500_prices()
    window = prices.loc["2018-01-01":"2021-12-31"]
    returns = window.pct_change().iloc[1:].to_numpy()
    model = risk_model_estimate(
        returns=returns,
        tickers=list(window.columns),
        as_of=window.index[-1].date(),
        n_factors=5,
        half_life_days=None,
    )
    # With equal weights the factor part plus the residual variance reproduce each name's
    # sample variance; only the specific-variance shrinkage (21 prior days vs ~1,000 days of
    # data, about 2 %) moves it. Sample vols are computed directly here.
    sample_vols = returns.std(axis=0) * np.sqrt(252)
    np.testing.assert_allclose(model.predicted_vols(), sample_vols, rtol=0.05)
    # Real stocks co-move: the first factor carries far more variance than a single name's
    # specific part.
    assert model.factor_cov[0, 0] > 4 * np.median(model.specific_var)
    # Five factors reproduce the sample correlations of 20 stocks (190 pairs, average about
    # 0.42): off by less than 0.05 on average, and the average itself by less than 0.03.
    covariance = model.covariance_dense()
    vols = np.sqrt(np.diag(covariance))
    model_corr = covariance / np.outer(vols, vols)
    sample_corr = np.corrcoef(returns, rowvar=False)
    pairs = ~np.eye(len(vols), dtype=bool)
    assert np.abs(model_corr - sample_corr)[pairs].mean() < 0.05
    assert model_corr[pairs].mean() == pytest.approx(sample_corr[pairs].mean(), abs=0.03)
