"""All open lots of one household, as arrays: what the optimizers and the planner read.

The one lots-as-arrays type of the engine. Floats are fine here (the ledger keeps Decimals);
securities are positions in a `Universe`, accounts positions in `account_ids`; dates are
proleptic ordinals (`date.toordinal()`), holding periods start on the wash-adjusted date.
Wash-sale windows are household-wide (IRAs included: a buy in an IRA washes a taxable loss).
No Django import.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date

import numpy as np
import numpy.typing as npt

from pma_engine.tax.holding import long_term_date
from pma_engine.tax.models import OpenLot
from pma_engine.universe import Universe

FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]
IntArray = npt.NDArray[np.int64]

WASH_WINDOW_DAYS = 30
"""A loss sale is washed by a purchase within 30 days before or after it (IRC 1091)."""


@dataclass(frozen=True, eq=False)
class HouseholdLots:
    """One entry per open lot (L), per account (A) and per universe security (N).

    `recent_loss_sale_until[n]`: ordinal of the last day on which buying security n would wash
    a recent sale (0: none). Every sale in the window counts, as the arrays do not know which
    sales were losses: the guard errs on the side of not washing. `recent_buy_until[n]`: the
    last day on which a loss sale of n would be washed by a recent purchase (0: none).
    """

    as_of: int
    account_ids: IntArray  # (A,)
    account_is_taxable: BoolArray  # (A,)
    lot_public_ids: tuple[str, ...]  # (L,)
    lot_account: IntArray  # (L,) index into account_ids
    lot_security: IntArray  # (L,) index into the universe
    shares: FloatArray  # (L,)
    basis: FloatArray  # (L,) total adjusted basis
    basis_per_share: FloatArray  # (L,)
    acquired_adjusted: IntArray  # (L,) ordinal of the holding-period start
    is_long_term: BoolArray  # (L,) a sale on as_of is long-term
    days_to_long_term: IntArray  # (L,) 0 once long-term
    recent_loss_sale_until: IntArray  # (N,)
    recent_buy_until: IntArray  # (N,)

    def __post_init__(self) -> None:
        for name in self.__dataclass_fields__:
            value = getattr(self, name)
            if isinstance(value, np.ndarray):
                value.setflags(write=False)

    @property
    def lot_count(self) -> int:
        return len(self.lot_public_ids)

    @property
    def lot_is_taxable(self) -> BoolArray:
        """Per lot: whether its account is taxable (gains and losses count)."""
        return self.account_is_taxable[self.lot_account]

    @property
    def buy_blocked(self) -> BoolArray:
        """Per security: buying on as_of would fall in a recent sale's wash window."""
        return self.recent_loss_sale_until >= self.as_of

    @property
    def loss_sale_blocked(self) -> BoolArray:
        """Per security: a loss sale on as_of would be washed by a recent purchase."""
        return self.recent_buy_until >= self.as_of

    def shares_by_security(self, universe_size: int) -> FloatArray:
        """Held shares per universe position, summed over the household's lots."""
        held = np.zeros(universe_size, dtype=np.float64)
        np.add.at(held, self.lot_security, self.shares)
        return held

    def unrealized_gain_per_share(self, prices: npt.ArrayLike) -> FloatArray:
        """Per lot: price minus basis per share; `prices` in universe order (NaN: unknown)."""
        price = np.asarray(prices, dtype=np.float64)
        if price.shape != self.recent_buy_until.shape:
            raise ValueError(
                f"expected one price per security ({len(self.recent_buy_until)}), "
                f"got shape {price.shape}"
            )
        return price[self.lot_security] - self.basis_per_share


def long_term_ordinals(acquired: IntArray) -> IntArray:
    """First long-term sale day (ordinal) of each acquisition ordinal, once per distinct date."""
    acquired = np.asarray(acquired, dtype=np.int64)
    if not acquired.size:
        return acquired.copy()
    unique, inverse = np.unique(acquired, return_inverse=True)
    firsts = np.array(
        [long_term_date(date.fromordinal(int(day))).toordinal() for day in unique], dtype=np.int64
    )
    return firsts[inverse]


def _window_until(universe_size: int, positions: IntArray, days: IntArray, as_of: int) -> IntArray:
    """Per security: last event day in the window + 30 days, 0 when none reaches as_of."""
    until = np.zeros(universe_size, dtype=np.int64)
    if positions.size:
        np.maximum.at(until, positions, days + WASH_WINDOW_DAYS)
    until[until < as_of] = 0
    return until


def household_lots_build(
    *,
    universe: Universe,
    as_of: date,
    account_ids: Sequence[int] | IntArray,
    account_is_taxable: Sequence[bool] | BoolArray,
    lot_public_ids: Sequence[str],
    lot_account_ids: IntArray,
    lot_security_ids: IntArray,
    shares: FloatArray,
    basis: FloatArray,
    acquired_adjusted: IntArray,
    sale_security_ids: IntArray | None = None,
    sale_days: IntArray | None = None,
    buy_security_ids: IntArray | None = None,
    buy_days: IntArray | None = None,
) -> HouseholdLots:
    """Assemble the arrays from id-keyed columns (as a bulk read gives them).

    Sales and purchases are the household's trades (ordinals); those outside the 30-day window
    before `as_of` do not matter. KeyError names a lot's security missing from the universe.
    """
    as_of_day = as_of.toordinal()
    account_ids = np.asarray(account_ids, dtype=np.int64)
    account_position = {int(a): i for i, a in enumerate(account_ids.tolist())}
    lot_account_ids = np.asarray(lot_account_ids, dtype=np.int64)
    try:
        lot_account = np.fromiter(
            (account_position[a] for a in lot_account_ids.tolist()),
            dtype=np.int64,
            count=len(lot_account_ids),
        )
    except KeyError as error:
        raise KeyError(f"a lot's account {error.args[0]} is not among the accounts") from None
    shares = np.asarray(shares, dtype=np.float64)
    basis = np.asarray(basis, dtype=np.float64)
    acquired_adjusted = np.asarray(acquired_adjusted, dtype=np.int64)
    days = np.maximum(long_term_ordinals(acquired_adjusted) - as_of_day, 0).astype(np.int64)
    with np.errstate(divide="ignore", invalid="ignore"):
        per_share = np.where(shares > 0, basis / np.where(shares > 0, shares, 1.0), 0.0)

    def events(ids, when) -> tuple[IntArray, IntArray]:
        if ids is None or when is None or not len(ids):
            return np.zeros(0, np.int64), np.zeros(0, np.int64)
        ids = np.asarray(ids, dtype=np.int64)
        when = np.asarray(when, dtype=np.int64)
        known = np.fromiter((i in universe for i in ids.tolist()), dtype=bool, count=len(ids))
        return universe.positions(ids[known]), when[known]

    sale_positions, sale_when = events(sale_security_ids, sale_days)
    buy_positions, buy_when = events(buy_security_ids, buy_days)
    return HouseholdLots(
        as_of=as_of_day,
        account_ids=account_ids,
        account_is_taxable=np.asarray(account_is_taxable, dtype=bool),
        lot_public_ids=tuple(lot_public_ids),
        lot_account=lot_account,
        lot_security=universe.positions(np.asarray(lot_security_ids, dtype=np.int64)),
        shares=shares,
        basis=basis,
        basis_per_share=per_share,
        acquired_adjusted=acquired_adjusted,
        is_long_term=days == 0,
        days_to_long_term=days,
        recent_loss_sale_until=_window_until(len(universe), sale_positions, sale_when, as_of_day),
        recent_buy_until=_window_until(len(universe), buy_positions, buy_when, as_of_day),
    )


def household_lots_from_open_lots(
    open_lots: Sequence[OpenLot], as_of: date, *, taxable: bool = True
) -> tuple[Universe, HouseholdLots]:
    """The ledger's open lots (one account, keyed by ticker) as arrays, for engine callers that
    have no ids: each distinct ticker gets a stand-in id, its position in order of appearance."""
    tickers = list(dict.fromkeys(lot.ticker for lot in open_lots))
    universe = Universe(ids=np.arange(len(tickers), dtype=np.int64), tickers=tuple(tickers))
    position = {ticker: i for i, ticker in enumerate(tickers)}
    lots = household_lots_build(
        universe=universe,
        as_of=as_of,
        account_ids=[0],
        account_is_taxable=[taxable],
        lot_public_ids=[str(lot.lot_id or i) for i, lot in enumerate(open_lots)],
        lot_account_ids=np.zeros(len(open_lots), dtype=np.int64),
        lot_security_ids=np.array([position[lot.ticker] for lot in open_lots], dtype=np.int64),
        shares=np.array([float(lot.shares) for lot in open_lots], dtype=np.float64),
        basis=np.array([float(lot.basis) for lot in open_lots], dtype=np.float64),
        acquired_adjusted=np.array(
            [lot.date_acquired.toordinal() for lot in open_lots], dtype=np.int64
        ),
    )
    return universe, lots


def open_lots_unrealized(
    open_lots: Sequence[OpenLot],
    prices: Mapping[str, float] | Sequence[float] | npt.NDArray[np.float64],
    as_of: date,
) -> tuple[HouseholdLots, FloatArray]:
    """The lots as arrays and each lot's unrealized gain per share.

    prices is either a ticker -> price mapping or one price per lot (same order).
    """
    universe, lots = household_lots_from_open_lots(open_lots, as_of)
    if isinstance(prices, Mapping):
        price = np.array([float(prices[ticker]) for ticker in universe.tickers], dtype=np.float64)
        return lots, price[lots.lot_security] - lots.basis_per_share
    price = np.asarray(prices, dtype=np.float64)
    if price.shape != (lots.lot_count,):
        raise ValueError(f"expected {lots.lot_count} prices, got shape {price.shape}")
    return lots, price - lots.basis_per_share
