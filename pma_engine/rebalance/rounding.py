"""From the continuous answer to shares: cleanup, and rounding to whole shares with repair.

The repair keeps every hard constraint: no lot oversold, the gain and tax budgets, cash after
trades >= cash target + withdrawal, the turnover cap, buys only of allowed names (and, under the
wash guard, of no name group sold at a loss). Rounding is greedy on the tracking error: shares are
taken off the buys that cost least TE until cash suffices, then leftover cash buys the shares
that lower TE most. A full-lot sale stays a full-lot sale (fractional lots included).
"""

from __future__ import annotations

import numpy as np

from .accounting import equity_of, lot_gain_per_share, lot_rates, lot_sell_cap
from .types import BoolArray, FloatArray, RebalanceProblem
from .wash import loss_sold_assets

TINY = 1e-9
DUST = 1e-7  # a buy worth less than this fraction of equity is solver noise, not a trade


class _Book:
    """Trades in shares with the cash, budgets and Sigma @ active kept up to date."""

    def __init__(
        self, problem: RebalanceProblem, root: FloatArray, sell: FloatArray, buy: FloatArray
    ) -> None:
        self.p = problem
        self.root = root
        self.sell = sell.astype(float).copy()
        self.buy = buy.astype(float).copy()
        self.equity = equity_of(problem)
        self.fee = problem.trading_cost_bps / 1e4
        self.lot_price = problem.prices[problem.lot_asset]
        self.gain_ps = lot_gain_per_share(problem)
        self.rate = lot_rates(problem)
        self.diag = np.sum(root**2, axis=1) + problem.specific_variance
        self.refresh()

    def refresh(self) -> None:
        p = self.p
        held = np.bincount(p.lot_asset, weights=p.lot_shares - self.sell, minlength=p.asset_count)
        self.active = (held + self.buy) * p.prices / self.equity - p.target_weights
        self.sigma_active = self.root @ (self.root.T @ self.active) + p.specific_variance * (
            self.active
        )

    def cash_after(self) -> float:
        proceeds = float(self.sell @ self.lot_price)
        cost = float(self.buy @ self.p.prices)
        return self.p.cash + proceeds - cost - self.fee * (proceeds + cost) - self.p.withdrawal

    def cash_floor(self) -> float:
        if not self.p.cash_nonnegative:
            return -np.inf
        return self.p.cash_target

    def gross(self) -> float:
        return float(self.sell @ self.lot_price + self.buy @ self.p.prices)

    def turnover_room(self) -> float:
        if self.p.max_turnover is None:
            return np.inf
        return self.p.max_turnover * self.equity - self.gross()

    def budget_room(self) -> tuple[float, float]:
        gain = self.sell * self.gain_ps
        gain_room = np.inf if self.p.gain_budget is None else self.p.gain_budget - gain.sum()
        tax_room = (
            np.inf if self.p.tax_budget is None else self.p.tax_budget - (gain * self.rate).sum()
        )
        return float(gain_room), float(tax_room)

    def te2_change(self, assets: np.ndarray, shares: float | FloatArray) -> FloatArray:
        """Change of TE^2 when `shares` of each asset are added (negative shares remove)."""
        delta = shares * self.p.prices[assets] / self.equity
        return 2 * delta * self.sigma_active[assets] + delta**2 * self.diag[assets]

    def buy_add(self, asset: int, shares: float) -> None:
        self.buy[asset] += shares
        delta = shares * self.p.prices[asset] / self.equity
        self.active[asset] += delta
        self.sigma_active += delta * (self.root @ self.root[asset])
        self.sigma_active[asset] += delta * self.p.specific_variance[asset]


def sells_budget_repair(book: _Book, *, whole: bool) -> None:
    """Take shares off gain lots (largest gain per share first) until both budgets hold."""
    for lot in np.argsort(-book.gain_ps):
        gain_room, tax_room = book.budget_room()
        if (gain_room >= -TINY and tax_room >= -TINY) or book.gain_ps[lot] <= 0:
            break
        if book.sell[lot] <= 0:
            continue
        need = max(
            -gain_room / book.gain_ps[lot],
            -tax_room / (book.gain_ps[lot] * max(book.rate[lot], 1e-12)),
        )
        step = min(book.sell[lot], float(np.ceil(need - TINY)) if whole else need * (1 + 1e-9))
        book.sell[lot] -= step
    book.refresh()


def whole_shares_round(
    problem: RebalanceProblem,
    root: FloatArray,
    sell: FloatArray,
    buy: FloatArray,
    *,
    buy_ok: BoolArray,
    loss_sell_ok: BoolArray,
) -> tuple[FloatArray, FloatArray, list[str]]:
    """Whole shares for every trade (a full-lot sale of a fractional lot keeps its fraction)."""
    messages: list[str] = []
    cap = lot_sell_cap(problem)
    full = (sell >= cap - 1e-6) & (cap > 0)
    sell_r = np.where(full, cap, np.clip(np.round(sell), 0.0, np.floor(cap + TINY)))
    buy_r = np.floor(buy + 1e-7)
    book = _Book(problem, root, sell_r, buy_r)
    sells_budget_repair(book, whole=True)

    # cash and turnover: take buy shares off where it costs the least TE per dollar
    guard = 0
    while (book.cash_after() < book.cash_floor() - TINY or book.turnover_room() < -TINY) and (
        guard < 100_000
    ):
        guard += 1
        bought = np.flatnonzero(book.buy > TINY)
        if not bought.size:
            break
        shares = np.minimum(1.0, book.buy[bought])
        cost = book.te2_change(bought, -shares) / (shares * problem.prices[bought])
        pick = int(bought[np.argmin(cost)])
        book.buy_add(pick, -float(min(1.0, book.buy[pick])))
    if book.turnover_room() < -TINY:
        _turnover_trim(book, sell)
    if book.cash_after() < book.cash_floor() - TINY:
        _cash_raise(problem, book, loss_sell_ok)
    if book.turnover_room() < -TINY:
        messages.append(
            f"whole shares: turnover exceeds the cap by ${-book.turnover_room():,.2f} "
            "(the cash to raise needs the rounded-up shares)"
        )
    # invest what is left, one share at a time, where it lowers TE the most
    if problem.forbid_buy_and_loss_sell:
        buy_ok = buy_ok & ~loss_sold_assets(problem, book.sell)
    candidates = np.flatnonzero(buy_ok)
    if problem.min_trade_value > 0:
        candidates = candidates[book.buy[candidates] > 0]
    unit_cost = problem.prices * (1 + book.fee)
    while candidates.size and guard < 200_000:
        guard += 1
        room = min(book.cash_after() - book.cash_floor(), np.inf)
        turnover = book.turnover_room()
        fits = candidates[(unit_cost[candidates] <= room + TINY)
                          & (problem.prices[candidates] <= turnover + TINY)]  # fmt: skip
        if not fits.size:
            break
        change = book.te2_change(fits, 1.0)
        best = int(np.argmin(change))
        if change[best] >= 0:
            break
        book.buy_add(int(fits[best]), 1.0)
    book.refresh()
    return book.sell, book.buy, messages


def _turnover_trim(book: _Book, continuous_sell: FloatArray) -> None:
    """No buys left and turnover still over the cap: take back rounded-up sell shares (largest
    gain per share first) while cash allows."""
    for lot in np.argsort(-book.gain_ps):
        while (
            book.turnover_room() < -TINY
            and book.sell[lot] > continuous_sell[lot] + TINY
            and book.sell[lot] >= 1.0 - TINY
        ):
            step = min(1.0, book.sell[lot] - np.floor(continuous_sell[lot]))
            book.sell[lot] -= step
            if book.cash_after() < book.cash_floor() - TINY:
                book.sell[lot] += step
                break
        if book.turnover_room() >= -TINY:
            break
    book.refresh()


def _cash_raise(problem: RebalanceProblem, book: _Book, loss_sell_ok: BoolArray) -> None:
    """No buys left to cut and cash still short: sell more, least taxed gain per dollar first."""
    cap = lot_sell_cap(problem)
    rate_gain = book.gain_ps * book.rate / book.lot_price
    order = np.argsort(rate_gain)
    for lot in order:
        if book.cash_after() >= book.cash_floor() - TINY:
            break
        if book.gain_ps[lot] < 0 and not loss_sell_ok[lot]:
            continue
        while book.sell[lot] < cap[lot] - TINY and book.cash_after() < book.cash_floor() - TINY:
            step = min(1.0, cap[lot] - book.sell[lot])
            book.sell[lot] += step
            gain_room, tax_room = book.budget_room()
            if gain_room < -TINY or tax_room < -TINY or book.turnover_room() < -TINY:
                book.sell[lot] -= step
                break
    book.refresh()


def continuous_clean(
    problem: RebalanceProblem, root: FloatArray, sell: FloatArray, buy: FloatArray
) -> tuple[FloatArray, FloatArray]:
    """Solver noise off: clip to the bounds, drop dust, and trim buys if cash is short by noise."""
    cap = lot_sell_cap(problem)
    sell = np.clip(sell, 0.0, cap)
    sell = np.where(sell >= cap - 1e-7 * np.maximum(cap, 1.0), cap, sell)
    sell = np.where(sell < 1e-7 * np.maximum(cap, 1.0), 0.0, sell)
    buy = np.clip(buy, 0.0, None)
    buy = np.where(buy * problem.prices < DUST * equity_of(problem), 0.0, buy)
    book = _Book(problem, root, sell, buy)
    short = book.cash_floor() - book.cash_after()
    if short > 0 and book.buy.sum() > 0:
        cost = float(book.buy @ problem.prices) * (1 + book.fee)
        book.buy *= max(0.0, 1 - short / cost - 1e-12)
    gain_room, tax_room = book.budget_room()
    if gain_room < 0 or tax_room < 0:
        sells_budget_repair(book, whole=False)
    return book.sell, book.buy
