"""Form 8949 layout, Schedule D totals and the Capital Loss Carryover Worksheet.

Carryover numbers follow the worksheet in the Schedule D instructions (also in IRS Pub. 550),
lines 1-13, worked by hand in each test.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from pma_engine.tax import (
    AccountType,
    BasisReporting,
    Disposition,
    FilingStatus,
    capital_loss_carryover,
    form8949_row,
    form8949_rows,
    ledger_run,
    money_round,
    schedule_d_totals,
)
from tests.engine.tax.helpers import D, tx


def disposition(**overrides: object) -> Disposition:
    fields: dict[str, object] = {
        "sale_index": 1,
        "buy_index": 0,
        "account": "brokerage",
        "account_type": AccountType.TAXABLE,
        "ticker": "AAPL",
        "lot_id": None,
        "shares": D(10),
        "date_acquired_original": date(2023, 1, 3),
        "date_acquired": date(2023, 1, 3),
        "date_sold": date(2024, 5, 1),
        "proceeds": D(1500),
        "cost_unadjusted": D(1000),
        "wash_adjustment": D(0),
        "disallowed_loss": D(0),
        "disallowed_permanently": D(0),
        "is_long_term": True,
    }
    fields.update(overrides)
    return Disposition(**fields)  # type: ignore[arg-type]


def test_money_round_is_half_up() -> None:
    assert money_round(D("2.665")) == D("2.67")  # half-even would give 2.66
    assert money_round(D("2.664999")) == D("2.66")
    assert money_round(D("-2.665")) == D("-2.67")
    assert money_round(D("10")) == D("10.00")


def test_row_columns_for_a_long_term_gain() -> None:
    row = form8949_row(disposition())
    assert (row.part, row.box, row.description) == ("II", "D", "10 sh AAPL")
    assert (row.date_acquired, row.date_sold) == (date(2023, 1, 3), date(2024, 5, 1))
    assert (row.proceeds, row.cost_basis, row.code, row.adjustment, row.gain_loss) == (
        D("1500.00"),
        D("1000.00"),
        "",
        D("0.00"),
        D("500.00"),
    )


def test_row_rounds_each_column_then_adds() -> None:
    # (h) = (d) - (e) + (g) from the rounded columns: 100.01 - 33.34 + 0.01 = 66.68.
    row = form8949_row(
        disposition(
            shares=D("2.5"),
            proceeds=D("100.005"),
            cost_unadjusted=D("33.335"),
            disallowed_loss=D("0.005"),
            is_long_term=False,
        )
    )
    assert (row.part, row.box, row.description, row.code) == ("I", "A", "2.5 sh AAPL", "W")
    assert (row.proceeds, row.cost_basis, row.adjustment, row.gain_loss) == (
        D("100.01"),
        D("33.34"),
        D("0.01"),
        D("66.68"),
    )


def test_reporting_boxes() -> None:
    short = disposition(is_long_term=False)
    assert form8949_row(short, reporting=BasisReporting.NOT_REPORTED).box == "B"
    assert form8949_row(disposition(), reporting=BasisReporting.NOT_REPORTED).box == "E"
    assert form8949_row(short, reporting=BasisReporting.NO_1099B).box == "C"
    assert form8949_row(disposition(), reporting=BasisReporting.NO_1099B).box == "F"


def test_rows_skip_tax_deferred_accounts_and_filter_by_year() -> None:
    rows = form8949_rows(
        [
            disposition(date_sold=date(2024, 5, 1), sale_index=3),
            disposition(account_type=AccountType.IRA, sale_index=4),
            disposition(account_type=AccountType.ROTH, sale_index=5),
            disposition(date_sold=date(2023, 12, 29), sale_index=6),
        ]
    )
    assert [r.sale_index for r in rows] == [6, 3]  # ordered by date sold
    assert [r.sale_index for r in form8949_rows([disposition()], year=2023)] == []


def test_schedule_d_totals_from_a_ledger() -> None:
    # ST: +200 (X) and -300 with 100 disallowed (Y -> -200). LT: +500 (Z).
    result = ledger_run(
        [
            tx("2024-01-02", "BUY", "X", 10, 1000),
            tx("2024-02-01", "SELL", "X", 10, 1200),
            tx("2024-01-02", "BUY", "Y", 10, 1000),
            tx("2024-03-01", "SELL", "Y", 10, 700),
            tx("2024-03-05", "BUY", "Y", 10, 700),
            tx("2024-03-06", "SELL", "Y", 10, 1100, lot=None),
            tx("2020-01-02", "BUY", "Z", 5, 500),
            tx("2024-04-01", "SELL", "Z", 5, 1000),
        ]
    )
    totals = schedule_d_totals(form8949_rows(result.dispositions))
    # Y replacement: basis 700 + 300 = 1000, sold for 1100 -> +100 ST.
    assert totals.short_term.gain_loss == D(200) + D(0) + D(100)
    assert totals.short_term.adjustment == D(300)
    assert totals.short_term.proceeds == D(1200) + D(700) + D(1100)
    assert totals.long_term.gain_loss == D(500)
    assert totals.net_gain_loss == D(800)


def test_carryover_worksheet_st_4000_lt_6000() -> None:
    # Line 16 = -10,000; line 21 = 3,000. Lines 5-8: 4,000 - (3,000 + 0) = 1,000 ST carryover.
    # Lines 9-13: line 11 = max(0, 3,000 - 4,000) = 0 -> 6,000 - (0 + 0) = 6,000 LT carryover.
    result = capital_loss_carryover(short_term_net=D(-4000), long_term_net=D(-6000))
    assert (result.deduction, result.short_term_carryover, result.long_term_carryover) == (
        D(3000),
        D(1000),
        D(6000),
    )


def test_carryover_worksheet_married_filing_separately() -> None:
    # Limit 1,500: ST carryover 4,000 - 1,500 = 2,500; LT stays 6,000.
    result = capital_loss_carryover(
        short_term_net=D(-4000),
        long_term_net=D(-6000),
        filing_status=FilingStatus.MARRIED_SEPARATE,
    )
    assert (result.deduction, result.short_term_carryover, result.long_term_carryover) == (
        D(1500),
        D(2500),
        D(6000),
    )


def test_carryover_worksheet_short_term_loss_smaller_than_the_deduction() -> None:
    # ST -1,000, LT -6,000: line 8 = 1,000 - 3,000 -> 0; line 11 = 3,000 - 1,000 = 2,000;
    # line 13 = 6,000 - 2,000 = 4,000.
    result = capital_loss_carryover(short_term_net=D(-1000), long_term_net=D(-6000))
    assert (result.short_term_carryover, result.long_term_carryover) == (D(0), D(4000))


def test_carryover_worksheet_gain_in_one_term() -> None:
    # ST +2,000, LT -8,000: line 16 = -6,000, deduction 3,000; ST is a gain so no ST carryover;
    # line 10 = 2,000, line 11 = 3,000 - 0 -> line 13 = 8,000 - 5,000 = 3,000.
    result = capital_loss_carryover(short_term_net=D(2000), long_term_net=D(-8000))
    assert (result.deduction, result.short_term_carryover, result.long_term_carryover) == (
        D(3000),
        D(0),
        D(3000),
    )


def test_pub_550_bob_and_gloria() -> None:
    # Pub. 550 "Capital loss carryover": a $7,000 capital loss, joint return: deduct $3,000,
    # carry $4,000. Had the loss been $2,000, deduct $2,000 and carry nothing.
    result = capital_loss_carryover(
        short_term_net=D(-7000), long_term_net=D(0), filing_status=FilingStatus.MARRIED_JOINT
    )
    assert (result.deduction, result.short_term_carryover) == (D(3000), D(4000))
    small = capital_loss_carryover(short_term_net=D(-2000), long_term_net=D(0))
    assert (small.deduction, small.short_term_carryover, small.long_term_carryover) == (
        D(2000),
        D(0),
        D(0),
    )


def test_carryovers_in_are_netted_first() -> None:
    # This year ST +1,000, LT +500, prior ST carryover 5,000: line 7 = -4,000, line 15 = +500,
    # line 16 = -3,500, deduction 3,000; line 8 = 4,000 - (3,000 + 500) = 500.
    result = capital_loss_carryover(
        short_term_net=D(1000), long_term_net=D(500), short_term_carryover_in=D(5000)
    )
    assert (result.short_term_net, result.net, result.deduction) == (D(-4000), D(-3500), D(3000))
    assert (result.short_term_carryover, result.long_term_carryover) == (D(500), D(0))


def test_carryover_with_negative_taxable_income() -> None:
    # Worksheet line 1 = -2,000 (taxable income before it floors at zero), line 2 = 3,000,
    # line 3 = 1,000, line 4 = 1,000: only 1,000 of the deduction counts as used.
    # ST -4,000 / LT -6,000: line 8 = 4,000 - 1,000 = 3,000; line 13 = 6,000.
    result = capital_loss_carryover(
        short_term_net=D(-4000), long_term_net=D(-6000), taxable_income=D(-2000)
    )
    assert result.deduction == 3000
    assert (result.short_term_carryover, result.long_term_carryover) == (D(3000), D(6000))


def test_net_gain_has_no_deduction_and_no_carryover() -> None:
    result = capital_loss_carryover(short_term_net=D(-1000), long_term_net=D(5000))
    assert (result.deduction, result.short_term_carryover, result.long_term_carryover) == (0, 0, 0)
    assert result.net == 4000


@settings(max_examples=150, deadline=None)
@given(
    st_net=st.integers(-20000, 20000),
    lt_net=st.integers(-20000, 20000),
    st_in=st.integers(0, 10000),
    lt_in=st.integers(0, 10000),
    separate=st.booleans(),
)
def test_carryover_keeps_the_total(
    st_net: int, lt_net: int, st_in: int, lt_in: int, separate: bool
) -> None:
    """Whatever the split, the carryover is exactly the net loss the deduction did not use."""
    status = FilingStatus.MARRIED_SEPARATE if separate else FilingStatus.SINGLE
    result = capital_loss_carryover(
        short_term_net=Decimal(st_net),
        long_term_net=Decimal(lt_net),
        short_term_carryover_in=Decimal(st_in),
        long_term_carryover_in=Decimal(lt_in),
        filing_status=status,
    )
    net = st_net - st_in + lt_net - lt_in
    limit = 1500 if separate else 3000
    assert result.deduction == (min(limit, -net) if net < 0 else 0)
    carried = result.short_term_carryover + result.long_term_carryover
    assert carried == max(0, -net - int(result.deduction))
    assert result.short_term_carryover >= 0 and result.long_term_carryover >= 0
    # Character is kept: no more short-term carried than short-term loss, same for long-term.
    assert result.short_term_carryover <= max(0, -(st_net - st_in))
    assert result.long_term_carryover <= max(0, -(lt_net - lt_in))
