"""Lot relief methods on one set of lots, each result worked by hand.

Lots of XYZ in one taxable account, then a sale of 150 shares on 2024-07-01 at $70:
  L1 2022-01-10 100 sh $5,000 ($50)  long-term at the sale: tax/sh (70-50)*0.238 = +4.76
  L2 2023-06-01 100 sh $9,500 ($95)  long-term (since 2024-06-02): (70-95)*0.238 = -5.95
  L3 2024-02-01 100 sh $9,000 ($90)  short-term: (70-90)*0.408 = -8.16
  L4 2024-05-01 100 sh $6,500 ($65)  short-term: (70-65)*0.408 = +2.04
No purchase lies within 30 days of the sale (2024-06-01 .. 2024-07-31), so no wash sale.
"""

from __future__ import annotations

from decimal import Decimal

import pytest

from pma_engine.tax import LedgerError, ReliefMethod, ledger_run, realized_gains_by_term
from tests.engine.tax.helpers import D, tx

LOTS = [
    tx("2022-01-10", "BUY", "XYZ", 100, 5000, lot="L1"),
    tx("2023-06-01", "BUY", "XYZ", 100, 9500, lot="L2"),
    tx("2024-02-01", "BUY", "XYZ", 100, 9000, lot="L3"),
    tx("2024-05-01", "BUY", "XYZ", 100, 6500, lot="L4"),
]


def relieved(method: ReliefMethod, shares: int = 150) -> list[tuple[str | None, Decimal]]:
    sale = tx("2024-07-01", "SELL", "XYZ", shares, 70 * shares)
    result = ledger_run([*LOTS, sale], method=method)
    return [(d.lot_id, d.shares) for d in result.dispositions]


@pytest.mark.parametrize(
    ("method", "expected_lots", "short_term", "long_term"),
    [
        # L1 100 @ +20 = +2,000 LT; L2 50 @ -25 = -1,250 LT
        (ReliefMethod.FIFO, [("L1", 100), ("L2", 50)], 0, 750),
        # L4 100 @ +5 = +500 ST; L3 50 @ -20 = -1,000 ST
        (ReliefMethod.LIFO, [("L4", 100), ("L3", 50)], -500, 0),
        # highest cost first: L2 ($95) 100 = -2,500 LT; L3 ($90) 50 = -1,000 ST
        (ReliefMethod.HIFO, [("L2", 100), ("L3", 50)], -1000, -2500),
        # lowest tax per share first: L3 (-8.16) 100 = -2,000 ST; L2 (-5.95) 50 = -1,250 LT
        (ReliefMethod.MIN_TAX, [("L3", 100), ("L2", 50)], -2000, -1250),
    ],
)
def test_relief_method_table(
    method: ReliefMethod, expected_lots: list[tuple[str, int]], short_term: int, long_term: int
) -> None:
    result = ledger_run([*LOTS, tx("2024-07-01", "SELL", "XYZ", 150, 10500)], method=method)
    assert [(d.lot_id, d.shares) for d in result.dispositions] == [
        (lot, D(n)) for lot, n in expected_lots
    ]
    assert realized_gains_by_term(result.dispositions) == (D(short_term), D(long_term))
    assert sum(d.disallowed_loss for d in result.dispositions) == 0


def test_min_tax_order_over_all_lots() -> None:
    # Ascending tax per share: L3 -8.16, L2 -5.95, L4 +2.04, L1 +4.76.
    assert relieved(ReliefMethod.MIN_TAX, 350) == [
        ("L3", D(100)),
        ("L2", D(100)),
        ("L4", D(100)),
        ("L1", D(50)),
    ]


def test_min_tax_uses_the_client_rates() -> None:
    from pma_engine.tax import TaxRates

    # With equal rates, tax per share ranks by basis alone: same order as HIFO here.
    rates = TaxRates(short_term=D("0.3"), long_term=D("0.3"))
    result = ledger_run(
        [*LOTS, tx("2024-07-01", "SELL", "XYZ", 150, 10500)],
        method=ReliefMethod.MIN_TAX,
        rates=rates,
    )
    assert [(d.lot_id, d.shares) for d in result.dispositions] == [("L2", D(100)), ("L3", D(50))]


def test_specific_identification_overrides_the_method() -> None:
    result = ledger_run(
        [*LOTS, tx("2024-07-01", "SELL", "XYZ", 60, 4200, lot="L3")], method=ReliefMethod.HIFO
    )
    (only,) = result.dispositions
    assert (only.lot_id, only.shares, only.cost_basis, only.gain_loss) == (
        "L3",
        D(60),
        D(5400),  # 60 x $90
        D(-1200),
    )
    left = {lot.lot_id: lot.shares for lot in result.open_lots}
    assert left == {"L1": 100, "L2": 100, "L3": 40, "L4": 100}


def test_per_transaction_method_override() -> None:
    sale = tx("2024-07-01", "SELL", "XYZ", 150, 10500, method=ReliefMethod.LIFO)
    result = ledger_run([*LOTS, sale], method=ReliefMethod.FIFO)
    assert [d.lot_id for d in result.dispositions] == ["L4", "L3"]


def test_specific_method_without_a_lot_is_an_error() -> None:
    with pytest.raises(LedgerError, match="needs a lot"):
        ledger_run([*LOTS, tx("2024-07-01", "SELL", "XYZ", 1, 70)], method=ReliefMethod.SPECIFIC)


def test_partial_lot_basis_is_pro_rata_and_remainder_exact() -> None:
    result = ledger_run(
        [
            tx("2024-01-02", "BUY", "ABC", 3, 100),
            tx("2024-02-01", "SELL", "ABC", 1, 40),
        ]
    )
    (sold,) = result.dispositions
    (left,) = result.open_lots
    assert sold.cost_basis + left.basis == 100
    assert abs(sold.cost_basis - Decimal(100) / 3) < Decimal("1e-11")
    assert left.shares == 2


def test_relief_is_per_account() -> None:
    result = ledger_run(
        [
            tx("2024-01-02", "BUY", "ABC", 10, 100, account="joint"),
            tx("2024-01-03", "BUY", "ABC", 10, 200, account="trust"),
            tx("2024-02-01", "SELL", "ABC", 10, 300, account="trust"),
        ]
    )
    (sold,) = result.dispositions
    assert (sold.account, sold.cost_basis) == ("trust", D(200))


def test_hifo_tie_after_a_wash_falls_back_to_fifo_despite_pro_rata_rounding() -> None:
    # A: 3 sh for $11 ($3.666.../sh). B: 1 sh for $3. HIFO sells 1 sh of A for $3: loss $2/3,
    # washed into B (bought the day before): B's basis 3 + 2/3 = 11/3, exactly A's per share.
    # The tie goes to FIFO: the next sale takes A (acquired Jan 2), not B (tacked to Jan 1).
    # The pro-rata split leaves A at 3.6666666666665/sh and B at 3.666666666667 in 1e-12
    # steps; without comparing at a coarser step HIFO would pick B on that rounding noise.
    result = ledger_run(
        [
            tx("2024-01-02", "BUY", "T", 3, 11, lot="A"),
            tx("2024-01-03", "BUY", "T", 1, 3, lot="B"),
            tx("2024-01-04", "SELL", "T", 1, 3),
            tx("2024-03-01", "SELL", "T", 1, 4),
        ],
        method=ReliefMethod.HIFO,
    )
    first, second = result.dispositions
    assert (first.lot_id, first.disallowed_loss.quantize(D("0.01"))) == ("A", D("0.67"))
    assert second.lot_id == "A"
    assert {lot.lot_id: lot.shares for lot in result.open_lots} == {"A": 1, "B": 1}


def test_hifo_and_min_tax_rank_a_huge_basis_per_share() -> None:
    # 1e16 of basis on a millionth of a share: 1e22 per share, too long to round to 1e-9 at
    # 28 digits; the ranking still works and takes that lot first.
    for method in (ReliefMethod.HIFO, ReliefMethod.MIN_TAX):
        result = ledger_run(
            [
                tx("2024-01-02", "BUY", "T", "1", 5, lot="small"),
                tx("2024-01-03", "BUY", "T", "0.000001", "9999999999999999", lot="huge"),
                tx("2024-03-04", "SELL", "T", "0.5", 5),
            ],
            method=method,
        )
        assert [d.lot_id for d in result.dispositions] == ["huge", "small"]
