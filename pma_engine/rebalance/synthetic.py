"""A seeded synthetic account (labelled synthetic): for benchmarks, tests and the example file."""

from __future__ import annotations

import numpy as np

from .types import RebalanceProblem


def risk_model_synthetic(
    n_assets: int, n_factors: int, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """B (N, K), F (K, K), D (N,): a market factor plus styles, ~15-35 % stock vols."""
    exposures = rng.normal(0.0, 1.0, (n_assets, n_factors))
    exposures[:, 0] = rng.normal(1.0, 0.25, n_assets)  # market beta
    vols = np.r_[0.16, np.full(n_factors - 1, 0.04)]
    corr = np.eye(n_factors) * 0.8 + 0.2 * np.ones((n_factors, n_factors)) * 0.1
    np.fill_diagonal(corr, 1.0)
    factor_cov = np.outer(vols, vols) * corr
    specific = rng.uniform(0.15, 0.35, n_assets) ** 2
    return exposures, factor_cov, specific


def cap_weights(n_assets: int, rng: np.random.Generator) -> np.ndarray:
    """Zipf-like cap weights (sum 1), largest first."""
    raw = 1.0 / np.arange(1, n_assets + 1) ** 0.9 * rng.uniform(0.8, 1.2, n_assets)
    return np.asarray(raw / raw.sum())


def problem_synthetic(
    *,
    n_assets: int = 500,
    n_lots: int = 2000,
    n_factors: int = 30,
    seed: int = 0,
    gain_budget: float | None = 0.0,
    equity: float = 5_000_000.0,
    cash_fraction: float = 0.01,
    trading_cost_bps: float = 2.0,
    whole_shares: bool = True,
) -> RebalanceProblem:
    """An account that drifted from its cap-weighted target, its lots bought over eight years."""
    rng = np.random.default_rng(seed)
    exposures, factor_cov, specific = risk_model_synthetic(n_assets, n_factors, rng)
    target = cap_weights(n_assets, rng)
    prices = rng.uniform(20.0, 400.0, n_assets)
    held = np.clip(target * rng.lognormal(0.0, 0.5, n_assets), 0.0, None)
    held = held / held.sum() * (1 - cash_fraction) * equity
    extra = rng.choice(n_assets, max(n_lots - n_assets, 0), p=target)
    lot_asset = np.sort(np.r_[np.arange(min(n_assets, n_lots)), extra])
    shares_raw = rng.uniform(0.2, 1.0, n_lots)
    per_asset = np.bincount(lot_asset, weights=shares_raw, minlength=n_assets)
    lot_value = shares_raw / per_asset[lot_asset] * held[lot_asset]
    lot_shares = np.round(lot_value / prices[lot_asset], 3)
    lot_shares = np.maximum(lot_shares, 0.001)
    days = rng.integers(1, 8 * 365, n_lots)
    growth = np.exp(rng.normal(0.07, 0.30, n_lots) * np.sqrt(days / 365.0))
    basis = prices[lot_asset] / growth
    tickers = tuple(f"S{i:04d}" for i in range(n_assets))
    return RebalanceProblem(
        labels=tickers,
        prices=prices,
        target_weights=target,
        exposures=exposures,
        factor_covariance=factor_cov,
        specific_variance=specific,
        cash=cash_fraction * equity,
        lot_ids=tuple(f"L{i:05d}" for i in range(n_lots)),
        lot_asset=lot_asset.astype(np.int64),
        lot_shares=lot_shares,
        lot_basis_per_share=basis,
        lot_is_long_term=days > 365,
        lot_days_held=days.astype(np.int64),
        gain_budget=gain_budget,
        trading_cost_bps=trading_cost_bps,
        whole_shares=whole_shares,
        risk_aversion=1.0,
    )
