"""Universe: the one security key across the engine boundary, and its alignment helper."""

from __future__ import annotations

from datetime import date

import numpy as np
import pytest

from pma_engine.household import household_lots_build
from pma_engine.risk import FactorRiskModel
from pma_engine.universe import Universe, risk_model_align, universe_align


def universe() -> Universe:
    return Universe(
        ids=np.array([30, 10, 20, 40]),
        tickers=("CCC", "AAA", "BBB", "AAA"),  # id 40: a firm's legacy AAA
        sectors=("Energy", "Energy", "Utilities", "Energy"),
        industries=("Oil", "Oil", "Power", "Oil"),
        is_legacy=np.array([False, False, False, True]),
    )


def model() -> FactorRiskModel:
    # Two names known by the model, one factor; hand-picked numbers.
    return FactorRiskModel(
        tickers=("AAA", "BBB", "ZZZ"),
        exposures=np.array([[1.0], [0.5], [3.0]]),
        factor_cov=np.array([[0.04]]),
        specific_var=np.array([0.01, 0.02, 0.09]),
        as_of=date(2025, 1, 1),
        sectors=("Energy", "Utilities", "Energy"),
    )


def test_positions_follow_the_universe_order_and_name_an_unknown_id():
    u = universe()
    assert u.index_of(20) == 2
    assert u.positions([40, 30, 10]).tolist() == [3, 0, 1]
    with pytest.raises(KeyError, match="security id 99"):
        u.positions([10, 99])
    with pytest.raises(KeyError, match="security id 5"):
        u.index_of(5)
    assert 40 in u and 99 not in u and "AAA" not in u


def test_align_puts_each_value_at_its_id_and_refuses_a_stray_id():
    u = universe()
    assert u.align({20: 0.25, 30: 0.75}).tolist() == [0.75, 0.0, 0.25, 0.0]
    assert np.isnan(u.align({10: 5.0}, default=np.nan)[[0, 2, 3]]).all()
    with pytest.raises(KeyError, match="security id 7"):
        u.align({7: 1.0})


def test_duplicate_ids_and_short_columns_are_refused():
    with pytest.raises(ValueError, match="id 1 appears twice"):
        Universe(ids=np.array([1, 2, 1]), tickers=("A", "B", "C"))
    with pytest.raises(ValueError, match="sectors must have one entry per id"):
        Universe(ids=np.array([1, 2]), tickers=("A", "B"), sectors=("Energy",))


def test_risk_model_rows_follow_the_universe_and_a_legacy_name_is_a_proxy():
    aligned = risk_model_align(model(), universe())
    assert aligned.tickers == ("CCC", "AAA", "BBB", "AAA#40")
    # AAA (id 10) and BBB (id 20) keep their own rows.
    assert aligned.exposures[1].tolist() == [1.0] and aligned.specific_var[1] == 0.01
    assert aligned.exposures[2].tolist() == [0.5] and aligned.specific_var[2] == 0.02
    # CCC (unknown) and the legacy AAA: the Energy peers AAA and ZZZ, mean exposure 2.0 and
    # the 90th percentile of (0.01, 0.09) = 0.01 + 0.9 * 0.08 = 0.082.
    for row in (0, 3):
        assert aligned.is_proxy[row]
        assert aligned.exposures[row].tolist() == [2.0]
        assert aligned.specific_var[row] == pytest.approx(0.082)
    assert not aligned.is_proxy[[1, 2]].any()


def test_universe_align_lines_up_target_prices_lots_and_model():
    u = universe()
    result = universe_align(
        u,
        risk_model=model(),
        target={10: 0.6, 20: 0.4},
        prices={10: 100.0, 40: 90.0},
        lot_security=np.array([1, 3, 1]),
        lot_shares=np.array([5.0, 2.0, 1.5]),
    )
    assert result.target.tolist() == [0.0, 0.6, 0.4, 0.0]
    assert result.prices[1] == 100.0 and result.prices[3] == 90.0
    assert np.isnan(result.prices[[0, 2]]).all()
    assert result.shares.tolist() == [0.0, 6.5, 0.0, 2.0]
    assert result.risk_model.n_names == 4
    with pytest.raises(IndexError, match="outside the universe of 4"):
        universe_align(u, lot_security=np.array([4]), lot_shares=np.array([1.0]))
    with pytest.raises(KeyError, match="security id 50"):
        universe_align(u, target={50: 1.0})


def test_extended_keeps_the_order_and_adds_only_new_ids():
    u = universe()
    more = Universe(ids=np.array([20, 50]), tickers=("BBB", "EEE"))
    grown = u.extended(more)
    assert grown.ids.tolist() == [30, 10, 20, 40, 50]
    assert grown.tickers[-1] == "EEE" and not grown.is_legacy[-1]
    assert u.extended(Universe(ids=np.array([10]), tickers=("AAA",))) is u


def test_household_lots_terms_and_wash_windows_by_hand():
    u = universe()
    as_of = date(2024, 3, 1)
    lots = household_lots_build(
        universe=u,
        as_of=as_of,
        account_ids=[7, 8],
        account_is_taxable=[True, False],
        lot_public_ids=["a", "b", "c"],
        lot_account_ids=np.array([8, 7, 7]),
        lot_security_ids=np.array([10, 10, 40]),
        shares=np.array([10.0, 4.0, 2.0]),
        basis=np.array([1000.0, 200.0, 50.0]),
        # 2023-02-28 -> long-term from 2024-02-29; 2023-03-01 -> from 2024-03-02;
        # 2024-02-29 -> from 2025-03-01 (Feb 28 anniversary + 1 day)
        acquired_adjusted=np.array(
            [
                date(2023, 2, 28).toordinal(),
                date(2023, 3, 1).toordinal(),
                date(2024, 2, 29).toordinal(),
            ]
        ),
        # a sale of BBB 10 days ago (buying blocked 20 more days), one of CCC 31 days ago
        sale_security_ids=np.array([20, 30]),
        sale_days=np.array([date(2024, 2, 20).toordinal(), date(2024, 1, 30).toordinal()]),
        buy_security_ids=np.array([40, 40]),
        buy_days=np.array([date(2024, 2, 10).toordinal(), date(2024, 2, 1).toordinal()]),
    )
    assert lots.lot_account.tolist() == [1, 0, 0]
    assert lots.lot_security.tolist() == [1, 1, 3]
    assert lots.is_long_term.tolist() == [True, False, False]
    assert lots.days_to_long_term.tolist() == [0, 1, 365]
    assert lots.basis_per_share.tolist() == [100.0, 50.0, 25.0]
    assert lots.lot_is_taxable.tolist() == [False, True, True]
    assert date.fromordinal(int(lots.recent_loss_sale_until[2])) == date(2024, 3, 21)
    assert lots.recent_loss_sale_until[0] == 0  # 2024-01-30 + 30 = 2024-02-29 < as_of
    assert lots.buy_blocked.tolist() == [False, False, True, False]
    assert date.fromordinal(int(lots.recent_buy_until[3])) == date(2024, 3, 11)
    assert lots.loss_sale_blocked.tolist() == [False, False, False, True]
    assert lots.shares_by_security(len(u)).tolist() == [0.0, 14.0, 0.0, 2.0]
    gain = lots.unrealized_gain_per_share(np.array([1.0, 120.0, 2.0, 20.0]))
    assert gain.tolist() == [20.0, 70.0, -5.0]
    with pytest.raises(KeyError, match="security id 99"):
        household_lots_build(
            universe=u,
            as_of=as_of,
            account_ids=[7],
            account_is_taxable=[True],
            lot_public_ids=["x"],
            lot_account_ids=np.array([7]),
            lot_security_ids=np.array([99]),
            shares=np.array([1.0]),
            basis=np.array([1.0]),
            acquired_adjusted=np.array([as_of.toordinal()]),
        )
