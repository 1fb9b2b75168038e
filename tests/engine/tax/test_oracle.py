"""The ledger against a brute-force oracle on random household ledgers (default conventions).

The oracle is written from the rules, not from the engine: every quarter share is its own unit
with an exact `Fraction` basis; sales are processed in date order (same date: file order), the
same-day sales of one account and ticker as one order at its last row (each row relieved in
turn, ranked at the order's average price; docs/tax-engine.md "One order"); each loss unit of
an order, in the order its shares were acquired, looks through the whole 61-day
window at once (past purchases still held, and purchases still to come) and takes the
earliest-acquired unit not yet used as a replacement and not of its own purchase. Replacement
units in a taxable account take the loss into their basis and move their acquisition date back
by the sold unit's holding period; in an IRA the loss is lost. The engine instead streams
(deferred matching with a queue, pieces split pro rata at 1e-12); both must agree.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from fractions import Fraction

from hypothesis import given, settings

from pma_engine.tax import (
    Action,
    ReliefMethod,
    TaxRates,
    Transaction,
    is_long_term,
    ledger_run,
)
from tests.engine.tax.helpers import tx
from tests.engine.tax.test_properties import ledgers, methods

UNITS_PER_SHARE = 4  # the generated ledgers trade multiples of a quarter share
WINDOW = timedelta(days=30)
TOLERANCE = Fraction(1, 10**9)  # the engine prorates at 1e-12 per step


@dataclass(eq=False)
class Unit:
    buy_index: int
    account: str
    is_ira: bool
    ticker: str
    bought: date
    basis: Fraction
    acquired: date  # holding-period start after tacking
    is_replacement: bool = False
    is_sold: bool = False


@dataclass
class SaleTotals:
    proceeds: Fraction = Fraction(0)
    basis: Fraction = Fraction(0)
    disallowed: Fraction = Fraction(0)
    permanent: Fraction = Fraction(0)
    short_term: Fraction = Fraction(0)  # recognized gain (loss negative), short-term rows
    long_term: Fraction = Fraction(0)


def oracle(
    transactions: list[Transaction], method: ReliefMethod
) -> tuple[dict[int, SaleTotals], dict[tuple[str, str, date], tuple[Fraction, Fraction]]]:
    rates = TaxRates()
    order = sorted(range(len(transactions)), key=lambda i: (transactions[i].trade_date, i))
    position = {index: rank for rank, index in enumerate(order)}
    units_of: dict[int, list[Unit]] = {}
    for i, t in enumerate(transactions):
        if t.action is Action.BUY:
            count = int(t.shares * UNITS_PER_SHARE)
            per_unit = Fraction(t.amount) / count
            is_ira = t.account_type.is_tax_deferred
            units_of[i] = [
                Unit(i, t.account, is_ira, t.ticker, t.trade_date, per_unit, t.trade_date)
                for _ in range(count)
            ]
    buys_by_ticker: dict[str, list[int]] = defaultdict(list)
    for i in order:
        if transactions[i].action is Action.BUY:
            buys_by_ticker[transactions[i].ticker].append(i)
    # Same-day sales of one account and ticker are one order, processed at its last row.
    order_rows: dict[tuple, list[int]] = defaultdict(list)
    for i in order:
        t = transactions[i]
        if t.action is Action.SELL:
            order_rows[(t.trade_date, t.account, t.ticker)].append(i)
    sales: dict[int, SaleTotals] = {}
    for i in order:
        t = transactions[i]
        if t.action is Action.BUY:
            continue
        rows = order_rows[(t.trade_date, t.account, t.ticker)]
        if i != rows[-1]:
            continue
        units = sum(int(transactions[r].shares * UNITS_PER_SHARE) for r in rows)
        average = sum(Fraction(transactions[r].amount) for r in rows) / units
        sold_by_row: list[tuple[int, Unit, Fraction]] = []  # (row, unit, its proceeds)
        for row in rows:
            row_units = _relieve(
                transactions, row, i, average, method, position, buys_by_ticker, units_of, rates
            )
            price = Fraction(transactions[row].amount) / len(row_units)
            sold_by_row.extend((row, u, price) for u in row_units)
        for row in rows:
            sales[row] = SaleTotals()
        # every loss unit of the order, in the order its shares were acquired (stable)
        for row, u, price in sorted(sold_by_row, key=lambda x: (x[1].bought, x[1].buy_index)):
            totals = sales[row]
            loss = u.basis - price
            disallowed = Fraction(0)
            if loss > 0 and not t.account_type.is_tax_deferred:
                candidates = [
                    r
                    for b in buys_by_ticker[t.ticker]
                    if b != u.buy_index
                    and t.trade_date - WINDOW <= transactions[b].trade_date <= t.trade_date + WINDOW
                    for r in units_of[b]
                    if not r.is_replacement and not (position[b] < position[i] and r.is_sold)
                ]
                if candidates:
                    replacement = candidates[0]
                    replacement.is_replacement = True
                    disallowed = loss
                    if replacement.is_ira:
                        totals.permanent += loss
                    else:
                        replacement.basis += loss
                        held_days = t.trade_date - u.acquired
                        replacement.acquired = replacement.acquired - held_days
            totals.proceeds += price
            totals.basis += u.basis
            totals.disallowed += disallowed
            if not t.account_type.is_tax_deferred:
                gain = price - u.basis + disallowed
                if is_long_term(u.acquired, t.trade_date):
                    totals.long_term += gain
                else:
                    totals.short_term += gain
    open_lots: dict[tuple[str, str, date], tuple[Fraction, Fraction]] = {}
    for units in units_of.values():
        for u in units:
            if not u.is_sold:
                key = (u.account, u.ticker, u.acquired)
                shares, basis = open_lots.get(key, (Fraction(0), Fraction(0)))
                open_lots[key] = (shares + Fraction(1, UNITS_PER_SHARE), basis + u.basis)
    return sales, open_lots


def _relieve(
    transactions, row, at, price, method, position, buys_by_ticker, units_of, rates
) -> list[Unit]:
    """The units one sale row relieves, its order standing at position `at`; ranked at the
    order's average price per unit (min-tax)."""
    t = transactions[row]
    # Units held now, in FIFO order: purchases in processing order, units in list order.
    held = [
        u
        for b in buys_by_ticker[t.ticker]
        if position[b] < position[at] and transactions[b].account == t.account
        for u in units_of[b]
        if not u.is_sold
    ]
    if method is ReliefMethod.LIFO:
        by_buy: dict[int, list[Unit]] = defaultdict(list)
        for u in held:
            by_buy[u.buy_index].append(u)
        held = [u for b in sorted(by_buy, key=position.get, reverse=True) for u in by_buy[b]]
    elif method is ReliefMethod.HIFO:
        held = sorted(held, key=lambda u: -u.basis)  # stable: ties stay FIFO
    elif method is ReliefMethod.MIN_TAX:

        def tax(u: Unit, sold: date = t.trade_date, price: Fraction = price) -> Fraction:
            rate = rates.long_term if is_long_term(u.acquired, sold) else rates.short_term
            return (price - u.basis) * Fraction(rate)

        held = sorted(held, key=tax)
    sold = held[: int(t.shares * UNITS_PER_SHARE)]
    for u in sold:
        u.is_sold = True
    return sold


def close(a: Fraction | Decimal, b: Fraction) -> bool:
    return abs(Fraction(a) - b) <= TOLERANCE


@settings(max_examples=150, deadline=None)
@given(ledgers(), methods)
def test_ledger_agrees_with_a_per_share_oracle(
    transactions: list[Transaction], method: ReliefMethod
) -> None:
    expected_sales, expected_open = oracle(transactions, method)
    result = ledger_run(transactions, method=method)
    got: dict[int, SaleTotals] = defaultdict(SaleTotals)
    for d in result.dispositions:
        s = got[d.sale_index]
        s.proceeds += Fraction(d.proceeds)
        s.basis += Fraction(d.cost_basis)
        s.disallowed += Fraction(d.disallowed_loss)
        s.permanent += Fraction(d.disallowed_permanently)
        if d.is_reportable:
            if d.is_long_term:
                s.long_term += Fraction(d.gain_loss)
            else:
                s.short_term += Fraction(d.gain_loss)
    assert set(got) == set(expected_sales)
    for index, want in expected_sales.items():
        have = got[index]
        for name in ("proceeds", "basis", "disallowed", "permanent", "short_term", "long_term"):
            assert close(getattr(have, name), getattr(want, name)), (index, name, have, want)
    have_open: dict[tuple[str, str, date], tuple[Fraction, Fraction]] = {}
    for lot in result.open_lots:
        key = (lot.account, lot.ticker, lot.date_acquired)
        shares, basis = have_open.get(key, (Fraction(0), Fraction(0)))
        have_open[key] = (shares + Fraction(lot.shares), basis + Fraction(lot.basis))
    assert set(have_open) == set(expected_open)
    for key, (shares, basis) in expected_open.items():
        assert have_open[key][0] == shares, key
        assert close(have_open[key][1], basis), key


def test_oracle_reproduces_pub_550_example_2() -> None:
    """The oracle itself on a published example: 75 of 100 sold shares replaced."""
    sales, open_lots = oracle(
        [
            tx("2024-01-10", "BUY", "M", 100, 5000),
            tx("2024-06-03", "SELL", "M", 100, 3750),
            tx("2024-06-10", "BUY", "M", 75, 3000),
        ],
        ReliefMethod.FIFO,
    )
    assert sales[1].disallowed == Fraction("937.50")
    assert sales[1].short_term == Fraction("-312.50")
    ((key, (shares, basis)),) = open_lots.items()
    assert (shares, basis) == (75, Fraction("3937.50"))
    assert key[2] == date(2024, 1, 17)  # held Jan 10 -> Jun 3 = 145 days; Jun 10 - 145
