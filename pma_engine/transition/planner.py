"""The multi-period planner: each year trade at the start, then let the year's returns apply.

A year of one scenario: the trade date is the anniversary of `as_of`; lots age by the calendar
(short turns long the day after the anniversary of purchase, as the tax engine says), wash
windows of 30 days run from the last buys and loss sales of each name group; the scenario's
rule is solved through the rebalancing optimizer (household wash guard on: no name bought and
loss-sold in one rebalance, no buy of a name loss-sold within 30 days, no loss sale of a name
bought within 30 days); sold shares leave their lots and buys become new lots; the year's
realized nets go through the tax engine with the loss carried in; then prices grow.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np

from pma_engine.rebalance.types import RebalanceProblem
from pma_engine.transition.book import (
    NO_DAY,
    Book,
    book_apply,
    book_canonical,
    book_figures,
    book_grow,
    book_liquidation,
    book_open,
    book_problem,
)
from pma_engine.transition.immediate import immediate_trades
from pma_engine.transition.scenarios import year_rule
from pma_engine.transition.solving import layout_key, without_ceiling, year_solve
from pma_engine.transition.taxes import year_tax
from pma_engine.transition.types import (
    FloatArray,
    Scenario,
    ScenarioPath,
    Trades,
    TransitionInput,
    YearFigures,
)

TE_TOLERANCE = 1e-6  # a solve at a ceiling lands on it within the solver's accuracy


def trade_day(as_of: date, year: int) -> int:
    """Ordinal day of the trade date of `year` (1-based): the (year-1)th anniversary."""
    target_year = as_of.year + year - 1
    try:
        return as_of.replace(year=target_year).toordinal()
    except ValueError:  # Feb 29 -> Feb 28
        return date(target_year, 2, 28).toordinal()


@dataclass
class _YearTrade:
    """A year's trade step, before the year's returns are known."""

    figures: dict[str, float | int]
    messages: tuple[str, ...]
    net_tax: float  # tax minus what the loss deduction saves on ordinary income
    trades: Trades


def _first_year_trades(book: Book, buy: FloatArray, sold: FloatArray) -> Trades:
    """Slots back to the file's lots (a merged slot's sale is split over its lots in order)."""
    layout = book.layout
    sell: dict[str, float] = {}
    for slot in np.nonzero(sold[: layout.original_slots])[0]:
        left = float(sold[slot])
        for lot in layout.members[slot]:
            if left <= 0:
                break
            take = min(left, layout.lot_shares[lot])
            sell[layout.lot_ids[lot]] = take
            left -= take
    buys = {int(i): float(buy[i]) for i in np.nonzero(buy)[0]}
    return Trades(buy=buys, sell=sell)


def year_trade(
    inp: TransitionInput, book: Book, scenario: Scenario, *, year: int, te_start: float
) -> _YearTrade:
    """Trade one scenario's year on `book` (mutated) at its current prices."""
    base = inp.problem
    day = trade_day(inp.as_of, year)
    slots = book.layout.slots_for_year(year)
    equity_before = book.equity()
    rule = year_rule(
        scenario, year=year, te_start=te_start, te_goal=inp.te_goal, lt_rate=base.long_term_rate
    )
    messages: list[str] = []
    n = book.layout.n_assets
    buy: FloatArray = np.zeros(n)
    sell: FloatArray = np.zeros(slots)
    if rule.exact_target:
        buy, sell = immediate_trades(book, base=base, day=day, slots=slots, first_year=year == 1)
    elif rule.trade:
        problem = book_problem(
            book,
            base=base,
            year=year,
            day=day,
            te_max=rule.te_max,
            te_max_soft=rule.te_soft,
            gain_budget=rule.gain_budget,
            tax_budget=rule.tax_budget,
            first_year=year == 1,
        )
        dpp = inp.solve_mode == "dpp"  # only the cached solver needs the layout's key
        layout = layout_key(book.layout.slot_asset.tobytes()) if dpp else ""

        def canonical(p: RebalanceProblem) -> RebalanceProblem:
            return book_canonical(book, p, years=inp.years)

        result = year_solve(problem, layout=layout, canonical=canonical, mode=inp.solve_mode)
        if not result.ok and rule.te_max is not None:
            messages.append(
                f"year {year}: the tracking-error ceiling {rule.te_max:.4%} cannot be met "
                f"({result.conflict or result.status}); traded to the closest reachable"
            )
            result = year_solve(
                without_ceiling(problem),
                layout=layout,
                canonical=canonical,
                mode=inp.solve_mode,
            )
        if result.ok:
            buy, sell = result.buy_shares, result.sell_shares
            messages.extend(result.messages)
        else:
            messages.append(f"year {year}: no trades ({result.conflict or result.status})")
    applied = book_apply(
        book, buy=buy, sell=sell, year=year, day=day, fee_rate=base.trading_cost_bps / 1e4
    )
    te, in_target, unrealized = book_figures(book, equity_before=equity_before, problem=base)
    tax = year_tax(
        realized_st=applied.realized_st,
        realized_lt=applied.realized_lt,
        st_carry_in=book.st_carry,
        lt_carry_in=book.lt_carry,
        short_term_rate=base.short_term_rate,
        long_term_rate=base.long_term_rate,
        filing_status=inp.filing_status,
    )
    book.st_carry, book.lt_carry = tax.st_carryforward, tax.lt_carryforward
    figures: dict[str, float | int] = {
        "realized_st": float(tax.realized_st),
        "realized_lt": float(tax.realized_lt),
        "harvested_losses": round(applied.harvested_losses, 2),
        "tax": float(tax.tax),
        "loss_deduction": float(tax.deduction),
        "loss_carryforward": float(tax.st_carryforward + tax.lt_carryforward),
        "st_carryforward": float(tax.st_carryforward),
        "lt_carryforward": float(tax.lt_carryforward),
        "tracking_error": te,
        "in_target": in_target,
        "unrealized_gain": unrealized,
        "turnover": (applied.gross_buys + applied.gross_sells) / equity_before
        if equity_before > 0
        else 0.0,
        "trades": applied.trade_count,
    }
    net_tax = float(tax.tax) - float(tax.deduction) * base.short_term_rate
    trades = _first_year_trades(book, applied.bought, applied.sold) if year == 1 else Trades()
    return _YearTrade(figures, tuple(messages), net_tax, trades)


def scenario_finish(
    inp: TransitionInput,
    book: Book,
    scenario: Scenario,
    *,
    first: _YearTrade,
    growth: FloatArray,
    te_start: float,
) -> ScenarioPath:
    """Years 1..H of one scenario from its traded first year (book after year-1 trades)."""
    steps = [first]
    values: list[float] = []
    for year in range(1, inp.years + 1):
        if year > 1:
            steps.append(year_trade(inp, book, scenario, year=year, te_start=te_start))
        book_grow(book, growth[year - 1], target_floats=inp.target_floats)
        values.append(book.equity())
    horizon_value = values[-1]
    paid = sum(
        step.net_tax * (horizon_value / value if value > 0 else 1.0)
        for step, value in zip(steps, values, strict=True)
    )
    after_tax = horizon_value - paid
    horizon_day = trade_day(inp.as_of, inp.years + 1)
    st, lt = book_liquidation(book, day=horizon_day)
    final = year_tax(
        realized_st=st,
        realized_lt=lt,
        st_carry_in=book.st_carry,
        lt_carry_in=book.lt_carry,
        short_term_rate=inp.problem.short_term_rate,
        long_term_rate=inp.problem.long_term_rate,
        filing_status=inp.filing_status,
    )
    liquidation = after_tax - (
        float(final.tax) - float(final.deduction) * inp.problem.short_term_rate
    )
    years = tuple(
        YearFigures(year=i + 1, value_end=values[i], messages=step.messages, **step.figures)  # type: ignore[arg-type]
        for i, step in enumerate(steps)
    )
    reached = [y.year for y in years if y.tracking_error <= inp.te_goal + TE_TOLERANCE]
    return ScenarioPath(
        scenario=scenario,
        years=years,
        years_to_target=reached[0] if reached else None,
        after_tax_value=after_tax,
        liquidation_value=liquidation,
        first_year_trades=first.trades,
    )


@dataclass(frozen=True, eq=False)
class Opening:
    """Year 1 of every scenario: its trades happen at today's prices, the same on every path."""

    books: tuple[Book, ...]  # after the first year's trades, before its returns
    firsts: tuple[_YearTrade, ...]
    te_start: float
    te_floor: float  # lowest TE a straight move reaches once wash windows have passed
    te_floor_now: float  # ... and today, with this year's wash windows


def _floor(inp: TransitionInput, start: Book, *, windows: bool) -> float:
    """TE after immediate's straight move to the target (restrictions, costs, and optionally
    today's wash windows and frozen lots)."""
    probe = start.copy()
    if not windows:
        probe.last_buy_day[:] = NO_DAY
        probe.last_loss_sale_day[:] = NO_DAY
    equity = probe.equity()
    day = trade_day(inp.as_of, 1)
    buy, sell = immediate_trades(
        probe, base=inp.problem, day=day, slots=probe.layout.slots_for_year(1), first_year=windows
    )
    book_apply(
        probe, buy=buy, sell=sell, year=1, day=day, fee_rate=inp.problem.trading_cost_bps / 1e4
    )
    return book_figures(probe, equity_before=equity, problem=inp.problem)[0]


def opening_plan(inp: TransitionInput) -> Opening:
    """Open the book and trade every scenario's first year."""
    start = book_open(inp)
    equity = start.equity()
    te_start = book_figures(start, equity_before=equity, problem=inp.problem)[0]
    te_floor = _floor(inp, start, windows=False)
    te_floor_now = _floor(inp, start, windows=True)
    books, firsts = [], []
    for scenario in inp.scenarios:
        book = start.copy()
        firsts.append(year_trade(inp, book, scenario, year=1, te_start=te_start))
        books.append(book)
    return Opening(tuple(books), tuple(firsts), te_start, te_floor, te_floor_now)


def path_plan(
    inp: TransitionInput, opening: Opening, growth: FloatArray
) -> tuple[ScenarioPath, ...]:
    """Every scenario on one market path (growth: (years, N) factors 1 + R)."""
    return tuple(
        scenario_finish(
            inp,
            book.copy(),
            scenario,
            first=first,
            growth=growth,
            te_start=opening.te_start,
        )
        for scenario, book, first in zip(inp.scenarios, opening.books, opening.firsts, strict=True)
    )
