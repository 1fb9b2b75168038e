"""Open lots as numpy arrays for the optimizer: float arrays are fine there, not in the ledger."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date

import numpy as np
import numpy.typing as npt

from pma_engine.tax.holding import long_term_date
from pma_engine.tax.models import OpenLot


@dataclass(frozen=True)
class LotArrays:
    """One entry per open lot, in the order given; prices and basis per share in currency."""

    shares: npt.NDArray[np.float64]
    basis_per_share: npt.NDArray[np.float64]
    price: npt.NDArray[np.float64]
    unrealized_gain_per_share: npt.NDArray[np.float64]
    is_long_term: npt.NDArray[np.bool_]
    days_until_long_term: npt.NDArray[np.int64]


def open_lots_unrealized(
    open_lots: Sequence[OpenLot],
    prices: Mapping[str, float] | Sequence[float] | npt.NDArray[np.float64],
    as_of: date,
) -> LotArrays:
    """Unrealized gain per share, long-term flag and days until long-term for each lot.

    prices is either a ticker -> price mapping or one price per lot (same order). Holding
    periods use the wash-sale adjusted acquisition date; a sale on `as_of` is long-term when
    days_until_long_term is 0.
    """
    count = len(open_lots)
    if isinstance(prices, Mapping):
        price = np.array([float(prices[lot.ticker]) for lot in open_lots], dtype=np.float64)
    else:
        price = np.asarray(prices, dtype=np.float64)
        if price.shape != (count,):
            raise ValueError(f"expected {count} prices, got shape {price.shape}")
    shares = np.array([float(lot.shares) for lot in open_lots], dtype=np.float64)
    basis = np.array([float(lot.basis) for lot in open_lots], dtype=np.float64)
    basis_per_share = basis / shares if count else basis
    as_of_ordinal = as_of.toordinal()
    long_term_ordinal = np.array(
        [long_term_date(lot.date_acquired).toordinal() for lot in open_lots], dtype=np.int64
    )
    days = np.maximum(long_term_ordinal - as_of_ordinal, 0).astype(np.int64)
    return LotArrays(
        shares=shares,
        basis_per_share=basis_per_share,
        price=price,
        unrealized_gain_per_share=price - basis_per_share,
        is_long_term=days == 0,
        days_until_long_term=days,
    )
