"""The immediate scenario's first year: straight to the target, lots chosen for the least tax.

At zero tracking error every asset's trade is fixed (target value minus holding), so the only
choice left is which lots an overweight asset sells, and that is a knapsack with one constraint
per asset: selling the lots in order of tax per share (rate of the lot's term times its gain:
the biggest losses first, short-term losses before long-term ones, then long-term gains, then
short-term gains) is optimal. This is what the optimizer would answer with a ceiling of zero,
without the ill-conditioned solve. Underweight assets are only bought and overweight ones only
sold, so no name is bought and loss-sold at once (the wash guard holds). Lots frozen by a wash
window stay, and names the household may not buy are not bought; when they keep the account
off the target, what is reachable is used (the plan's te_floor reports it).
"""

from __future__ import annotations

import numpy as np

from pma_engine.rebalance.types import RebalanceProblem
from pma_engine.transition.book import Book, wash_blocks
from pma_engine.transition.types import FloatArray, IntArray


def _values_at(scale: float, target: FloatArray, low: FloatArray, high: FloatArray) -> FloatArray:
    return np.clip(target * scale, low, high)


def immediate_trades(
    book: Book, *, base: RebalanceProblem, day: int, slots: int, first_year: bool
) -> tuple[FloatArray, FloatArray]:
    """(buy shares (N,), sell shares (slots,)) that move the account onto the target."""
    layout = book.layout
    n = layout.n_assets
    prices = book.prices
    slot_asset = layout.slot_asset[:slots]
    shares = book.shares[:slots]
    buy_blocked, frozen = wash_blocks(book, day=day)
    buy_blocked = buy_blocked | (layout.block_slot < 0)
    sellable = np.where(frozen[:slots], 0.0, shares)
    if base.lot_sell_max is not None and first_year:
        limit = np.zeros(slots)
        for slot, member in enumerate(layout.members):
            limit[slot] = float(np.sum(np.asarray(base.lot_sell_max)[list(member)]))
        sellable = np.minimum(sellable, limit)
    held = np.bincount(slot_asset, weights=shares, minlength=n) * prices
    keep = held - np.bincount(slot_asset, weights=sellable, minlength=n) * prices
    high = np.where(buy_blocked, held, np.inf)
    fee_rate = base.trading_cost_bps / 1e4
    equity = book.cash + held.sum()
    spendable = equity - base.cash_target

    def spent(scale: float) -> float:
        values = _values_at(scale, book.target, keep, high)
        return float(values.sum() + fee_rate * np.abs(values - held).sum())

    low_scale, high_scale = 0.0, max(equity, 1.0) * 2.0
    for _ in range(200):  # spent() is nondecreasing in the scale
        middle = (low_scale + high_scale) / 2.0
        if spent(middle) <= spendable:
            low_scale = middle
        else:
            high_scale = middle
    values = _values_at(low_scale, book.target, keep, high)
    buy = np.where(values > held, (values - held) / prices, 0.0)
    sell_value = np.where(values < held, held - values, 0.0)
    sell = _lots_for_sale(
        sell_shares=sell_value / prices,
        slot_asset=slot_asset,
        sellable=sellable,
        tax_per_share=_tax_per_share(book, base=base, day=day, slots=slots),
    )
    return buy, sell


def _tax_per_share(book: Book, *, base: RebalanceProblem, day: int, slots: int) -> FloatArray:
    slot_asset = book.layout.slot_asset[:slots]
    gain = book.prices[slot_asset] - book.basis[:slots]
    long_term = day >= book.long_term_day[:slots]
    rate = np.where(long_term, base.long_term_rate, base.short_term_rate)
    return rate * gain


def _lots_for_sale(
    *,
    sell_shares: FloatArray,
    slot_asset: IntArray,
    sellable: FloatArray,
    tax_per_share: FloatArray,
) -> FloatArray:
    """Per asset, sell `sell_shares` from its lots in order of tax per share (greedy is exact)."""
    order = np.lexsort((tax_per_share, slot_asset))
    assets = slot_asset[order]
    available = sellable[order]
    cumulative = np.cumsum(available)
    # cumulative shares of the same asset before each lot in the order
    first = np.r_[True, assets[1:] != assets[:-1]]
    offsets = np.where(first, cumulative - available, 0.0)
    offsets = np.maximum.accumulate(np.where(first, offsets, -np.inf))
    start = cumulative - available - offsets
    need = sell_shares[assets]
    take = np.clip(need - start, 0.0, available)
    sell = np.zeros_like(sellable)
    sell[order] = take
    return sell
