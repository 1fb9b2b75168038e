"""Market paths: the expected path (every price grows at the drift) and simulated paths.

A simulated year draws factor returns f ~ N(0, F) and specific returns e ~ N(0, diag(D)) from
the risk model and turns them into log-normal price growth around the drift:

    ln(1 + R_i) = ln(1 + drift) - sigma_i^2 / 2 + (B f)_i + e_i,   sigma_i^2 = (B F B')_ii + D_i

so E[1 + R_i] = 1 + drift for every name, prices stay positive, and names co-move through the
factors as the risk model says. Each path has its own child of numpy's SeedSequence(seed), so a
path's numbers depend only on (seed, path index): the same seed gives the same paths whichever
process or worker runs them, in any order.
"""

from __future__ import annotations

import numpy as np

from pma_engine.transition.types import FloatArray


def expected_growth(*, years: int, n_assets: int, drift: float) -> FloatArray:
    """(years, N) price growth factors 1 + R of the expected path."""
    return np.full((years, n_assets), 1.0 + drift)


def factor_root(factor_covariance: FloatArray) -> FloatArray:
    """A square root of F that tolerates a positive semi-definite matrix (eigen floor at 0)."""
    values, vectors = np.linalg.eigh((factor_covariance + factor_covariance.T) / 2.0)
    return vectors * np.sqrt(np.clip(values, 0.0, None))  # F = R R'


def path_seeds(seed: int, paths: int) -> list[np.random.SeedSequence]:
    """One independent child seed per path."""
    return np.random.SeedSequence(seed).spawn(paths)


def simulated_growth(
    *,
    seed_sequence: np.random.SeedSequence,
    years: int,
    exposures: FloatArray,
    factor_covariance: FloatArray,
    specific_variance: FloatArray,
    drift: float,
) -> FloatArray:
    """(years, N) price growth factors 1 + R of one simulated path."""
    rng = np.random.default_rng(seed_sequence)
    root = factor_root(factor_covariance)
    n_factors = root.shape[1]
    factors = rng.standard_normal((years, n_factors)) @ root.T  # (years, K) ~ N(0, F)
    specific = rng.standard_normal((years, exposures.shape[0])) * np.sqrt(specific_variance)
    variance = np.einsum("ik,kl,il->i", exposures, factor_covariance, exposures)
    variance = variance + specific_variance
    log_growth = np.log1p(drift) - variance / 2.0 + factors @ exposures.T + specific
    return np.exp(log_growth)
