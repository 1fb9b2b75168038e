"""Seeded, synthetic daily prices from a multi-factor model (SYNTHETIC: not market data).

No package ships real price history for ~1,100 names, so the demo simulates one: daily log
returns are market + own-sector + style factors + idiosyncratic noise, all Gaussian and
independent. The true parameters come back with the prices, and pure functions give the
volatilities and correlations they imply, so tests can check sample statistics against theory
and the risk model against the truth.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date

import numpy as np
import numpy.typing as npt

TRADING_DAYS_PER_YEAR = 252
SYNTHETIC_LABEL = "Synthetic prices from a seeded factor simulation; not market data."

FloatArray = npt.NDArray[np.float64]


@dataclass(frozen=True)
class SimulationParams:
    """Annualized parameters of the simulated market; defaults give US-equity-like statistics.

    With the defaults a typical stock has 25-45 % annual volatility, the average pairwise
    correlation is about 0.25 and names in the same sector correlate about 0.05 more.
    """

    market_vol: float = 0.16  # annual volatility of the market factor
    market_drift: float = 0.06  # annual drift of market log returns (times each beta)
    beta_mean: float = 1.0  # market betas ~ Normal(mean, sd), clipped to [min, max]
    beta_sd: float = 0.25
    beta_min: float = 0.4
    beta_max: float = 1.8
    sector_vol_min: float = 0.06  # each sector factor's vol ~ Uniform(min, max)
    sector_vol_max: float = 0.10
    sector_loading_mean: float = 1.0  # loading on the own sector ~ Normal(mean, sd), >= 0.2
    sector_loading_sd: float = 0.2
    style_names: tuple[str, ...] = ("size", "value", "momentum")
    style_vols: tuple[float, ...] = (0.05, 0.04, 0.06)  # style loadings are N(0, 1) z-scores
    idio_vol_min: float = 0.15  # each name's idiosyncratic vol ~ Uniform(min, max)
    idio_vol_max: float = 0.35
    start_price_min: float = 20.0  # anchor prices ~ log-uniform(min, max)
    start_price_max: float = 500.0
    # Which close the anchor price sets: "end" (default) puts the latest close, the one a
    # portal shows next to today's holdings, in the plausible range; "start" the first close.
    # Ten simulated years otherwise leave a few names at implausible levels (thousands of
    # dollars). Returns, and so every statistic, are the same either way.
    price_anchor: str = "end"

    def __post_init__(self) -> None:
        if len(self.style_names) != len(self.style_vols):
            raise ValueError("style_names and style_vols must have the same length")
        if not (0 < self.sector_vol_min <= self.sector_vol_max):
            raise ValueError("need 0 < sector_vol_min <= sector_vol_max")
        if not (0 < self.idio_vol_min <= self.idio_vol_max):
            raise ValueError("need 0 < idio_vol_min <= idio_vol_max")
        if not (0 < self.start_price_min <= self.start_price_max):
            raise ValueError("need 0 < start_price_min <= start_price_max")
        if self.price_anchor not in ("start", "end"):
            raise ValueError("price_anchor is 'start' or 'end'")


@dataclass(frozen=True, eq=False)
class SimulatedPrices:
    """Simulated closes (T x n) plus the true parameters that produced them.

    `closes[0]` are the start prices; `closes[t] = closes[t-1] * exp(log_return[t])`.
    Factor loadings, factor vols and idiosyncratic vols are annual and describe daily log
    returns scaled by 252 (variance) / sqrt(252) (volatility).
    """

    tickers: tuple[str, ...]
    sectors: tuple[str, ...]
    dates: npt.NDArray[np.datetime64]  # business days (Mon-Fri; holidays are not modelled)
    closes: FloatArray  # T x n
    factor_names: tuple[str, ...]
    loadings: FloatArray  # n x K
    factor_vols: FloatArray  # K, annual
    idio_vols: FloatArray  # n, annual
    seed: int
    params: SimulationParams = field(default_factory=SimulationParams)
    label: str = SYNTHETIC_LABEL

    def log_returns(self) -> FloatArray:
        """Daily log returns, (T - 1) x n."""
        return np.diff(np.log(self.closes), axis=0)

    def simple_returns(self) -> FloatArray:
        """Daily simple returns, (T - 1) x n: what a risk model is usually fed."""
        return self.closes[1:] / self.closes[:-1] - 1.0

    def factor_cov(self) -> FloatArray:
        """Annual factor covariance: diagonal, since the factors are independent."""
        return np.diag(self.factor_vols**2)

    def covariance(self) -> FloatArray:
        """True annual covariance of log returns, n x n."""
        return covariance_theoretical(
            loadings=self.loadings, factor_vols=self.factor_vols, idio_vols=self.idio_vols
        )

    def stock_vols(self) -> FloatArray:
        """True annual volatility of each name's log returns."""
        return stock_vols_theoretical(
            loadings=self.loadings, factor_vols=self.factor_vols, idio_vols=self.idio_vols
        )


def covariance_theoretical(
    *, loadings: FloatArray, factor_vols: FloatArray, idio_vols: FloatArray
) -> FloatArray:
    """Annual covariance implied by the parameters: B diag(f^2) B' + diag(idio^2)."""
    scaled = loadings * factor_vols
    covariance = scaled @ scaled.T
    covariance[np.diag_indices_from(covariance)] += idio_vols**2
    return covariance


def stock_vols_theoretical(
    *, loadings: FloatArray, factor_vols: FloatArray, idio_vols: FloatArray
) -> FloatArray:
    """Annual volatility of each name implied by the parameters (no n x n matrix needed)."""
    factor_variance = ((loadings * factor_vols) ** 2).sum(axis=1)
    return np.sqrt(factor_variance + idio_vols**2)


def correlation_theoretical(
    *, loadings: FloatArray, factor_vols: FloatArray, idio_vols: FloatArray
) -> FloatArray:
    """Pairwise correlations implied by the parameters, n x n with ones on the diagonal."""
    covariance = covariance_theoretical(
        loadings=loadings, factor_vols=factor_vols, idio_vols=idio_vols
    )
    vols = np.sqrt(np.diag(covariance))
    return covariance / np.outer(vols, vols)


def correlation_average(
    correlation: FloatArray, *, groups: Sequence[str] | None = None, same_group: bool = True
) -> float:
    """Average off-diagonal correlation: over all pairs, or pairs within (or across) groups."""
    n = correlation.shape[0]
    mask = ~np.eye(n, dtype=bool)
    if groups is not None:
        labels = np.asarray(groups)
        same = labels[:, None] == labels[None, :]
        mask &= same if same_group else ~same
    if not mask.any():
        raise ValueError("no pairs to average")
    return float(correlation[mask].mean())


def prices_simulate(
    *,
    tickers: Sequence[str],
    sectors: Sequence[str],
    n_days: int,
    start: date,
    seed: int,
    params: SimulationParams | None = None,
) -> SimulatedPrices:
    """Simulate `n_days` business-day closes for `tickers`; the same seed gives the same array.

    Factors, in order: market, one per distinct sector (sorted by name), then the styles.
    """
    settings = params or SimulationParams()
    n_names = len(tickers)
    if len(sectors) != n_names:
        raise ValueError("tickers and sectors must have the same length")
    if len(set(tickers)) != n_names:
        raise ValueError("tickers must be unique")
    if n_days < 1:
        raise ValueError("n_days must be at least 1")

    rng = np.random.default_rng(seed)
    sector_names = sorted(set(sectors))
    sector_index = np.array([sector_names.index(sector) for sector in sectors], dtype=np.intp)
    n_sectors = len(sector_names)
    n_styles = len(settings.style_names)
    n_factors = 1 + n_sectors + n_styles

    # Parameters first (fixed draw order), then the return paths.
    betas = np.clip(
        rng.normal(settings.beta_mean, settings.beta_sd, n_names),
        settings.beta_min,
        settings.beta_max,
    )
    sector_loadings = np.maximum(
        rng.normal(settings.sector_loading_mean, settings.sector_loading_sd, n_names), 0.2
    )
    style_loadings = rng.standard_normal((n_names, n_styles))
    sector_vols = rng.uniform(settings.sector_vol_min, settings.sector_vol_max, n_sectors)
    idio_vols = rng.uniform(settings.idio_vol_min, settings.idio_vol_max, n_names)
    start_prices = np.exp(
        rng.uniform(np.log(settings.start_price_min), np.log(settings.start_price_max), n_names)
    )

    loadings = np.zeros((n_names, n_factors))
    loadings[:, 0] = betas
    loadings[np.arange(n_names), 1 + sector_index] = sector_loadings
    loadings[:, 1 + n_sectors :] = style_loadings
    factor_vols = np.concatenate(
        [[settings.market_vol], sector_vols, np.asarray(settings.style_vols, dtype=float)]
    )

    n_returns = n_days - 1
    daily_scale = 1.0 / np.sqrt(TRADING_DAYS_PER_YEAR)
    factor_returns = rng.standard_normal((n_returns, n_factors)) * (factor_vols * daily_scale)
    log_returns = factor_returns @ loadings.T
    log_returns += rng.standard_normal((n_returns, n_names)) * (idio_vols * daily_scale)
    log_returns += betas * (settings.market_drift / TRADING_DAYS_PER_YEAR)

    closes = np.empty((n_days, n_names))
    closes[0] = 0.0
    np.cumsum(log_returns, axis=0, out=closes[1:])
    if settings.price_anchor == "end":
        closes -= closes[-1]
    closes = start_prices * np.exp(closes)

    dates = np.busday_offset(np.datetime64(start, "D"), np.arange(n_days), roll="forward")
    factor_names = ("market", *(f"sector:{name}" for name in sector_names), *settings.style_names)
    return SimulatedPrices(
        tickers=tuple(tickers),
        sectors=tuple(sectors),
        dates=dates,
        closes=closes,
        factor_names=factor_names,
        loadings=loadings,
        factor_vols=factor_vols,
        idio_vols=idio_vols,
        seed=seed,
        params=settings,
    )
