"""Scenario names, yearly rules, market paths and the tax boundary: no solver needed."""

from __future__ import annotations

from decimal import Decimal

import numpy as np
import pytest

from pma_engine.tax.estimate import tax_estimate
from pma_engine.tax.form8949 import capital_loss_carryover
from pma_engine.tax.models import TaxRates
from pma_engine.transition import Scenario, ScenarioKind, TransitionInputError, scenario_parse
from pma_engine.transition.markets import path_seeds, simulated_growth
from pma_engine.transition.scenarios import scenarios_check, year_rule
from pma_engine.transition.taxes import year_tax


@pytest.mark.parametrize(
    ("text", "kind", "value", "name"),
    [
        ("immediate", ScenarioKind.IMMEDIATE, None, "immediate"),
        ("hold", ScenarioKind.HOLD, None, "hold"),
        ("timeline:3", ScenarioKind.TIMELINE, 3.0, "timeline:3"),
        ("timeline:10", ScenarioKind.TIMELINE, 10.0, "timeline:10"),
        ("gain_budget:0", ScenarioKind.GAIN_BUDGET, 0.0, "gain_budget:0"),
        ("tax_budget:25000", ScenarioKind.TAX_BUDGET, 25000.0, "tax_budget:25000"),
        ("gain_budget:1500.5", ScenarioKind.GAIN_BUDGET, 1500.5, "gain_budget:1500.5"),
    ],
)
def test_scenario_parse(text: str, kind: ScenarioKind, value: float | None, name: str) -> None:
    scenario = scenario_parse(text)
    assert scenario == Scenario(kind, value)
    assert scenario.name == name


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("sell_all", "unknown scenario"),
        ("timeline:0", "1 to 10"),
        ("timeline:11", "1 to 10"),
        ("timeline:2.5", "whole number"),
        ("timeline", "needs a value"),
        ("gain_budget:-1", "negative"),
        ("tax_budget:-0.01", "negative"),
        ("tax_budget:abc", "not a number"),
        ("gain_budget:nan", "finite"),
        ("hold:3", "takes no value"),
    ],
)
def test_scenario_parse_refuses(text: str, words: str) -> None:
    with pytest.raises(TransitionInputError, match=words) as info:
        scenario_parse(text)
    assert text in str(info.value)  # the message names the argument


@pytest.mark.parametrize(("years", "goal"), [(0, 0.005), (11, 0.005), (5, 0.0), (5, -0.01)])
def test_scenarios_check_refuses_horizon_and_goal(years: int, goal: float) -> None:
    with pytest.raises(TransitionInputError, match="--years|--te-goal"):
        scenarios_check([Scenario(ScenarioKind.HOLD)], years=years, te_goal=goal)


def test_timeline_ceiling_falls_in_a_straight_line_to_the_goal() -> None:
    scenario = scenario_parse("timeline:4")
    ceilings = [
        year_rule(scenario, year=y, te_start=0.045, te_goal=0.005, lt_rate=0.238).te_max
        for y in range(1, 7)
    ]
    assert ceilings == pytest.approx([0.035, 0.025, 0.015, 0.005, 0.005, 0.005])


def test_tax_budget_bounds_the_netted_tax_from_above() -> None:
    """The solve's two linear bounds imply the tax engine's netted tax <= the budget."""
    rule = year_rule(
        scenario_parse("tax_budget:1000"), year=1, te_start=0.02, te_goal=0.005, lt_rate=0.238
    )
    assert rule.tax_budget == 1000 and rule.gain_budget == pytest.approx(1000 / 0.238)
    rng = np.random.default_rng(3)
    rates = TaxRates()
    for st, lt in rng.uniform(-20000, 20000, (4000, 2)):
        signed = 0.408 * st + 0.238 * lt
        if signed <= 1000 and st + lt <= rule.gain_budget:
            netted = tax_estimate(Decimal(str(st)), Decimal(str(lt)), rates).tax
            assert netted <= Decimal("1000.000001")


def test_year_tax_is_the_tax_engines_figure() -> None:
    carry = year_tax(
        realized_st=1500.0,
        realized_lt=-9220.0,
        st_carry_in=Decimal(0),
        lt_carry_in=Decimal(0),
        short_term_rate=0.408,
        long_term_rate=0.238,
    )
    # ST gain 1,500 is wiped by the LT loss; net loss 7,720: 3,000 deducted, 4,720 carried (LT)
    assert (carry.tax, carry.deduction) == (Decimal("0.00"), Decimal("3000.00"))
    assert (carry.st_carryforward, carry.lt_carryforward) == (Decimal("0.00"), Decimal("4720.00"))
    later = year_tax(
        realized_st=2000.0,
        realized_lt=3000.0,
        st_carry_in=Decimal(0),
        lt_carry_in=Decimal("4720.00"),
        short_term_rate=0.408,
        long_term_rate=0.238,
    )
    # LT 3,000 - 4,720 carried = -1,720 offsets the ST gain: 280 ST taxable at 40.8 % = 114.24
    assert later.tax == Decimal("114.24") and later.lt_carryforward == Decimal("0.00")
    engine = capital_loss_carryover(
        short_term_net=Decimal("2000.00"),
        long_term_net=Decimal("3000.00"),
        long_term_carryover_in=Decimal("4720.00"),
    )
    assert later.tax == tax_estimate(engine.short_term_net, engine.long_term_net).tax.quantize(
        Decimal("0.01")
    )


def test_simulated_paths_are_seeded_independent_and_centered_on_the_drift() -> None:
    rng = np.random.default_rng(0)
    n, k = 40, 3
    exposures = rng.standard_normal((n, k))
    factor_cov = np.diag([0.03, 0.01, 0.005])
    specific = np.full(n, 0.04)

    def draw(seed: int, paths: int) -> np.ndarray:
        return np.stack(
            [
                simulated_growth(
                    seed_sequence=s,
                    years=4,
                    exposures=exposures,
                    factor_covariance=factor_cov,
                    specific_variance=specific,
                    drift=0.06,
                )
                for s in path_seeds(seed, paths)
            ]
        )

    first, again = draw(7, 300), draw(7, 300)
    np.testing.assert_array_equal(first, again)
    assert not np.allclose(draw(8, 3), first[:3])
    np.testing.assert_array_equal(draw(7, 5), first[:5])  # a path depends on its index only
    assert np.all(first > 0)
    # E[1 + R] = 1 + drift: the mean over 1,200 path-years per name is close to 1.06
    mean = first.reshape(-1, n).mean(axis=0)
    sd = np.sqrt(np.exp(np.einsum("ik,kl,il->i", exposures, factor_cov, exposures) + 0.04) - 1)
    assert np.all(np.abs(mean - 1.06) < 1.06 * 5 * sd / np.sqrt(1200) + 0.02)
    # names co-move as the risk model says: the sample covariance of log growth matches Sigma
    logs = np.log(first.reshape(-1, n))
    sigma = exposures @ factor_cov @ exposures.T + np.diag(specific)
    assert np.abs(np.cov(logs.T) - sigma).max() < 0.25 * np.abs(sigma).max()
