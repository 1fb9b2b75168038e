"""Statistical factor risk model and ex-ante tracking error (see docs/risk-model.md).

Covariance is kept in factor form, Sigma = B F B' + diag(D), so tracking error costs O(n K)
instead of O(n^2) and the matrix is positive definite by construction (D > 0). The model is
estimated by principal components of exponentially weighted daily returns, with the specific
noise inside the eigen-portfolios removed; names with gaps are regressed on the factor returns
over the days they have, and names with too little history (or tickers the model has never
seen) get their sector's average exposures and a high specific variance, flagged in
`is_proxy`. Plain numpy and scipy: no Django import.
"""

from __future__ import annotations

import io
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from functools import cached_property
from typing import Any

import numpy as np
import numpy.typing as npt
import scipy.linalg

TRADING_DAYS_PER_YEAR = 252
SERIALIZATION_VERSION = 1

FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]
IntArray = npt.NDArray[np.int64]


@dataclass(frozen=True, eq=False)
class FactorRiskModel:
    """Annualized factor covariance Sigma = B F B' + diag(D) for a fixed list of tickers.

    Arrays are read-only. `is_proxy[i]` marks a name whose exposures are a sector average
    (too little history, or unknown when the model was reindexed); `n_observations[i]` is the
    number of daily returns the name contributed.
    """

    tickers: tuple[str, ...]
    exposures: FloatArray  # B: n x K
    factor_cov: FloatArray  # F: K x K, annual
    specific_var: FloatArray  # D: n, annual
    as_of: date
    factor_names: tuple[str, ...] = ()
    sectors: tuple[str, ...] = ()  # "" where unknown
    is_proxy: BoolArray = field(default_factory=lambda: np.zeros(0, dtype=bool))
    n_observations: IntArray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    half_life_days: float | None = None
    history_days: int = 0

    def __post_init__(self) -> None:
        n_names = len(self.tickers)
        exposures = np.array(self.exposures, dtype=np.float64)
        if exposures.ndim != 2 or exposures.shape[0] != n_names:
            raise ValueError(f"exposures must be {n_names} x K, got {exposures.shape}")
        n_factors = exposures.shape[1]
        factor_cov = np.array(self.factor_cov, dtype=np.float64)
        if factor_cov.shape != (n_factors, n_factors):
            raise ValueError(f"factor_cov must be {n_factors} x {n_factors}")
        specific_var = np.array(self.specific_var, dtype=np.float64)
        if specific_var.shape != (n_names,):
            raise ValueError(f"specific_var must have length {n_names}")
        if np.any(specific_var < 0) or not np.all(np.isfinite(specific_var)):
            raise ValueError("specific_var must be finite and non-negative")
        if len(set(self.tickers)) != n_names:
            raise ValueError("tickers must be unique")
        factor_names = self.factor_names or tuple(f"F{k + 1}" for k in range(n_factors))
        if len(factor_names) != n_factors:
            raise ValueError("factor_names must have one name per factor")
        sectors = self.sectors or ("",) * n_names
        if len(sectors) != n_names:
            raise ValueError("sectors must have one entry per ticker")
        is_proxy = np.array(self.is_proxy, dtype=bool) if len(self.is_proxy) else None
        n_observations = (
            np.array(self.n_observations, dtype=np.int64) if len(self.n_observations) else None
        )
        values: dict[str, Any] = {
            "tickers": tuple(self.tickers),
            "exposures": exposures,
            "factor_cov": factor_cov,
            "specific_var": specific_var,
            "factor_names": tuple(factor_names),
            "sectors": tuple(sectors),
            "is_proxy": is_proxy if is_proxy is not None else np.zeros(n_names, dtype=bool),
            "n_observations": (
                n_observations if n_observations is not None else np.zeros(n_names, np.int64)
            ),
        }
        if values["is_proxy"].shape != (n_names,) or values["n_observations"].shape != (n_names,):
            raise ValueError("is_proxy and n_observations must have one entry per ticker")
        for name, value in values.items():
            if isinstance(value, np.ndarray):
                value.setflags(write=False)
            object.__setattr__(self, name, value)

    @property
    def n_names(self) -> int:
        return len(self.tickers)

    @property
    def n_factors(self) -> int:
        return int(self.exposures.shape[1])

    @cached_property
    def _position_by_ticker(self) -> dict[str, int]:
        return {ticker: position for position, ticker in enumerate(self.tickers)}

    def index_of(self, ticker: str) -> int:
        """Row of `ticker`; KeyError if the model does not know it."""
        return self._position_by_ticker[ticker]

    def __contains__(self, ticker: object) -> bool:
        return ticker in self._position_by_ticker

    def covariance_dense(self) -> FloatArray:
        """The full n x n annual covariance (for checks and small universes only)."""
        covariance = self.exposures @ self.factor_cov @ self.exposures.T
        covariance[np.diag_indices_from(covariance)] += self.specific_var
        return covariance

    def predicted_vols(self) -> FloatArray:
        """Annual volatility of each name, without forming the n x n matrix."""
        factor_var = np.einsum("ik,kl,il->i", self.exposures, self.factor_cov, self.exposures)
        return np.sqrt(factor_var + self.specific_var)

    def subset(self, tickers: Sequence[str]) -> FactorRiskModel:
        """The model restricted to (and ordered as) `tickers`; every ticker must be known."""
        missing = [ticker for ticker in tickers if ticker not in self]
        if missing:
            raise KeyError(f"tickers not in the risk model: {missing[:10]}")
        return self.reindex(tickers)

    def reindex(
        self, tickers: Sequence[str], *, sectors: Mapping[str, str] | None = None
    ) -> FactorRiskModel:
        """The model over `tickers`, in that order; unknown tickers get a flagged proxy row.

        A proxy row has the average exposures of the model's non-proxy names in the ticker's
        sector (taken from `sectors`; all names if the sector is unknown or empty) and the 90th
        percentile of their specific variances, so an unknown name never looks riskless.
        """
        positions = [self._position_by_ticker.get(ticker, -1) for ticker in tickers]
        n_names = len(tickers)
        exposures = np.empty((n_names, self.n_factors))
        specific_var = np.empty(n_names)
        is_proxy = np.empty(n_names, dtype=bool)
        n_observations = np.zeros(n_names, dtype=np.int64)
        row_sectors: list[str] = []
        for row, (ticker, position) in enumerate(zip(tickers, positions, strict=True)):
            if position >= 0:
                exposures[row] = self.exposures[position]
                specific_var[row] = self.specific_var[position]
                is_proxy[row] = self.is_proxy[position]
                n_observations[row] = self.n_observations[position]
                row_sectors.append(self.sectors[position])
            else:
                sector = (sectors or {}).get(ticker, "")
                exposures[row], specific_var[row] = _proxy_row(
                    exposures=self.exposures,
                    specific_var=self.specific_var,
                    sectors=self.sectors,
                    reliable=~self.is_proxy,
                    sector=sector,
                )
                is_proxy[row] = True
                row_sectors.append(sector)
        return FactorRiskModel(
            tickers=tuple(tickers),
            exposures=exposures,
            factor_cov=self.factor_cov,
            specific_var=specific_var,
            as_of=self.as_of,
            factor_names=self.factor_names,
            sectors=tuple(row_sectors),
            is_proxy=is_proxy,
            n_observations=n_observations,
            half_life_days=self.half_life_days,
            history_days=self.history_days,
        )

    def to_dict(self) -> dict[str, Any]:
        """Plain, JSON-ready dict (lists and strings) of everything in the model."""
        return {
            "version": SERIALIZATION_VERSION,
            "tickers": list(self.tickers),
            "exposures": self.exposures.tolist(),
            "factor_cov": self.factor_cov.tolist(),
            "specific_var": self.specific_var.tolist(),
            "as_of": self.as_of.isoformat(),
            "factor_names": list(self.factor_names),
            "sectors": list(self.sectors),
            "is_proxy": self.is_proxy.tolist(),
            "n_observations": self.n_observations.tolist(),
            "half_life_days": self.half_life_days,
            "history_days": self.history_days,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> FactorRiskModel:
        """Inverse of `to_dict`."""
        if data.get("version") != SERIALIZATION_VERSION:
            raise ValueError(f"unsupported risk model version {data.get('version')!r}")
        n_factors = len(data["factor_names"])
        return cls(
            tickers=tuple(data["tickers"]),
            exposures=np.array(data["exposures"], dtype=np.float64).reshape(-1, n_factors),
            factor_cov=np.array(data["factor_cov"], dtype=np.float64).reshape(n_factors, -1),
            specific_var=np.array(data["specific_var"], dtype=np.float64),
            as_of=date.fromisoformat(data["as_of"]),
            factor_names=tuple(data["factor_names"]),
            sectors=tuple(data["sectors"]),
            is_proxy=np.array(data["is_proxy"], dtype=bool),
            n_observations=np.array(data["n_observations"], dtype=np.int64),
            half_life_days=data["half_life_days"],
            history_days=int(data["history_days"]),
        )

    def to_bytes(self) -> bytes:
        """Compressed .npz bytes (no pickle) for a Django BinaryField or FileField."""
        meta = {
            "version": SERIALIZATION_VERSION,
            "as_of": self.as_of.isoformat(),
            "half_life_days": self.half_life_days,
            "history_days": self.history_days,
        }
        buffer = io.BytesIO()
        np.savez_compressed(
            buffer,
            meta=np.array(json.dumps(meta)),
            tickers=np.array(self.tickers, dtype=np.str_),
            exposures=self.exposures,
            factor_cov=self.factor_cov,
            specific_var=self.specific_var,
            factor_names=np.array(self.factor_names, dtype=np.str_),
            sectors=np.array(self.sectors, dtype=np.str_),
            is_proxy=self.is_proxy,
            n_observations=self.n_observations,
        )
        return buffer.getvalue()

    @classmethod
    def from_bytes(cls, payload: bytes) -> FactorRiskModel:
        """Inverse of `to_bytes`; never unpickles."""
        with np.load(io.BytesIO(payload), allow_pickle=False) as archive:
            meta = json.loads(str(archive["meta"]))
            if meta.get("version") != SERIALIZATION_VERSION:
                raise ValueError(f"unsupported risk model version {meta.get('version')!r}")
            n_factors = len(archive["factor_names"])
            return cls(
                tickers=tuple(str(ticker) for ticker in archive["tickers"]),
                exposures=archive["exposures"].reshape(-1, n_factors),
                factor_cov=archive["factor_cov"].reshape(n_factors, n_factors),
                specific_var=archive["specific_var"],
                as_of=date.fromisoformat(meta["as_of"]),
                factor_names=tuple(str(name) for name in archive["factor_names"]),
                sectors=tuple(str(sector) for sector in archive["sectors"]),
                is_proxy=archive["is_proxy"],
                n_observations=archive["n_observations"],
                half_life_days=meta["half_life_days"],
                history_days=int(meta["history_days"]),
            )


def _proxy_row(
    *,
    exposures: FloatArray,
    specific_var: FloatArray,
    sectors: Sequence[str],
    reliable: BoolArray,
    sector: str,
) -> tuple[FloatArray, float]:
    """Average exposures and 90th-percentile specific variance of reliable peers."""
    peers = reliable & (np.asarray(sectors, dtype=object) == sector) if sector else reliable
    if not peers.any():
        peers = reliable
    if not peers.any():
        raise ValueError("the model has no reliable names to build a proxy from")
    return exposures[peers].mean(axis=0), float(np.percentile(specific_var[peers], 90))


def risk_model_estimate(
    *,
    returns: npt.ArrayLike,
    tickers: Sequence[str],
    as_of: date,
    sectors: Sequence[str] | None = None,
    n_factors: int = 20,
    half_life_days: float | None = 252.0,
    min_observations: int = 60,
    core_min_coverage: float = 0.9,
    specific_var_prior_days: float = 21.0,
    specific_vol_floor: float = 0.05,
    noise_correction: bool = True,
) -> FactorRiskModel:
    """Estimate a K-factor statistical (PCA) model from daily returns (T x n; NaN = missing).

    - `returns` are daily simple (or log) returns, one column per ticker; NaN or inf marks a
      day a name has no return (not listed yet, suspended). `as_of` is the last row's date.
    - Day weights halve every `half_life_days` back from the last row (None: equal weights);
      each name is demeaned with its own weighted mean.
    - Factors are the top `n_factors` principal components of the names observed on at least
      `core_min_coverage` of the days (gaps count as the name's mean). K is cut to what the
      data supports (fewer than the core names, the days and `min_observations`).
    - Every name with at least `min_observations` returns (or all T, if fewer) gets exposures
      by weighted least squares on the factor returns over its own days. With
      `noise_correction` the specific noise that the eigen-portfolios carry is taken out of
      the factor covariance and of the regressions (errors in variables; docs/risk-model.md).
    - Specific variance = the name's variance minus its factor variance, shrunk toward its
      sector's mean with the weight of `specific_var_prior_days` days of data and floored at
      `specific_vol_floor` (annual volatility).
    - Names with less history get their sector's average exposures and the 90th percentile of
      their sector's specific variances (`is_proxy`). Everything is annualized with 252 days.
    """
    matrix = np.array(returns, dtype=np.float64)
    if matrix.ndim != 2:
        raise ValueError("returns must be a T x n matrix")
    n_days, n_names = matrix.shape
    if len(tickers) != n_names:
        raise ValueError("tickers must match the columns of returns")
    sector_list = tuple(sectors) if sectors is not None else ("",) * n_names
    if len(sector_list) != n_names:
        raise ValueError("sectors must match the columns of returns")
    if n_days < 3:
        raise ValueError("need at least 3 days of returns")
    if n_factors < 1:
        raise ValueError("n_factors must be at least 1")

    observed = np.isfinite(matrix)
    n_observations = observed.sum(axis=0).astype(np.int64)
    needed = min(min_observations, n_days)
    usable = n_observations >= needed
    if not usable.any():
        raise ValueError(f"no name has the {needed} observations needed")

    day_weights = _day_weights(n_days, half_life_days)
    observed_weights = day_weights[:, None] * observed
    weight_sums = observed_weights.sum(axis=0)
    means = np.divide(
        np.where(observed, matrix, 0.0).T @ day_weights,
        weight_sums,
        out=np.zeros(n_names),
        where=weight_sums > 0,
    )
    demeaned = np.where(observed, matrix - means, 0.0)

    coverage = n_observations / n_days
    core = usable & (coverage >= core_min_coverage)
    n_core_min = max(2 * n_factors, 10)
    if core.sum() < min(n_core_min, usable.sum()):
        core = usable
    n_core = int(core.sum())
    n_factors_used = max(1, min(n_factors, n_core - 1, n_days - 2, needed - 2))

    core_demeaned = demeaned[:, core]
    loadings = _principal_components(core_demeaned, day_weights, n_factors_used)
    factor_returns = core_demeaned @ loadings  # T x K: returns of the eigen-portfolios

    # The eigen-portfolios carry some of their own members' specific returns; that noise
    # inflates the factor covariance and biases exposures (errors in variables). Estimate it
    # from the core names' residuals and take it out of both.
    core_positions = np.flatnonzero(core)
    core_residuals = (core_demeaned - factor_returns @ loadings.T) * observed[:, core]
    core_specific = (core_residuals**2 * day_weights[:, None]).sum(axis=0) / weight_sums[core]
    leverage = (loadings**2).sum(axis=1)
    core_specific /= np.clip(1.0 - leverage, 0.5, 1.0)
    if noise_correction:
        noise = loadings.T @ ((core_specific * weight_sums[core])[:, None] * loadings)
    else:
        noise = np.zeros((n_factors_used, n_factors_used))
    eigen_floor = _eigen_floor(noise, day_weights @ factor_returns**2)

    usable_positions = np.flatnonzero(usable)
    own_noise = np.zeros((n_names, n_factors_used))
    if noise_correction:
        own_noise[core_positions] = core_specific[:, None] * loadings
    exposures = np.zeros((n_names, n_factors_used))
    raw_specific = np.zeros(n_names)
    exposures[usable], raw_specific[usable] = _exposures_regress(
        demeaned=demeaned[:, usable],
        observed=observed[:, usable],
        factor_returns=factor_returns,
        day_weights=day_weights,
        noise=noise,
        own_noise=own_noise[usable_positions],
        eigen_floor=eigen_floor,
    )
    factor_second_moment = (factor_returns * day_weights[:, None]).T @ factor_returns
    factor_cov_daily = _psd_floor(factor_second_moment - noise, eigen_floor)
    effective_days = np.divide(
        weight_sums**2,
        (observed * day_weights[:, None] ** 2).sum(axis=0),
        out=np.zeros(n_names),
        where=weight_sums > 0,
    )
    specific_daily = _specific_shrink(
        raw_specific=raw_specific,
        effective_days=effective_days,
        usable=usable,
        sectors=sector_list,
        prior_days=specific_var_prior_days,
    )
    specific_daily = np.maximum(specific_daily, specific_vol_floor**2 / TRADING_DAYS_PER_YEAR)

    for position in np.flatnonzero(~usable):
        exposures[position], specific_daily[position] = _proxy_row(
            exposures=exposures,
            specific_var=specific_daily,
            sectors=sector_list,
            reliable=usable,
            sector=sector_list[position],
        )

    return FactorRiskModel(
        tickers=tuple(tickers),
        exposures=exposures,
        factor_cov=factor_cov_daily * TRADING_DAYS_PER_YEAR,
        specific_var=specific_daily * TRADING_DAYS_PER_YEAR,
        as_of=as_of,
        factor_names=tuple(f"PC{k + 1}" for k in range(n_factors_used)),
        sectors=sector_list,
        is_proxy=~usable,
        n_observations=n_observations,
        half_life_days=half_life_days,
        history_days=n_days,
    )


def _day_weights(n_days: int, half_life_days: float | None) -> FloatArray:
    """Exponential day weights summing to one, newest day heaviest."""
    if half_life_days is None:
        weights = np.ones(n_days)
    else:
        if half_life_days <= 0:
            raise ValueError("half_life_days must be positive")
        age = np.arange(n_days - 1, -1, -1, dtype=np.float64)
        weights = 0.5 ** (age / half_life_days)
    return np.asarray(weights / weights.sum(), dtype=np.float64)


def _principal_components(
    demeaned: FloatArray, day_weights: FloatArray, n_factors: int
) -> FloatArray:
    """Top eigenvectors (n x K) of the weighted covariance, via the smaller Gram matrix."""
    n_days, n_names = demeaned.shape
    scaled = demeaned * np.sqrt(day_weights)[:, None]
    if n_names <= n_days:
        gram = scaled.T @ scaled
        _, vectors = scipy.linalg.eigh(gram, subset_by_index=[n_names - n_factors, n_names - 1])
    else:
        gram = scaled @ scaled.T
        values, day_vectors = scipy.linalg.eigh(
            gram, subset_by_index=[n_days - n_factors, n_days - 1]
        )
        vectors = scaled.T @ day_vectors / np.sqrt(np.maximum(values, 1e-300))
    vectors = vectors[:, ::-1]  # largest first
    signs = np.where(vectors.sum(axis=0) < 0, -1.0, 1.0)  # deterministic orientation
    return np.asarray(vectors * signs, dtype=np.float64)


def _eigen_floor(noise: FloatArray, factor_variances: FloatArray) -> float:
    """Smallest eigenvalue a factor (second-moment) matrix may keep after noise removal."""
    scale = float(np.mean(np.diag(noise))) if noise.any() else 0.0
    return max(0.1 * scale, 1e-12 * float(np.max(factor_variances, initial=0.0)), 1e-300)


def _psd_floor(matrices: FloatArray, floor: float) -> FloatArray:
    """Symmetrize and raise every eigenvalue to at least `floor` (works on stacks of K x K)."""
    symmetric = 0.5 * (matrices + np.swapaxes(matrices, -1, -2))
    values, vectors = np.linalg.eigh(symmetric)
    values = np.maximum(values, floor)
    return np.asarray((vectors * values[..., None, :]) @ np.swapaxes(vectors, -1, -2))


def _exposures_regress(
    *,
    demeaned: FloatArray,
    observed: BoolArray,
    factor_returns: FloatArray,
    day_weights: FloatArray,
    noise: FloatArray,
    own_noise: FloatArray,
    eigen_floor: float,
) -> tuple[FloatArray, FloatArray]:
    """Exposures and specific variances by noise-corrected weighted least squares.

    Over each name's own days: b = (G - N)^-1 (c - own), where G is the factor returns' second
    moment, c their cross-moment with the name, N the specific noise inside the factor returns
    and `own` the name's own share of it; specific variance = var - b'(G - N)b. With N = 0 this
    is ordinary weighted least squares and the specific variance is the residual variance.
    """
    n_names = demeaned.shape[1]
    n_days, n_factors = factor_returns.shape
    exposures = np.empty((n_names, n_factors))
    specific = np.empty(n_names)
    own_weights = observed * day_weights[:, None]
    own_weights = own_weights / own_weights.sum(axis=0)
    total_var = (demeaned**2 * own_weights).sum(axis=0)
    cross = (demeaned * own_weights).T @ factor_returns - own_noise  # n x K

    complete = observed.all(axis=0)
    if complete.any():
        moment = _psd_floor(
            (factor_returns * day_weights[:, None]).T @ factor_returns - noise, eigen_floor
        )
        solved = np.linalg.solve(moment, cross[complete].T).T
        exposures[complete] = solved
        specific[complete] = total_var[complete] - np.einsum("ik,ik->i", solved, cross[complete])
    partial = np.flatnonzero(~complete)
    if partial.size:
        outer = (factor_returns[:, :, None] * factor_returns[:, None, :]).reshape(
            n_days, n_factors * n_factors
        )
        moments = (own_weights[:, partial].T @ outer).reshape(partial.size, n_factors, n_factors)
        moments = _psd_floor(moments - noise, eigen_floor)
        solved = np.linalg.solve(moments, cross[partial][:, :, None])[:, :, 0]
        exposures[partial] = solved
        specific[partial] = total_var[partial] - np.einsum("ik,ik->i", solved, cross[partial])
    return exposures, np.maximum(specific, 0.0)


def _specific_shrink(
    *,
    raw_specific: FloatArray,
    effective_days: FloatArray,
    usable: BoolArray,
    sectors: Sequence[str],
    prior_days: float,
) -> FloatArray:
    """Blend each specific variance with its sector's mean, as if that were `prior_days` of data."""
    sector_array = np.asarray(sectors, dtype=object)
    targets = np.full(raw_specific.shape, raw_specific[usable].mean())
    for sector in set(sector_array[usable]):
        members = usable & (sector_array == sector)
        targets[sector_array == sector] = raw_specific[members].mean()
    blended = (effective_days * raw_specific + prior_days * targets) / (effective_days + prior_days)
    return np.asarray(np.where(usable, blended, targets), dtype=np.float64)


def _active_weights(
    model: FactorRiskModel, weights: npt.ArrayLike, benchmark: npt.ArrayLike
) -> FloatArray:
    active = np.asarray(weights, dtype=np.float64) - np.asarray(benchmark, dtype=np.float64)
    if active.shape[-1] != model.n_names:
        raise ValueError(f"weights must have {model.n_names} entries, got {active.shape[-1]}")
    return active


def tracking_error(model: FactorRiskModel, w: npt.ArrayLike, b: npt.ArrayLike) -> float:
    """Annualized ex-ante tracking error of weights `w` against `b`, as a fraction (0.012).

    Factor form: a = w - b, TE^2 = (B'a)' F (B'a) + sum(D a^2); `w` and `b` follow
    `model.tickers` (use `model.reindex` first for other ticker lists).
    """
    active = _active_weights(model, w, b)
    if active.ndim != 1:
        raise ValueError("w and b must be vectors; use tracking_error_batch for matrices")
    factor_active = model.exposures.T @ active
    variance = float(factor_active @ model.factor_cov @ factor_active)
    variance += float(model.specific_var @ active**2)
    return float(np.sqrt(max(variance, 0.0)))


def tracking_error_pct(model: FactorRiskModel, w: npt.ArrayLike, b: npt.ArrayLike) -> float:
    """`tracking_error` in percent a year (1.2 for 1.2 %), as reports show it."""
    return 100.0 * tracking_error(model, w, b)


def tracking_error_batch(
    model: FactorRiskModel, weights: npt.ArrayLike, benchmark: npt.ArrayLike
) -> FloatArray:
    """Tracking errors of many portfolios at once: `weights` is m x n, `benchmark` n or m x n."""
    active = np.atleast_2d(_active_weights(model, weights, benchmark))
    factor_active = active @ model.exposures  # m x K
    variance = np.einsum("mk,kl,ml->m", factor_active, model.factor_cov, factor_active)
    variance += (active**2) @ model.specific_var
    return np.asarray(np.sqrt(np.maximum(variance, 0.0)), dtype=np.float64)


def portfolio_volatility(model: FactorRiskModel, w: npt.ArrayLike) -> float:
    """Annualized volatility of a portfolio (tracking error against cash)."""
    return tracking_error(model, w, np.zeros(model.n_names))


def tracking_error_by_ticker(
    model: FactorRiskModel,
    weights: Mapping[str, float],
    benchmark: Mapping[str, float],
    *,
    sectors: Mapping[str, str] | None = None,
) -> float:
    """Tracking error for ticker -> weight mappings; unknown tickers get proxy rows."""
    tickers = list(dict.fromkeys([*weights, *benchmark]))
    aligned = model.reindex(tickers, sectors=sectors)
    w = np.array([weights.get(ticker, 0.0) for ticker in tickers])
    b = np.array([benchmark.get(ticker, 0.0) for ticker in tickers])
    return tracking_error(aligned, w, b)
