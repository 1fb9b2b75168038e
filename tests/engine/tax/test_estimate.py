"""Tax estimate with ST/LT netting, and the optimizer's array view of open lots."""

from __future__ import annotations

from datetime import date

import numpy as np
import pytest

from pma_engine.household import open_lots_unrealized
from pma_engine.tax import (
    AccountType,
    OpenLot,
    TaxRates,
    ledger_run,
    realized_gains_by_term,
    tax_estimate,
)
from tests.engine.tax.helpers import D, tx


def test_both_gains_taxed_at_their_rates() -> None:
    # 1,000 x 0.408 + 2,000 x 0.238 = 408 + 476 = 884
    result = tax_estimate(D(1000), D(2000))
    assert result.tax == D("884.000")
    assert result.tax_with_loss_value == D("884.000")


def test_short_term_loss_offsets_long_term_gain() -> None:
    # LT 5,000 - ST loss 2,000 = 3,000 LT taxed at 0.238 = 714
    result = tax_estimate(D(-2000), D(5000))
    assert (result.short_term_taxable, result.long_term_taxable) == (D(0), D(3000))
    assert result.tax == D("714.000")


def test_long_term_loss_offsets_short_term_gain() -> None:
    # ST 5,000 - LT loss 2,000 = 3,000 ST at 0.408 = 1,224
    result = tax_estimate(D(5000), D(-2000))
    assert (result.short_term_taxable, result.long_term_taxable) == (D(3000), D(0))
    assert result.tax == D("1224.000")


def test_net_loss_leaves_loss_of_its_character() -> None:
    # ST +1,000, LT -4,000 -> 3,000 LT loss left; tax 0; credited at 0.238 -> -714
    result = tax_estimate(D(1000), D(-4000))
    assert (result.long_term_loss_left, result.short_term_loss_left, result.tax) == (
        D(3000),
        D(0),
        D(0),
    )
    assert result.tax_with_loss_value == D("-714.000")


def test_custom_rates() -> None:
    result = tax_estimate(D(100), D(100), TaxRates(short_term=D("0.5"), long_term=D("0.2")))
    assert result.tax == D(70)


def test_realized_gains_by_term_uses_allowed_amounts_and_year() -> None:
    result = ledger_run(
        [
            tx("2023-01-03", "BUY", "A", 10, 1000),
            tx("2024-03-01", "SELL", "A", 5, 400),  # LT -100, replaced below: disallowed
            tx("2024-03-05", "BUY", "A", 5, 450),
            tx("2024-03-06", "SELL", "A", 5, 800, lot=None),  # LT +300 (FIFO: 2023 lot)
            tx("2024-03-07", "BUY", "B", 1, 10),
            tx("2025-01-02", "SELL", "B", 1, 20),  # ST +10 in 2025
        ]
    )
    assert realized_gains_by_term(result.dispositions, year=2024) == (D(0), D(300))
    assert realized_gains_by_term(result.dispositions, year=2025) == (D(10), D(0))


def lot(ticker: str, shares: str, basis: str, acquired: date) -> OpenLot:
    return OpenLot(
        buy_index=0,
        account="a",
        account_type=AccountType.TAXABLE,
        ticker=ticker,
        lot_id=None,
        shares=D(shares),
        date_acquired_original=acquired,
        date_acquired=acquired,
        cost_unadjusted=D(basis),
        wash_adjustment=D(0),
    )


def test_open_lots_unrealized_arrays() -> None:
    lots = [
        lot("AAA", "10", "1000", date(2023, 1, 15)),  # LT on 2024-01-16
        lot("BBB", "4", "200", date(2024, 2, 29)),  # LT on 2025-03-01
    ]
    arrays, gain = open_lots_unrealized(lots, {"AAA": 120.0, "BBB": 40.0}, date(2024, 1, 15))
    np.testing.assert_allclose(gain, [20.0, -10.0])
    assert arrays.is_long_term.tolist() == [False, False]
    # 2024-01-15 -> 2024-01-16 = 1 day; -> 2025-03-01 = 411 days (2024 has Feb 29)
    assert arrays.days_to_long_term.tolist() == [1, 411]
    later, later_gain = open_lots_unrealized(lots, np.array([100.0, 60.0]), date(2025, 3, 1))
    assert later.is_long_term.tolist() == [True, True]
    np.testing.assert_allclose(later_gain, [0.0, 10.0])


def test_open_lots_unrealized_checks_price_count() -> None:
    with pytest.raises(ValueError, match="expected 1 prices"):
        open_lots_unrealized([lot("A", "1", "1", date(2024, 1, 1))], [1.0, 2.0], date(2024, 1, 2))
