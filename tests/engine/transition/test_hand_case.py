"""One small transition worked by hand, checked number by number.

Three names, four lots, two years on the expected path (drift 10 %), trade date 2026-06-01.
Risk model: no factor exposure, every name 20 % specific volatility (D = 0.04), so
TE^2 = 0.04 * sum(a_i^2). Rates 40.8 % / 23.8 %.

    name  price  target   lot    shares  basis  acquired     term on 2026-06-01
    A     100    40 %     A-st   150     90     2025-09-15   ST (gain 10/share)
                          A-lt   250     70     2018-05-01   LT (gain 30/share)
    B      50    60 %     B-st   200     40     2025-12-01   ST (gain 10/share; LT 2026-12-02)
    C      20     0 %     C-lt   250     60     2022-02-01   LT (loss 40/share)
    cash 1,000; equity = 40,000 + 10,000 + 5,000 + 1,000 = 56,000

immediate, year 1 (2026-06-01): target values A 22,400, B 33,600, C 0.
    A sells 17,600 / 100 = 176 shares, least tax per share first: A-st costs 0.408*10 = 4.08 a
    share, A-lt 0.238*30 = 7.14, so all 150 of A-st (ST +1,500), then 26 of A-lt (LT +780).
    C sells all 250 (LT -10,000). B buys 33,600 - 10,000 = 23,600 / 50 = 472 shares.
    cash 1,000 + 17,600 + 5,000 - 23,600 = 0.
    realized ST +1,500, LT 780 - 10,000 = -9,220; harvested losses 10,000.
    Netting: the LT loss wipes the ST gain, net -7,720: tax 0; 3,000 deducted from ordinary
    income; carryforward 7,720 - 3,000 = 4,720, long-term (worksheet line 13: 9,220 - 1,500 -
    3,000).
    after trades: A 224 * 100 = 22,400, B 672 * 50 = 33,600: TE 0, in target 1.
    unrealized: A-lt 224 * 30 + B-st 200 * 10 + new B 472 * 0 = 6,720 + 2,000 = 8,720.
    turnover (17,600 + 5,000 + 23,600) / 56,000 = 0.825; trades 4 (three lots sold, one buy).
    value at the end of year 1: 56,000 * 1.1 = 61,600.
immediate, year 2 (2027-06-01): prices 110 / 55, the account is still on the (floating)
    target and every lot has a gain: no trade. Realized 0; the 4,720 carried in gives a 3,000
    deduction and 1,720 carried out. unrealized: 224 * 40 + 200 * 15 + 472 * 5 = 8,960 + 3,000
    + 2,360 = 14,320. value at the end: 61,600 * 1.1 = 67,760.
    after-tax value: each year's tax minus the deduction's saving at the ordinary (ST) rate,
    paid at the end of its year and carried to the horizon at the account's growth:
    year 1: 0 - 3,000 * 0.408 = -1,224, times 67,760 / 61,600 = 1.1 -> -1,346.40; year 2:
    -1,224. after_tax = 67,760 + 1,346.40 + 1,224 = 70,330.40.
    liquidation on 2028-06-01 (prices 121 / 60.5; every lot long-term by then): A-lt 224 * 51 =
    11,424, B-st 200 * 20.5 = 4,100, new B 472 * 10.5 = 4,956: LT 20,480 less the 1,720
    carried in = 18,760 taxed at 23.8 % = 4,464.88. liquidation = 70,330.40 - 4,464.88 =
    65,865.52.
hold: no trades in either year.
    year 1: a = (40,000/56,000 - 0.4, 10,000/56,000 - 0.6, 5,000/56,000) = (11/35, -59/140,
    5/56); TE = 0.2 * sqrt(sum a^2); in target = 0.4 + 10/56; unrealized 1,500 + 7,500 + 2,000
    - 10,000 = 1,000; value at the end 55,000 * 1.1 + 1,000 = 61,500 (cash earns nothing).
    year 2: positions 44,000 / 11,000 / 5,500, cash 1,000, equity 61,500; unrealized 3,000 +
    10,000 + 3,000 - 9,500 = 6,500; value at the end 60,500 * 1.1 + 1,000 = 67,550.
    liquidation (121 / 60.5 / 24.2, all long-term): 150 * 31 + 250 * 51 + 200 * 20.5 + 250 *
    (24.2 - 60) = 4,650 + 12,750 + 4,100 - 8,950 = 12,550 LT, tax 2,986.90; 67,550 - 2,986.90 =
    64,563.10.
"""

from __future__ import annotations

from datetime import date
from math import sqrt

import pytest

from pma_engine.transition import transition_plan
from tests.engine.transition.helpers import plan_input, problem_build

AS_OF = date(2026, 6, 1)
CENT = 0.005


@pytest.fixture(scope="module")
def plan():
    problem, acquired = problem_build(
        tickers=["A", "B", "C"],
        prices=[100.0, 50.0, 20.0],
        target=[0.4, 0.6, 0.0],
        lots=[
            ("A-st", 0, 150, 90.0, date(2025, 9, 15)),
            ("A-lt", 0, 250, 70.0, date(2018, 5, 1)),
            ("B-st", 1, 200, 40.0, date(2025, 12, 1)),
            ("C-lt", 2, 250, 60.0, date(2022, 2, 1)),
        ],
        as_of=AS_OF,
        cash=1000.0,
    )
    inp = plan_input(
        problem, acquired, as_of=AS_OF, scenarios=["immediate", "hold"], years=2, drift=0.10
    )
    return transition_plan(inp).expected.scenarios


def test_immediate_year_one(plan) -> None:
    year = plan[0].years[0]
    assert year.realized_st == pytest.approx(1500.0, abs=CENT)
    assert year.realized_lt == pytest.approx(-9220.0, abs=CENT)
    assert year.harvested_losses == pytest.approx(10000.0, abs=CENT)
    assert year.tax == 0.0
    assert year.loss_deduction == pytest.approx(3000.0)
    assert (year.st_carryforward, year.lt_carryforward) == pytest.approx((0.0, 4720.0))
    assert year.loss_carryforward == pytest.approx(4720.0)
    assert year.tracking_error == pytest.approx(0.0, abs=1e-9)
    assert year.in_target == pytest.approx(1.0)
    assert year.unrealized_gain == pytest.approx(8720.0, abs=CENT)
    assert year.turnover == pytest.approx(0.825)
    assert year.trades == 4
    assert year.value_end == pytest.approx(61600.0, abs=CENT)
    trades = plan[0].first_year_trades
    assert trades.buy == pytest.approx({1: 472.0})
    assert trades.sell == pytest.approx({"A-st": 150.0, "A-lt": 26.0, "C-lt": 250.0})


def test_immediate_year_two_and_horizon(plan) -> None:
    run = plan[0]
    year = run.years[1]
    assert year.trades == 0 and year.turnover == pytest.approx(0.0, abs=1e-7)
    assert (year.realized_st, year.realized_lt, year.tax) == (0.0, 0.0, 0.0)
    assert year.loss_deduction == pytest.approx(3000.0)
    assert year.loss_carryforward == pytest.approx(1720.0)
    assert year.unrealized_gain == pytest.approx(14320.0, abs=CENT)
    assert year.tracking_error == pytest.approx(0.0, abs=1e-6)
    assert year.value_end == pytest.approx(67760.0, abs=CENT)
    assert run.years_to_target == 1
    assert run.after_tax_value == pytest.approx(70330.40, abs=CENT)
    assert run.liquidation_value == pytest.approx(65865.52, abs=CENT)


def test_hold(plan) -> None:
    run = plan[1]
    first, second = run.years
    te1 = 0.2 * sqrt((11 / 35) ** 2 + (59 / 140) ** 2 + (5 / 56) ** 2)
    assert first.tracking_error == pytest.approx(te1, rel=1e-9)
    assert first.in_target == pytest.approx(0.4 + 10 / 56)
    assert first.unrealized_gain == pytest.approx(1000.0)
    assert first.value_end == pytest.approx(61500.0)
    te2 = 0.2 * sqrt((44 / 61.5 - 0.4) ** 2 + (11 / 61.5 - 0.6) ** 2 + (5.5 / 61.5) ** 2)
    assert second.tracking_error == pytest.approx(te2, rel=1e-9)
    assert second.unrealized_gain == pytest.approx(6500.0)
    assert all(y.trades == 0 and y.tax == 0 and y.loss_carryforward == 0 for y in run.years)
    assert run.years_to_target is None
    assert run.after_tax_value == pytest.approx(67550.0)
    assert run.liquidation_value == pytest.approx(64563.10, abs=CENT)
    assert run.first_year_trades.buy == {} and run.first_year_trades.sell == {}
