"""One scenario's account as the years go by: lots in fixed slots, cash, prices, wash windows.

Slots keep the optimizer's problem the same shape year after year and path after path, so one
parameterized solver per (constraint set, year) is built once and re-solved: the account's lots
come first (identical lots, same asset, basis and acquisition day, merged into one slot: they
can never change the answer), then one block per year for that year's buys, one slot per name
the planner may buy (in the target and not restricted: a transition never buys names outside
its target), basis = the price paid, acquired that day.
Sold-out and not-yet-used slots hold zero shares and are frozen.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal

import numpy as np

from pma_engine.rebalance.types import RebalanceProblem
from pma_engine.tax.holding import long_term_date
from pma_engine.transition.types import (
    WASH_WINDOW_DAYS,
    BoolArray,
    FloatArray,
    IntArray,
    TransitionInput,
)

NO_DAY = -(10**9)
SHARE_EPS = 1e-9  # shares below this are solver noise
NOISE_FRACTION = 1e-7  # and so are trades worth less than this fraction of the account


@dataclass(frozen=True, eq=False)
class Layout:
    """The fixed part: slot -> asset, the original lots behind each merged slot, name groups."""

    slot_asset: IntArray  # (S,)
    original_slots: int  # L0 after merging
    n_assets: int
    block_slot: IntArray  # (N,) an asset's slot within a year's block, -1 if never bought
    block_size: int
    slot_ids: tuple[str, ...]  # labels of the slots for the optimizer's problem
    members: tuple[tuple[int, ...], ...]  # per original slot: indices of the file's lots
    lot_ids: tuple[str, ...]  # the file's lot ids
    lot_shares: tuple[float, ...]  # the file's lot sizes
    group: IntArray  # (N,) wash-sale name group of each asset

    def slots_for_year(self, year: int) -> int:
        """Slots the solve of `year` (1-based) sees: the lots plus the blocks of earlier years."""
        return self.original_slots + (year - 1) * self.block_size


@dataclass(eq=False)
class Book:
    """Mutable state of one scenario on one path."""

    layout: Layout
    prices: FloatArray
    target: FloatArray
    cash: float
    shares: FloatArray  # (S,)
    basis: FloatArray  # (S,) per share
    acquired: IntArray  # (S,) ordinal day
    long_term_day: IntArray  # (S,) first ordinal day the slot's lot is long-term
    last_buy_day: IntArray  # (G,)
    last_loss_sale_day: IntArray  # (G,)
    st_carry: Decimal = Decimal(0)  # losses carried in (positive amounts), in cents
    lt_carry: Decimal = Decimal(0)

    def copy(self) -> Book:
        return replace(
            self,
            prices=self.prices.copy(),
            target=self.target.copy(),
            shares=self.shares.copy(),
            basis=self.basis.copy(),
            acquired=self.acquired.copy(),
            long_term_day=self.long_term_day.copy(),
            last_buy_day=self.last_buy_day.copy(),
            last_loss_sale_day=self.last_loss_sale_day.copy(),
        )

    def asset_shares(self) -> FloatArray:
        return np.bincount(  # type: ignore[return-value]
            self.layout.slot_asset, weights=self.shares, minlength=self.layout.n_assets
        )

    def equity(self) -> float:
        return float(self.cash + self.asset_shares() @ self.prices)


def _lt_day(ordinal: int) -> int:
    return long_term_date(date.fromordinal(int(ordinal))).toordinal()


def book_open(inp: TransitionInput) -> Book:
    """The account at the first trade date, identical lots merged."""
    p = inp.problem
    n = p.asset_count
    keys: dict[tuple[int, float, int], int] = {}
    members: list[list[int]] = []
    for lot in range(p.lot_count):
        key = (int(p.lot_asset[lot]), float(p.lot_basis_per_share[lot]), int(inp.lot_acquired[lot]))
        if not inp.merge_identical_lots:
            key = (lot, 0.0, 0)
        if key not in keys:
            keys[key] = len(members)
            members.append([])
        members[keys[key]].append(lot)
    l0 = len(members)
    blocks = inp.years  # buys of every year (the last year's only matter at the horizon)
    buyable = np.asarray(p.target_weights) > 0
    if p.buy_allowed is not None:
        buyable &= np.asarray(p.buy_allowed, dtype=bool)
    buyable_assets = np.nonzero(buyable)[0]
    block_slot = np.full(n, -1, dtype=np.int64)
    block_slot[buyable_assets] = np.arange(len(buyable_assets))
    slots = l0 + blocks * len(buyable_assets)
    slot_asset = np.concatenate(
        [
            np.array([p.lot_asset[m[0]] for m in members], dtype=np.int64),
            np.tile(buyable_assets, blocks),
        ]
    ).astype(np.int64)
    group = (
        np.asarray(p.name_group, dtype=np.int64)
        if p.name_group is not None
        else np.arange(n, dtype=np.int64)
    )
    layout = Layout(
        slot_asset=slot_asset,
        original_slots=l0,
        n_assets=n,
        block_slot=block_slot,
        block_size=len(buyable_assets),
        slot_ids=tuple(f"slot-{i}" for i in range(slots)),
        members=tuple(tuple(m) for m in members),
        lot_ids=tuple(p.lot_ids),
        lot_shares=tuple(float(x) for x in p.lot_shares),
        group=group,
    )
    shares = np.zeros(slots)
    basis = np.zeros(slots)
    acquired = np.full(slots, NO_DAY, dtype=np.int64)
    for slot, member in enumerate(members):
        shares[slot] = float(np.sum(p.lot_shares[list(member)]))
        basis[slot] = float(p.lot_basis_per_share[member[0]])
        acquired[slot] = int(inp.lot_acquired[member[0]])
    long_term_day = np.full(slots, NO_DAY, dtype=np.int64)
    long_term_day[:l0] = [_lt_day(day) for day in acquired[:l0]]
    n_groups = int(group.max()) + 1 if n else 0
    last_buy = np.full(n_groups, NO_DAY, dtype=np.int64)
    if inp.last_buy_day is not None:
        np.maximum.at(last_buy, group, np.asarray(inp.last_buy_day, dtype=np.int64))
    if l0:
        np.maximum.at(last_buy, group[slot_asset[:l0]], acquired[:l0])
    last_loss = np.full(n_groups, NO_DAY, dtype=np.int64)
    if inp.last_loss_sale_day is not None:
        np.maximum.at(last_loss, group, np.asarray(inp.last_loss_sale_day, dtype=np.int64))
    return Book(
        layout=layout,
        prices=np.asarray(p.prices, dtype=float).copy(),
        target=np.asarray(p.target_weights, dtype=float).copy(),
        cash=float(p.cash),
        shares=shares,
        basis=basis,
        acquired=acquired,
        long_term_day=long_term_day,
        last_buy_day=last_buy,
        last_loss_sale_day=last_loss,
    )


def wash_blocks(book: Book, *, day: int) -> tuple[BoolArray, BoolArray]:
    """(buy_blocked (N,), loss_lot_frozen (S,)) from the household's 30-day windows at `day`."""
    group = book.layout.group
    buy_blocked = (day - book.last_loss_sale_day[group]) <= WASH_WINDOW_DAYS
    recent_buy = (day - book.last_buy_day[group]) <= WASH_WINDOW_DAYS
    slot_asset = book.layout.slot_asset
    loss_lot = book.basis > book.prices[slot_asset]
    return buy_blocked, recent_buy[slot_asset] & loss_lot


def book_problem(
    book: Book,
    *,
    base: RebalanceProblem,
    year: int,
    day: int,
    te_max: float | None,
    te_max_soft: bool = False,
    gain_budget: float | None,
    tax_budget: float | None,
    first_year: bool,
) -> RebalanceProblem:
    """The optimizer's problem for this year's trade date over the year's slots."""
    layout = book.layout
    s = layout.slots_for_year(year)
    slot_asset = layout.slot_asset[:s]
    buy_blocked, frozen = wash_blocks(book, day=day)
    sell_max = np.where(frozen[:s], 0.0, book.shares[:s])
    if first_year and base.lot_sell_max is not None:
        base_max = np.zeros(s)
        for slot, member in enumerate(layout.members):
            base_max[slot] = float(np.sum(np.asarray(base.lot_sell_max)[list(member)]))
        sell_max = np.minimum(sell_max, base_max)
    buy_allowed = ~buy_blocked & (layout.block_slot >= 0)
    days_held = np.where(book.acquired[:s] == NO_DAY, 0, day - book.acquired[:s])
    return replace(
        base,
        prices=book.prices.copy(),
        target_weights=book.target.copy(),
        cash=book.cash,
        lot_ids=layout.slot_ids[:s],
        lot_asset=slot_asset.copy(),
        lot_shares=book.shares[:s].copy(),
        lot_basis_per_share=np.where(book.shares[:s] > 0, book.basis[:s], book.prices[slot_asset]),
        lot_is_long_term=day >= book.long_term_day[:s],
        lot_days_held=days_held.astype(np.int64),
        gain_budget=gain_budget,
        tax_budget=tax_budget,
        te_max=te_max,
        te_max_soft=te_max_soft,
        lot_sell_max=sell_max,
        buy_allowed=buy_allowed,
        forbid_buy_and_loss_sell=True,
        withdrawal=0.0,
    )


def book_canonical(book: Book, problem: RebalanceProblem, *, years: int) -> RebalanceProblem:
    """`problem` over every slot of the plan's last year, each live (one share, no gain), with
    the same constraints switched on: what a solver serving every year of the plan is built
    from (the budgets' values are parameters; positive here so that nothing is presolved)."""
    layout = book.layout
    s = layout.slots_for_year(years)
    slot_asset = layout.slot_asset[:s]
    return replace(
        problem,
        lot_ids=layout.slot_ids[:s],
        lot_asset=slot_asset.copy(),
        lot_shares=np.ones(s),
        lot_basis_per_share=book.prices[slot_asset].copy(),
        lot_is_long_term=np.zeros(s, dtype=bool),
        lot_days_held=np.full(s, 400, dtype=np.int64),
        lot_sell_max=None,
        gain_budget=None if problem.gain_budget is None else 1.0,
        tax_budget=None if problem.tax_budget is None else 1.0,
    )


@dataclass(frozen=True)
class Applied:
    """What a year's trades realized, by the planner's own bookkeeping."""

    realized_st: float
    realized_lt: float
    harvested_losses: float
    gross_buys: float
    gross_sells: float
    fees: float
    trade_count: int
    sold: FloatArray  # (S,) shares sold per slot
    bought: FloatArray  # (N,)


def trades_clean(book: Book, buy: FloatArray, sell: FloatArray) -> tuple[FloatArray, FloatArray]:
    """Drop solver noise: trades worth less than NOISE_FRACTION of the account vanish (never a
    loss sale: dropping one could push a zero budget over), near-whole lot sales sell the lot."""
    prices = book.prices
    slot_price = prices[book.layout.slot_asset]
    floor = NOISE_FRACTION * max(book.equity(), 0.0)
    full = np.zeros_like(book.shares)
    full[: sell.shape[0]] = np.clip(sell, 0.0, None)
    full = np.minimum(full, book.shares)
    gain_lot = slot_price >= book.basis
    full[(full < SHARE_EPS) | (gain_lot & (full * slot_price < floor))] = 0.0
    near_all = (book.shares - full) * slot_price < floor
    full[near_all & (full > 0)] = book.shares[near_all & (full > 0)]
    clean_buy = np.where((buy > SHARE_EPS) & (buy * prices >= floor), buy, 0.0)
    return clean_buy, full


def book_apply(
    book: Book, *, buy: FloatArray, sell: FloatArray, year: int, day: int, fee_rate: float
) -> Applied:
    """Sold shares leave their lots; buys become the year's new lots; cash pays for both."""
    layout = book.layout
    buy, sold = trades_clean(book, np.asarray(buy, dtype=float), np.asarray(sell, dtype=float))
    prices = book.prices
    slot_price = prices[layout.slot_asset]
    gains = sold * (slot_price - book.basis)
    long_term = day >= book.long_term_day
    realized_lt = float(gains[long_term].sum())
    realized_st = float(gains[~long_term].sum())
    harvested = float(-gains[gains < 0].sum()) + 0.0  # no negative zero
    gross_sells = float(sold @ slot_price)
    gross_buys = float(buy @ prices)
    fees = fee_rate * (gross_buys + gross_sells)
    book.shares -= sold
    book.shares[book.shares < SHARE_EPS] = 0.0
    block = layout.original_slots + (year - 1) * layout.block_size
    bought_assets = np.nonzero(buy)[0]
    if np.any(layout.block_slot[bought_assets] < 0):
        raise ValueError("the optimizer bought a name it was not allowed to buy")
    slots = block + layout.block_slot[bought_assets]
    book.shares[slots] = buy[bought_assets]
    book.basis[slots] = prices[bought_assets]
    book.acquired[slots] = day
    book.long_term_day[slots] = _lt_day(day)
    book.cash += gross_sells - gross_buys - fees
    group = layout.group
    book.last_buy_day[group[bought_assets]] = day
    loss_assets = layout.slot_asset[(gains < 0) & (sold > 0)]
    book.last_loss_sale_day[group[loss_assets]] = day
    trade_count = int(len(bought_assets) + np.count_nonzero(sold))
    return Applied(
        realized_st, realized_lt, harvested, gross_buys, gross_sells, fees, trade_count, sold, buy
    )


def book_grow(book: Book, growth: FloatArray, *, target_floats: bool) -> None:
    """Apply a year's price growth (1 + R per asset); the target drifts with it if it floats."""
    book.prices = book.prices * growth
    if target_floats:
        drifted = book.target * growth
        total = drifted.sum()
        if total > 0:
            book.target = drifted / total


def tracking_error(
    values: FloatArray, equity: float, target: FloatArray, problem: RebalanceProblem
) -> float:
    """sqrt(a' Sigma a), a = position values / equity - target, in factor form."""
    if equity <= 0:
        return float("nan")
    active = values / equity - target
    factor = problem.exposures.T @ active
    te2 = float(factor @ problem.factor_covariance @ factor + problem.specific_variance @ active**2)
    return float(np.sqrt(max(te2, 0.0)))


def book_figures(
    book: Book, *, equity_before: float, problem: RebalanceProblem
) -> tuple[float, float, float]:
    """(tracking error, in_target, unrealized gain) at the book's current prices."""
    values = book.asset_shares() * book.prices
    te = tracking_error(values, equity_before, book.target, problem)
    equity = book.cash + values.sum()
    weights = values / equity if equity > 0 else values * 0
    in_target = float(np.minimum(weights, book.target).sum())
    slot_price = book.prices[book.layout.slot_asset]
    unrealized = float(book.shares @ (slot_price - book.basis))
    return te, in_target, unrealized


def book_liquidation(book: Book, *, day: int) -> tuple[float, float]:
    """(ST, LT) gain if every lot were sold at `day` at the book's prices."""
    slot_price = book.prices[book.layout.slot_asset]
    gains = book.shares * (slot_price - book.basis)
    long_term = day >= book.long_term_day
    return float(gains[~long_term].sum()), float(gains[long_term].sum())
