"""One SELL row of 200 shares and two SELL rows of 100 on the same date (same account, same
security, same lot named or none, same method) are the same order: they give the same tax.

Property over random household ledgers: any sale split into several same-day rows (shares and
proceeds split at random) leaves the same open lots and the same realized results lot by lot
(proceeds, basis, disallowed loss, holding period) as the single row, to 1e-9 (pro-rata
splits are exact to 1e-12). Lots are compared by
their lot id, since splitting a row shifts the input positions of later transactions.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import replace
from datetime import date, timedelta
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from pma_engine.tax import Action, LedgerResult, ReliefMethod, Transaction, ledger_run
from tests.engine.tax.helpers import tx

ACCOUNTS = [("a", "taxable"), ("b", "taxable"), ("r", "ira")]
TICKERS = ["AAA", "BBB"]
METHODS = [ReliefMethod.FIFO, ReliefMethod.LIFO, ReliefMethod.HIFO, ReliefMethod.MIN_TAX]
ZERO = Decimal(0)


@st.composite
def ledgers(draw: st.DrawFn) -> list[Transaction]:
    """Dense ledgers (as in test_properties): every buy names its lot (L0, L1, ...)."""
    day = date(2023, 11, 1)
    held: dict[tuple[str, str], Decimal] = defaultdict(lambda: ZERO)
    transactions: list[Transaction] = []
    for number in range(draw(st.integers(2, 30))):
        day += timedelta(days=draw(st.integers(0, 10)))
        account, account_type = draw(st.sampled_from(ACCOUNTS))
        ticker = draw(st.sampled_from(TICKERS))
        price_cents = draw(st.integers(500, 1500))
        holding = held[(account, ticker)]
        if draw(st.booleans()) and holding > Decimal("0.5"):
            quarters = draw(st.integers(2, int(holding * 4)))
            shares, action, lot = min(holding, Decimal(quarters) / 4), "SELL", None
            held[(account, ticker)] -= shares
        else:
            shares, action, lot = Decimal(draw(st.integers(1, 40))) / 4, "BUY", f"L{number}"
            held[(account, ticker)] += shares
        amount = (shares * price_cents / 100).quantize(Decimal("0.01"))
        transactions.append(
            tx(
                day.isoformat(),
                action,
                ticker,
                str(shares),
                str(amount),
                account=account,
                account_type=account_type,
                lot=lot,
                method=draw(st.sampled_from(METHODS)) if action == "SELL" else None,
            )
        )
    return transactions


def _split(sale: Transaction, cuts: list[int], *, exact: bool) -> list[Transaction]:
    """The sale as several rows: shares cut at quarter-share marks. exact: every row at the
    sale's price per share (amounts exact); else each row's amount rounded to the cent and
    the last row takes the rest (prices per row differ by fractions of a cent)."""
    quarters = int(sale.shares * 4)
    marks = sorted({c % quarters for c in cuts if c % quarters > 0})
    edges = [0, *marks, quarters]
    price = sale.amount / sale.shares
    rows, amount_left = [], sale.amount
    for start, end in zip(edges, edges[1:], strict=False):
        shares = Decimal(end - start) / 4
        if end == quarters:
            amount = amount_left
        elif exact:
            amount = price * shares
        else:
            amount = (price * shares).quantize(Decimal("0.01"))
        amount_left -= amount
        rows.append(replace(sale, shares=shares, amount=amount))
    return rows


def _by_lot(result: LedgerResult, transactions: list[Transaction]) -> tuple:
    def lot_of(index: int) -> str:
        return transactions[index].lot_id

    sold: dict[tuple, list[Decimal]] = defaultdict(lambda: [ZERO] * 6)
    for d in result.dispositions:
        key = (lot_of(d.buy_index), d.account, d.date_sold, d.date_acquired, d.is_long_term)
        totals = sold[key]
        for i, value in enumerate(
            (
                d.shares,
                d.proceeds,
                d.cost_unadjusted,
                d.wash_adjustment,
                d.disallowed_loss,
                d.disallowed_permanently,
            )
        ):
            totals[i] += value
    open_lots = sorted(
        (
            lot_of(o.buy_index),
            o.account,
            o.date_acquired,
            o.shares,
            o.cost_unadjusted,
            o.wash_adjustment,
        )
        for o in result.open_lots
    )
    return dict(sold), open_lots


# Splitting a lot's loss over replacements row by row is pro rata at 1e-12 (remainders by
# subtraction), so amounts may differ from the single row's in the 12th decimal place.
TOLERANCE = Decimal("1e-9")


def _assert_close(rows: tuple, single: tuple) -> None:
    (sold_rows, open_rows), (sold_single, open_single) = rows, single
    assert sold_rows.keys() == sold_single.keys()
    for key, values in sold_single.items():
        for got, want in zip(sold_rows[key], values, strict=True):
            assert abs(got - want) <= TOLERANCE, (key, got, want)
    assert [lot[:4] for lot in open_rows] == [lot[:4] for lot in open_single]
    for got, want in zip(open_rows, open_single, strict=True):
        assert abs(got[4] - want[4]) <= TOLERANCE and abs(got[5] - want[5]) <= TOLERANCE


@settings(max_examples=300, deadline=None)
@given(ledger=ledgers(), data=st.data())
def test_a_sale_split_into_same_day_rows_gives_the_same_tax(ledger, data):
    sales = [i for i, t in enumerate(ledger) if t.action is Action.SELL]
    if not sales:
        return
    index = data.draw(st.sampled_from(sales))
    sale = ledger[index]
    # a price per share with a finite expansion, so that exact splits exist
    price = (sale.amount / sale.shares).quantize(Decimal("0.01"))
    ledger = [*ledger[:index], replace(sale, amount=price * sale.shares), *ledger[index + 1 :]]
    cuts = data.draw(st.lists(st.integers(1, 400), min_size=1, max_size=3))
    exact = data.draw(st.booleans())
    split = ledger[:index] + _split(ledger[index], cuts, exact=exact) + ledger[index + 1 :]
    single = _by_lot(ledger_run(ledger), ledger)
    rows = _by_lot(ledger_run(split), split)
    if exact:
        _assert_close(rows, single)
        return
    # rows at prices a fraction of a cent apart: the same shares of the same lots are sold,
    # for the same total proceeds (only the allocation of proceeds between lots may differ)
    sold_single = {key: values[0] for key, values in single[0].items()}
    assert {key: values[0] for key, values in rows[0].items()} == sold_single
    assert sum(v[1] for v in rows[0].values()) == sum(v[1] for v in single[0].values())


def test_two_rows_of_100_wash_what_one_row_of_200_washes():
    """Worked by hand. Lot A: 100 bought 2024-01-02 at 10 (1,000); lot B: 100 bought
    2024-06-03 at 12 (1,200); 100 replacement shares bought 2024-06-20 at 8. HIFO sells B then
    A on 2024-06-10 at 9/sh (1,800): B loses 300, A loses 100. One order: losses are applied
    in the order the sold shares were acquired (Reg. 1.1091-1(b)), so A's loss takes the 100
    replacement shares first: 100 disallowed, B's 300 allowed. Entered as two rows of 100,
    each row used to be its own sale: the first (B) took the replacements (300 disallowed)."""
    common = {"account": "a", "method": ReliefMethod.HIFO}
    buys = [
        tx("2024-01-02", "BUY", "X", 100, "1000", lot="A"),
        tx("2024-06-03", "BUY", "X", 100, "1200", lot="B"),
    ]
    buys = [replace(b, account="a") for b in buys]
    later = replace(tx("2024-06-20", "BUY", "X", 100, "800", lot="R"), account="a")
    one = [*buys, tx("2024-06-10", "SELL", "X", 200, "1800", **common), later]
    two = [
        *buys,
        tx("2024-06-10", "SELL", "X", 100, "900", **common),
        tx("2024-06-10", "SELL", "X", 100, "900", **common),
        later,
    ]
    for ledger in (one, two):
        result = ledger_run(ledger)
        disallowed = sum((d.disallowed_loss for d in result.dispositions), ZERO)
        assert disallowed == Decimal("100"), ledger
        (replacement,) = [o for o in result.open_lots if o.lot_id == "R"]
        assert replacement.basis == Decimal("900")
