"""Model portfolios of the demo strategies: cap-weight proxies and sector-balanced active picks.

SYNTHETIC: no package ships market capitalizations, so index weights are *cap-weight proxies*.
The ~80 largest US companies take an approximate, rounded market cap from
`data/approx_market_caps.csv` (public figures of 2025, to the nearest tens of billions; enough to
give the proxy the real index's shape: a heavy top and Information Technology as the largest
sector). Every other name gets a synthetic cap drawn from a log-normal distribution whose median
and spread depend on its index (S&P 500: median 35 bn, sigma 1.25, capped below the table's
smallest entry; S&P 600: median 2 bn, sigma 0.6). The draw is keyed by a hash of (seed, ticker),
so a name's cap does not change when other names join or leave the universe. The weights are a
demo proxy, labelled synthetic everywhere, not market data.

Active models follow one documented rule (`active_model_build`): a target sector mix between the
benchmark's and an equal split, names per sector in proportion to it (at least a minimum per
sector), names drawn within each sector by a seeded draw favouring larger benchmark weights, and
near-equal weights within the sector. Plain Python and numpy: no Django import.
"""

from __future__ import annotations

import csv
import hashlib
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_DOWN, Decimal
from functools import lru_cache
from pathlib import Path
from statistics import NormalDist

import numpy as np

# Index name -> (median synthetic cap in USD, log-normal sigma).
CAP_PROXY_PARAMS: dict[str, tuple[float, float]] = {
    "S&P 500": (35e9, 1.25),
    "S&P 600": (2.0e9, 0.6),
}
DEFAULT_CAP_PARAMS = (1.0e9, 0.6)  # a name in no known index
WEIGHT_PLACES = 10  # ModelWeight.weight has 10 decimal places

_NORMAL = NormalDist()
APPROX_CAPS_FILE = Path(__file__).resolve().parent / "data" / "approx_market_caps.csv"


@lru_cache(maxsize=1)
def approximate_market_caps() -> dict[str, float]:
    """Rounded market caps (USD) of the largest US companies, for the demo's index proxies."""
    with APPROX_CAPS_FILE.open(newline="") as handle:
        return {row["ticker"]: float(row["cap_usd_bn"]) * 1e9 for row in csv.DictReader(handle)}


def _unit_draw(seed: int, key: str) -> float:
    """A uniform number in (0, 1) fixed by (seed, key): stable whatever else is in the universe."""
    digest = hashlib.sha256(f"{seed}:{key}".encode()).digest()
    integer = int.from_bytes(digest[:8], "big")
    return (integer + 0.5) / 2**64


def synthetic_market_cap(ticker: str, *, index: str, seed: int) -> float:
    """Cap proxy of `ticker` (USD): the approximate table for the largest names, otherwise a
    log-normal draw around its index's median, kept below the table's smallest entry."""
    table = approximate_market_caps()
    if ticker in table:
        return table[ticker]
    median, sigma = CAP_PROXY_PARAMS.get(index, DEFAULT_CAP_PARAMS)
    z = _NORMAL.inv_cdf(_unit_draw(seed, ticker))
    return min(median * math.exp(sigma * z), 0.9 * min(table.values()))


def cap_weights(caps: Mapping[str, float]) -> dict[str, float]:
    """Weights proportional to (positive) market caps, largest first."""
    total = sum(caps.values())
    if total <= 0:
        raise ValueError("caps must sum to a positive number")
    ordered = sorted(caps.items(), key=lambda item: (-item[1], item[0]))
    return {ticker: cap / total for ticker, cap in ordered}


def sector_weights(weights: Mapping[str, float], sectors: Mapping[str, str]) -> dict[str, float]:
    """Total weight per sector ("" for a name with no sector), sectors sorted by name."""
    totals: dict[str, float] = {}
    for ticker, weight in weights.items():
        sector = sectors.get(ticker, "")
        totals[sector] = totals.get(sector, 0.0) + weight
    return dict(sorted(totals.items()))


def weights_blend(parts: Sequence[tuple[float, Mapping[str, float]]]) -> dict[str, float]:
    """Sum of share x model over the parts (shares should sum to one), largest weight first."""
    blended: dict[str, float] = {}
    for share, weights in parts:
        for ticker, weight in weights.items():
            blended[ticker] = blended.get(ticker, 0.0) + share * weight
    return dict(sorted(blended.items(), key=lambda item: (-item[1], item[0])))


@dataclass(frozen=True)
class ActiveModelRule:
    """How an active model is drawn from its benchmark's universe (see `active_model_build`)."""

    seed: int
    n_names: int = 80
    min_names_per_sector: int = 3
    equal_sector_share: float = 0.25  # target mix = (1 - s) * benchmark + s * equal split
    sector_band: tuple[float, float] = (0.5, 2.0)  # target within [lo, hi] x benchmark weight
    pick_size_power: float = 0.5  # draw probability ~ benchmark weight ** power
    weight_jitter: float = 0.25  # within a sector, weights x Uniform(1 - j, 1 + j)

    def __post_init__(self) -> None:
        if self.n_names < 1 or self.min_names_per_sector < 1:
            raise ValueError("n_names and min_names_per_sector must be positive")
        if not 0.0 <= self.equal_sector_share <= 1.0:
            raise ValueError("equal_sector_share must be in [0, 1]")
        low, high = self.sector_band
        if not 0.0 < low <= 1.0 <= high:
            raise ValueError("sector_band must satisfy 0 < lo <= 1 <= hi")
        if not 0.0 <= self.weight_jitter < 1.0:
            raise ValueError("weight_jitter must be in [0, 1)")


def sector_targets(
    benchmark_sectors: Mapping[str, float], rule: ActiveModelRule
) -> dict[str, float]:
    """The active model's sector mix: pulled toward an equal split, kept inside the band."""
    names = sorted(sector for sector, weight in benchmark_sectors.items() if weight > 0)
    bench = np.array([benchmark_sectors[name] for name in names], dtype=float)
    bench = bench / bench.sum()
    share = rule.equal_sector_share
    target = (1.0 - share) * bench + share / len(names)
    low, high = rule.sector_band[0] * bench, rule.sector_band[1] * bench
    for _ in range(50):  # clip and renormalize until the band holds (water-filling)
        target = np.clip(target, low, high)
        target = target / target.sum()
        if np.all(target >= low - 1e-12) and np.all(target <= high + 1e-12):
            break
    return dict(zip(names, target.tolist(), strict=True))


def _names_per_sector(
    targets: Mapping[str, float], available: Mapping[str, int], rule: ActiveModelRule
) -> dict[str, int]:
    """Largest-remainder split of `n_names` by sector target, at least the minimum each."""
    counts = {sector: min(rule.min_names_per_sector, available[sector]) for sector in targets}
    remaining = rule.n_names - sum(counts.values())
    quotas = {sector: rule.n_names * weight for sector, weight in targets.items()}
    while remaining > 0:
        open_sectors = [s for s in targets if counts[s] < available[s]]
        if not open_sectors:
            break
        # The sector furthest below its quota gets the next name.
        sector = max(open_sectors, key=lambda s: (quotas[s] - counts[s], s))
        counts[sector] += 1
        remaining -= 1
    return counts


def active_model_build(
    *, benchmark: Mapping[str, float], sectors: Mapping[str, str], rule: ActiveModelRule
) -> dict[str, float]:
    """Draw an active model of ~`rule.n_names` names from the benchmark's names.

    1. Sector targets: `sector_targets` (benchmark mix pulled toward an equal split).
    2. Names per sector: proportional to the target, at least `min_names_per_sector`.
    3. Within a sector, names are drawn without replacement with probability proportional to
       benchmark weight ** `pick_size_power` (larger names more likely), from a generator
       seeded by `rule.seed` (sectors in name order, so the draw is reproducible).
    4. Weights: the sector's target split equally, times a seeded Uniform(1 - j, 1 + j)
       factor, renormalized so each sector still sums to its target.
    """
    universe = {t: w for t, w in benchmark.items() if w > 0 and sectors.get(t)}
    if not universe:
        raise ValueError("the benchmark has no names with a sector")
    bench_sectors = sector_weights(universe, sectors)
    targets = sector_targets(bench_sectors, rule)
    members: dict[str, list[str]] = {sector: [] for sector in targets}
    for ticker in sorted(universe):
        members[sectors[ticker]].append(ticker)
    counts = _names_per_sector(targets, {s: len(m) for s, m in members.items()}, rule)

    rng = np.random.default_rng(rule.seed)
    weights: dict[str, float] = {}
    for sector in sorted(targets):
        names = members[sector]
        size = np.array([universe[name] for name in names]) ** rule.pick_size_power
        chosen = rng.choice(len(names), size=counts[sector], replace=False, p=size / size.sum())
        jitter = rng.uniform(1.0 - rule.weight_jitter, 1.0 + rule.weight_jitter, len(chosen))
        split = targets[sector] * jitter / jitter.sum()
        for position, weight in zip(sorted(chosen.tolist()), split.tolist(), strict=True):
            weights[names[position]] = weight
    total = sum(weights.values())
    return dict(
        sorted(((t, w / total) for t, w in weights.items()), key=lambda item: (-item[1], item[0]))
    )


def weights_round(
    weights: Mapping[str, float], *, places: int = WEIGHT_PLACES
) -> dict[str, Decimal]:
    """Decimal weights with `places` decimals that sum to exactly one (largest remainder).

    Names whose weight rounds to zero are dropped.
    """
    total = sum(weights.values())
    if total <= 0:
        raise ValueError("weights must sum to a positive number")
    quantum = Decimal(1).scaleb(-places)
    exact = {ticker: Decimal(repr(weight / total)) for ticker, weight in weights.items()}
    floored = {t: w.quantize(quantum, rounding=ROUND_DOWN) for t, w in exact.items()}
    shortfall = int((Decimal(1) - sum(floored.values())) / quantum)
    by_remainder = sorted(exact, key=lambda t: (-(exact[t] - floored[t]), t))
    for ticker in by_remainder[: max(shortfall, 0)]:
        floored[ticker] += quantum
    return {t: w for t, w in sorted(floored.items(), key=lambda i: (-i[1], i[0])) if w > 0}
