"""Wash sales (IRC 1091) against published examples and hand-worked cases.

Every expected number is worked out in the comments from the cited source, not from the code.
Holding-period day counts were checked with plain date subtraction.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from pma_engine.tax import (
    Disposition,
    LedgerResult,
    OpenLot,
    ReliefMethod,
    WashSaleOptions,
    form8949_rows,
    ledger_run,
)
from tests.engine.tax.helpers import D, tx


def open_by_lot(result: LedgerResult) -> dict[str | None, list[OpenLot]]:
    lots: dict[str | None, list[OpenLot]] = {}
    for lot in result.open_lots:
        lots.setdefault(lot.lot_id, []).append(lot)
    return lots


def only(items: list[OpenLot] | tuple[Disposition, ...]) -> object:
    assert len(items) == 1, items
    return items[0]


# -- IRS Publication 550, "Wash Sales" --------------------------------------------------------


def test_pub_550_example_1_full_repurchase() -> None:
    # Buy 100 sh for $1,000; sell for $750; within 30 days buy 100 sh for $800.
    # The $250 loss is disallowed and the new basis is $800 + $250 = $1,050.
    result = ledger_run(
        [
            tx("2024-01-10", "BUY", "X", 100, 1000),
            tx("2024-06-03", "SELL", "X", 100, 750),
            tx("2024-06-20", "BUY", "X", 100, 800, lot="new"),
        ]
    )
    (sale,) = result.dispositions
    assert sale.disallowed_loss == 250
    assert sale.gain_loss == 0
    (new,) = result.open_lots
    assert new.basis == 1050
    assert new.wash_adjustment == 250
    # Held Jan 10 -> Jun 3 = 145 days; Jun 20 - 145 days = Jan 27.
    assert new.date_acquired == date(2024, 1, 27)
    assert new.date_acquired_original == date(2024, 6, 20)
    (row,) = form8949_rows(result.dispositions)
    assert (row.code, row.adjustment, row.gain_loss) == ("W", D("250.00"), D("0.00"))


def test_pub_550_example_2_partial_repurchase_is_pro_rata() -> None:
    # Buy 100 sh M for $5,000; sell for $3,750; within 30 days buy 75 sh for $3,000.
    # Disallowed: $1,250 x 75/100 = $937.50; deductible: $312.50; new basis $3,937.50.
    result = ledger_run(
        [
            tx("2024-01-10", "BUY", "M", 100, 5000),
            tx("2024-06-03", "SELL", "M", 100, 3750),
            tx("2024-06-10", "BUY", "M", 75, 3000),
        ]
    )
    (sale,) = result.dispositions
    assert sale.disallowed_loss == D("937.50")
    assert sale.gain_loss == D("-312.50")
    (new,) = result.open_lots
    assert new.basis == D("3937.50")
    (row,) = form8949_rows(result.dispositions)
    assert (row.proceeds, row.cost_basis, row.adjustment, row.gain_loss) == (
        D("3750.00"),
        D("5000.00"),
        D("937.50"),
        D("-312.50"),
    )


# -- Treas. Reg. 1.1091-1 and 1.1091-2 ----------------------------------------------------------


def test_reg_1091_1_more_replacements_than_sold_match_earliest_acquisitions() -> None:
    # 1.1091-1(h) example: bought 100 sh 1954-09-15 for $5,000; sold them 1956-02-01 for
    # $4,000; bought 50 sh on each of Feb 15-18, 1956 for $2,000. The whole $1,000 loss is
    # disallowed and the replacements are the first 100 shares acquired: Feb 15 and Feb 16.
    # Each gets $500 ($10/sh) and the sold shares' holding period (504 days):
    # Feb 15, 1956 - 504 days = 1954-09-29; Feb 16 -> 1954-09-30.
    result = ledger_run(
        [
            tx("1954-09-15", "BUY", "M", 100, 5000, lot="old"),
            tx("1956-02-01", "SELL", "M", 100, 4000),
            tx("1956-02-15", "BUY", "M", 50, 2000, lot="feb15"),
            tx("1956-02-16", "BUY", "M", 50, 2000, lot="feb16"),
            tx("1956-02-17", "BUY", "M", 50, 2000, lot="feb17"),
            tx("1956-02-18", "BUY", "M", 50, 2000, lot="feb18"),
        ]
    )
    (sale,) = result.dispositions
    assert sale.disallowed_loss == 1000
    assert [(m.replacement_buy_index, m.shares, m.disallowed_loss) for m in sale.wash_matches] == [
        (2, D(50), D(500)),
        (3, D(50), D(500)),
    ]
    lots = {lot.lot_id: lot for lot in result.open_lots}
    assert (lots["feb15"].basis, lots["feb15"].date_acquired) == (D(2500), date(1954, 9, 29))
    assert (lots["feb16"].basis, lots["feb16"].date_acquired) == (D(2500), date(1954, 9, 30))
    assert (lots["feb17"].basis, lots["feb17"].date_acquired) == (D(2000), date(1956, 2, 17))
    assert (lots["feb18"].basis, lots["feb18"].date_acquired) == (D(2000), date(1956, 2, 18))


def reg_fewer_replacements(options: WashSaleOptions | None = None) -> LedgerResult:
    # 1.1091-1(h) example: bought 100 sh 1954-09-21 for $5,000; bought 50 sh 1954-12-21 for
    # $2,750 and 25 sh 1954-12-27 for $1,125; sold the Sept 21 shares 1955-01-03 for $4,000.
    return ledger_run(
        [
            tx("1954-09-21", "BUY", "M", 100, 5000, lot="sep21"),
            tx("1954-12-21", "BUY", "M", 50, 2750, lot="dec21"),
            tx("1954-12-27", "BUY", "M", 25, 1125, lot="dec27"),
            tx("1955-01-03", "SELL", "M", 100, 4000, lot="sep21"),
        ],
        wash_options=options,
    )


def test_reg_1091_1_fewer_replacements_than_sold() -> None:
    # Loss $1,000 on 100 sh; 75 sh acquired in the window: $750 disallowed, $250 deductible.
    # Basis of the Dec 21 shares: $2,500 (cost of 50 sold sh) + ($2,750 - $2,000) = $3,250;
    # of the Dec 27 shares: $1,250 + ($1,125 - $1,000) = $1,375 (the regulation's numbers).
    result = reg_fewer_replacements()
    (sale,) = result.dispositions
    assert (sale.disallowed_loss, sale.gain_loss) == (D(750), D(-250))
    lots = {lot.lot_id: lot for lot in result.open_lots}
    assert lots["dec21"].basis == 3250
    assert lots["dec27"].basis == 1375
    # Default: each replacement's date moves back by the sold shares' holding period. Sold
    # shares held Sep 21, 1954 -> Jan 3, 1955 = 104 days: Dec 21 -> 1954-09-08,
    # Dec 27 -> 1954-09-14.
    assert lots["dec21"].date_acquired == date(1954, 9, 8)
    assert lots["dec27"].date_acquired == date(1954, 9, 14)


def test_holding_period_overlap_counted_once_option() -> None:
    # With the overlap counted once, both holding periods start when the sold shares' did.
    result = reg_fewer_replacements(WashSaleOptions(holding_period_overlap_counts_once=True))
    lots = {lot.lot_id: lot for lot in result.open_lots}
    assert lots["dec21"].date_acquired == date(1954, 9, 21)
    assert lots["dec27"].date_acquired == date(1954, 9, 21)
    assert lots["dec21"].basis == 3250


def test_reg_1091_2_basis_examples() -> None:
    # 1.1091-2 Example 1: share bought for $100, sold 1955-01-15 for $80, new share bought
    # 1955-02-01 for $90 -> basis $110. Example 2: new share for $70 -> basis $90.
    for new_price, expected_basis in ((90, 110), (70, 90)):
        result = ledger_run(
            [
                tx("1935-06-01", "BUY", "X", 1, 100),
                tx("1955-01-15", "SELL", "X", 1, 80),
                tx("1955-02-01", "BUY", "X", 1, new_price),
            ]
        )
        (new,) = result.open_lots
        assert new.basis == expected_basis
        assert result.dispositions[0].gain_loss == 0


# -- Rev. Rul. 2008-5: repurchase inside an IRA or Roth ------------------------------------------


def test_rev_rul_2008_5_ira_repurchase_disallows_permanently() -> None:
    # Sell at a $2,000 loss in a taxable account; the IRA buys the same stock 10 days later.
    # The loss is disallowed and the IRA shares' basis is NOT increased: the loss is gone.
    for account_type in ("ira", "roth"):
        result = ledger_run(
            [
                tx("2023-01-10", "BUY", "Z", 100, 10000),
                tx("2024-03-01", "SELL", "Z", 100, 8000),
                tx("2024-03-11", "BUY", "Z", 100, 8100, account="ret", account_type=account_type),
            ]
        )
        (sale,) = result.dispositions
        assert (sale.disallowed_loss, sale.disallowed_permanently) == (D(2000), D(2000))
        assert sale.gain_loss == 0
        (ira_lot,) = result.open_lots
        assert (ira_lot.basis, ira_lot.wash_adjustment) == (D(8100), D(0))
        assert ira_lot.date_acquired == date(2024, 3, 11)
        (row,) = form8949_rows(result.dispositions)
        assert (row.code, row.adjustment) == ("W", D("2000.00"))


def test_ira_sales_produce_no_rows_and_are_never_washed() -> None:
    result = ledger_run(
        [
            tx("2024-01-10", "BUY", "Z", 10, 1000, account="ira", account_type="ira"),
            tx("2024-02-01", "SELL", "Z", 10, 600, account="ira", account_type="ira"),
            tx("2024-02-05", "BUY", "Z", 10, 650),  # taxable purchase after an IRA loss
        ]
    )
    (ira_sale,) = result.dispositions
    assert not ira_sale.is_reportable
    assert ira_sale.disallowed_loss == 0
    assert form8949_rows(result.dispositions) == []
    (taxable_lot,) = result.open_lots
    assert taxable_lot.basis == 650


def test_partial_ira_repurchase_splits_permanent_and_carried() -> None:
    # Loss $1,000 on 100 sh. Replacement: 40 sh in the IRA (day 5), then 60 sh taxable (day 9).
    # Earliest first: 40% ($400) lost for good, 60% ($600) added to the taxable lot.
    result = ledger_run(
        [
            tx("2024-01-02", "BUY", "Q", 100, 5000),
            tx("2024-04-01", "SELL", "Q", 100, 4000),
            tx("2024-04-06", "BUY", "Q", 40, 1600, account="ira", account_type="ira", lot="i"),
            tx("2024-04-10", "BUY", "Q", 60, 2400, lot="t"),
        ]
    )
    (sale,) = result.dispositions
    assert (sale.disallowed_loss, sale.disallowed_permanently) == (D(1000), D(400))
    lots = {lot.lot_id: lot for lot in result.open_lots}
    assert lots["i"].basis == 1600
    assert lots["t"].basis == 3000


# -- Household scope, window edges, matching order ------------------------------------------------


def test_repurchase_in_another_taxable_account_of_the_household() -> None:
    result = ledger_run(
        [
            tx("2024-01-02", "BUY", "Q", 10, 1000, account="joint"),
            tx("2024-04-01", "SELL", "Q", 10, 700, account="joint"),
            tx("2024-04-15", "BUY", "Q", 10, 720, account="trust", lot="t"),
        ]
    )
    assert result.dispositions[0].disallowed_loss == 300
    (lot,) = result.open_lots
    assert (lot.account, lot.basis) == ("trust", D(1020))


def test_window_is_30_days_each_side() -> None:
    # Sale on 2024-03-01: the window is 2024-01-31 .. 2024-03-31 (2024 is a leap year).
    def disallowed(buy_day: str) -> Decimal:
        result = ledger_run(
            [
                tx("2023-01-03", "BUY", "W", 10, 1000),
                tx(buy_day, "BUY", "W", 5, 400),
                tx("2024-03-01", "SELL", "W", 10, 800, lot=None),
            ]
        )
        return sum((d.disallowed_loss for d in result.dispositions), Decimal(0))

    assert disallowed("2024-01-30") == 0  # 31 days before
    assert disallowed("2024-01-31") == 100  # 30 days before: 5 of 10 sh replaced, $200 x 1/2
    assert disallowed("2024-03-31") == 100  # 30 days after
    assert disallowed("2024-04-01") == 0  # 31 days after


def test_earliest_loss_takes_the_replacement_and_a_share_replaces_once() -> None:
    # Two losses of $1,000 (Apr 1 and Apr 2, two accounts); one repurchase of 100 sh on Apr 10.
    # 1.1091-1(e): losses in order of disposition, so only the Apr 1 loss is disallowed.
    result = ledger_run(
        [
            tx("2024-01-02", "BUY", "R", 100, 5000, account="a"),
            tx("2024-01-02", "BUY", "R", 100, 5000, account="b"),
            tx("2024-04-01", "SELL", "R", 100, 4000, account="a"),
            tx("2024-04-02", "SELL", "R", 100, 4000, account="b"),
            tx("2024-04-10", "BUY", "R", 100, 4100, account="a", lot="new"),
        ]
    )
    first, second = result.dispositions
    assert (first.account, first.disallowed_loss) == ("a", D(1000))
    assert (second.account, second.disallowed_loss, second.gain_loss) == ("b", D(0), D(-1000))
    (new,) = result.open_lots
    assert new.basis == 5100


def test_one_sale_over_two_lots_matches_the_earlier_acquired_shares_first() -> None:
    # FIFO sale of 200 sh at $50 on 2024-05-01: L1 (100 @ $60, 2023-01-03) loses $1,000 (LT),
    # L2 (100 @ $55, 2023-06-01) loses $500 (ST). Repurchase of 100 sh on 2024-05-10 @ $52.
    # 1.1091-1(b): same-sale losses in order of acquisition -> L1's shares are washed.
    # Replacement basis $5,200 + $1,000 = $6,200; L1 held 484 days -> 2024-05-10 - 484 days =
    # 2023-01-12.
    result = ledger_run(
        [
            tx("2023-01-03", "BUY", "S", 100, 6000, lot="L1"),
            tx("2023-06-01", "BUY", "S", 100, 5500, lot="L2"),
            tx("2024-05-01", "SELL", "S", 200, 10000),
            tx("2024-05-10", "BUY", "S", 100, 5200, lot="new"),
        ]
    )
    l1, l2 = result.dispositions
    assert (l1.lot_id, l1.is_long_term, l1.disallowed_loss) == ("L1", True, D(1000))
    assert (l2.lot_id, l2.is_long_term, l2.disallowed_loss, l2.gain_loss) == (
        "L2",
        False,
        D(0),
        D(-500),
    )
    (new,) = result.open_lots
    assert (new.basis, new.date_acquired) == (D(6200), date(2023, 1, 12))


def test_replacement_bought_before_the_sale() -> None:
    # A: 100 @ $50 on 2024-01-02; B: 100 @ $40 on 2024-03-01; sell A (FIFO) 2024-03-15 for
    # $3,500 -> $1,500 loss. B is held at the sale and bought 14 days before: a replacement.
    # B's basis $4,000 + $1,500 = $5,500. Default: B's date moves back by the 73 days A was
    # held (2024-01-02 -> 2024-03-15): 2024-03-01 - 73 days = 2023-12-19.
    result = ledger_run(
        [
            tx("2024-01-02", "BUY", "T", 100, 5000, lot="A"),
            tx("2024-03-01", "BUY", "T", 100, 4000, lot="B"),
            tx("2024-03-15", "SELL", "T", 100, 3500),
        ]
    )
    (sale,) = result.dispositions
    assert (sale.lot_id, sale.disallowed_loss) == ("A", D(1500))
    (b,) = result.open_lots
    assert (b.lot_id, b.basis, b.date_acquired) == ("B", D(5500), date(2023, 12, 19))
    # Counting the overlap once instead: the holding period starts with A's (2024-01-02).
    once = ledger_run(
        [
            tx("2024-01-02", "BUY", "T", 100, 5000, lot="A"),
            tx("2024-03-01", "BUY", "T", 100, 4000, lot="B"),
            tx("2024-03-15", "SELL", "T", 100, 3500),
        ],
        wash_options=WashSaleOptions(holding_period_overlap_counts_once=True),
    )
    assert once.open_lots[0].date_acquired == date(2024, 1, 2)


def test_same_date_transactions_apply_in_input_order() -> None:
    # Sale first, then the buy on the same day: the buy is a replacement bought "after".
    # Buy first, then a FIFO sale on the same day: the sale relieves the older lot and the
    # new lot (held at the sale) replaces it. Either way the $300 loss is disallowed, but in
    # the second order FIFO sells the old lot, not the new one.
    sell_first = ledger_run(
        [
            tx("2023-01-03", "BUY", "U", 10, 1000, lot="old"),
            tx("2024-05-01", "SELL", "U", 10, 700),
            tx("2024-05-01", "BUY", "U", 10, 700, lot="new"),
        ]
    )
    buy_first = ledger_run(
        [
            tx("2023-01-03", "BUY", "U", 10, 1000, lot="old"),
            tx("2024-05-01", "BUY", "U", 10, 700, lot="new"),
            tx("2024-05-01", "SELL", "U", 10, 700),
        ]
    )
    for result in (sell_first, buy_first):
        (sale,) = result.dispositions
        assert (sale.lot_id, sale.disallowed_loss) == ("old", D(300))
        (new,) = result.open_lots
        assert (new.lot_id, new.basis) == ("new", D(1000))


def test_unsorted_input_is_applied_in_date_order() -> None:
    result = ledger_run(
        [
            tx("2024-06-20", "BUY", "X", 100, 800),
            tx("2024-06-03", "SELL", "X", 100, 750),
            tx("2024-01-10", "BUY", "X", 100, 1000),
        ]
    )
    (sale,) = result.dispositions
    assert (sale.sale_index, sale.buy_index, sale.disallowed_loss) == (1, 2, D(250))


# -- Gains, chains, year end ----------------------------------------------------------------------


def test_gains_are_never_washed() -> None:
    result = ledger_run(
        [
            tx("2024-01-02", "BUY", "G", 10, 1000),
            tx("2024-02-01", "SELL", "G", 10, 1200),
            tx("2024-02-10", "BUY", "G", 10, 1150),
        ]
    )
    (sale,) = result.dispositions
    assert (sale.disallowed_loss, sale.gain_loss) == (D(0), D(200))
    (new,) = result.open_lots
    assert (new.basis, new.date_acquired) == (D(1150), date(2024, 2, 10))


def test_rev_rul_70_231_gains_in_the_same_sale_are_not_netted_and_year_end_wash() -> None:
    # Rev. Rul. 70-231 facts: three blocks of 100 sh bought in 1967 at $158, $100 and $95;
    # all 300 sold 1969-12-22 at $125; 250 identical shares bought 1970-01-08 (here at $120).
    # Only the $158 block has a loss (100 x $33 = $3,300) and 250 >= 100 replacement shares,
    # so all $3,300 is disallowed; the gains ($2,500 and $3,000) are recognized in 1969.
    # 100 of the new shares get basis $12,000 + $3,300 = $15,300 and the $158 block's holding
    # period (1,055 days): 1970-01-08 - 1,055 days = 1967-02-18. The other 150 keep $18,000.
    result = ledger_run(
        [
            tx("1967-02-01", "BUY", "M", 100, 15800),
            tx("1967-06-01", "BUY", "M", 100, 10000),
            tx("1967-10-01", "BUY", "M", 100, 9500),
            tx("1969-12-22", "SELL", "M", 300, 37500),
            tx("1970-01-08", "BUY", "M", 250, 30000),
        ]
    )
    assert [(d.gain_loss, d.disallowed_loss) for d in result.dispositions] == [
        (D(0), D(3300)),
        (D(2500), D(0)),
        (D(3000), D(0)),
    ]
    rows_1969 = form8949_rows(result.dispositions, year=1969)
    assert [r.code for r in rows_1969] == ["W", "", ""]
    assert form8949_rows(result.dispositions, year=1970) == []
    lots = sorted((lot.shares, lot.basis, lot.date_acquired) for lot in result.open_lots)
    assert lots == [
        (D(100), D(15300), date(1967, 2, 18)),
        (D(150), D(18000), date(1970, 1, 8)),
    ]


def test_chained_wash_sales_carry_the_accumulated_adjustment() -> None:
    # A: 10 @ $100 on 2024-01-02; sold 2024-03-01 for $800 -> $200 loss.
    # B: 10 @ $85 on 2024-03-10 replaces A: basis $1,050, date 2024-03-10 - 59 days = 2024-01-11.
    # B sold 2024-03-20 for $700 -> loss $350 (incl. the carried $200).
    # C: 10 @ $72 on 2024-04-05 replaces B: basis $720 + $350 = $1,070;
    #    date 2024-04-05 - 69 days (B's 2024-01-11 .. 2024-03-20) = 2024-01-27.
    # C sold 2024-06-03 for $1,200 -> gain $130 = the cash result of the whole chain.
    result = ledger_run(
        [
            tx("2024-01-02", "BUY", "C", 10, 1000, lot="A"),
            tx("2024-03-01", "SELL", "C", 10, 800, lot="A"),
            tx("2024-03-10", "BUY", "C", 10, 850, lot="B"),
            tx("2024-03-20", "SELL", "C", 10, 700, lot="B"),
            tx("2024-04-05", "BUY", "C", 10, 720, lot="C"),
            tx("2024-06-03", "SELL", "C", 10, 1200, lot="C"),
        ]
    )
    a, b, c = result.dispositions
    assert (a.disallowed_loss, a.gain_loss) == (D(200), D(0))
    assert (b.cost_basis, b.wash_adjustment, b.date_acquired) == (
        D(1050),
        D(200),
        date(2024, 1, 11),
    )
    assert (b.disallowed_loss, b.gain_loss) == (D(350), D(0))
    assert (c.cost_basis, c.date_acquired, c.gain_loss) == (D(1070), date(2024, 1, 27), D(130))
    assert result.open_lots == ()


def test_replacement_sold_within_the_window_carries_the_loss_into_its_own_sale() -> None:
    # Loss of $100 on 2024-05-01; replacement bought 2024-05-05 @ $95 and sold at a gain
    # 2024-05-20 for $110: its basis is $95 + $100 = $195, so that sale is a $85 loss. Nothing
    # is bought after it, so that loss is allowed.
    result = ledger_run(
        [
            tx("2024-01-02", "BUY", "V", 1, 200),
            tx("2024-05-01", "SELL", "V", 1, 100),
            tx("2024-05-05", "BUY", "V", 1, 95),
            tx("2024-05-20", "SELL", "V", 1, 110),
        ]
    )
    first, second = result.dispositions
    assert (first.disallowed_loss, first.gain_loss) == (D(100), D(0))
    assert (second.cost_basis, second.disallowed_loss, second.gain_loss) == (D(195), D(0), D(-85))


# -- Conventions the IRS leaves open --------------------------------------------------------------


def same_lot_ledger(options: WashSaleOptions | None = None) -> LedgerResult:
    # One purchase of 200 sh @ $50 on 2024-03-01; 100 sold 2024-03-20 @ $40 ($1,000 loss).
    return ledger_run(
        [
            tx("2024-03-01", "BUY", "K", 200, 10000),
            tx("2024-03-20", "SELL", "K", 100, 4000),
        ],
        wash_options=options,
    )


def test_kept_shares_of_the_same_purchase_are_not_replacements_by_default() -> None:
    result = same_lot_ledger()
    (sale,) = result.dispositions
    assert (sale.disallowed_loss, sale.gain_loss) == (D(0), D(-1000))
    assert result.open_lots[0].basis == 5000


def test_kept_shares_of_the_same_purchase_as_replacements_option() -> None:
    # The stricter reading (e.g. advisors4advisors "Wash Sales and the 30-Day Rule"): the kept
    # 100 shares were bought within 30 days before, so the loss is disallowed and their basis
    # becomes $60/sh = $6,000.
    result = same_lot_ledger(WashSaleOptions(same_purchase_is_replacement=True))
    (sale,) = result.dispositions
    assert (sale.disallowed_loss, sale.gain_loss) == (D(1000), D(0))
    (kept,) = result.open_lots
    assert (kept.shares, kept.basis) == (D(100), D(6000))


def round_trips(options: WashSaleOptions | None = None) -> LedgerResult:
    # Jan 1: buy 1 @ $100, sell @ $110 (gain). Jan 2: buy 3 @ $100, sell @ $90 ($30 loss).
    # Jan 3: buy 1 @ $100, sell @ $110.
    return ledger_run(
        [
            tx("2024-01-01", "BUY", "Y", 1, 100),
            tx("2024-01-01", "SELL", "Y", 1, 110),
            tx("2024-01-02", "BUY", "Y", 3, 300),
            tx("2024-01-02", "SELL", "Y", 3, 270),
            tx("2024-01-03", "BUY", "Y", 1, 100),
            tx("2024-01-03", "SELL", "Y", 1, 110),
        ],
        wash_options=options,
    )


def test_shares_sold_before_the_loss_are_not_replacements_by_default() -> None:
    # Only the Jan 3 share replaces: $10 of the $30 loss is disallowed and moves to that share
    # (basis $110, sold for $110 -> 0). Rows: +10, -20, 0; net -10.
    result = round_trips()
    assert [(d.gain_loss, d.disallowed_loss) for d in result.dispositions] == [
        (D(10), D(0)),
        (D(-20), D(10)),
        (D(0), D(0)),
    ]


def test_shares_sold_before_the_loss_as_replacements_option() -> None:
    # The literal reading: the Jan 1 share (bought within 30 days before) also replaces one
    # share; its $10 goes into the Jan 1 sale's basis ($110 -> gain 0). Rows: 0, -10, 0; the
    # net (-10) is the same, only its placement differs.
    result = round_trips(WashSaleOptions(count_replacements_sold_before_loss=True))
    assert [(d.gain_loss, d.disallowed_loss) for d in result.dispositions] == [
        (D(0), D(0)),
        (D(-10), D(20)),
        (D(0), D(0)),
    ]
    assert result.dispositions[0].cost_basis == 110


def test_sold_before_option_splits_a_partly_matched_sale() -> None:
    # 10 sh bought 2024-04-01 @ $10 and sold 2024-04-05 @ $12 (gain $20). A $40 loss on 4 sh
    # on 2024-04-20 (lot bought 2023) takes 4 of those 10 already-sold shares: $40 is added to
    # 4 of them, so that sale splits into 4 sh (basis $40 + $40, gain -$32) and 6 sh (+$12).
    result = ledger_run(
        [
            tx("2023-01-03", "BUY", "P", 4, 100, lot="old"),
            tx("2024-04-01", "BUY", "P", 10, 100, lot="short"),
            tx("2024-04-05", "SELL", "P", 10, 120, lot="short"),
            tx("2024-04-20", "SELL", "P", 4, 60, lot="old"),
        ],
        wash_options=WashSaleOptions(count_replacements_sold_before_loss=True),
    )
    four, six, old = result.dispositions
    assert (four.shares, four.cost_basis, four.proceeds, four.gain_loss) == (
        D(4),
        D(80),
        D(48),
        D(-32),
    )
    assert (six.shares, six.cost_basis, six.gain_loss) == (D(6), D(60), D(12))
    assert (old.disallowed_loss, old.gain_loss) == (D(40), D(0))


def test_hifo_relief_sees_wash_adjusted_basis() -> None:
    # After Pub 550 example 1 the replacement lot costs $10.50/sh adjusted, above a $10.20 lot.
    result = ledger_run(
        [
            tx("2024-01-10", "BUY", "X", 100, 1000),
            tx("2024-06-03", "SELL", "X", 100, 750),
            tx("2024-06-20", "BUY", "X", 100, 800, lot="replacement"),
            tx("2024-06-21", "BUY", "X", 100, 1020, lot="plain"),
            tx("2024-09-03", "SELL", "X", 100, 1100),
        ],
        method=ReliefMethod.HIFO,
    )
    assert result.dispositions[-1].lot_id == "replacement"
