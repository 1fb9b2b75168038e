"""Scenario names ("timeline:3", "gain_budget:0", ...) and the rule each sets for a year's solve.

- immediate: year 1 moves straight to the target (lots chosen for the least tax, no solver);
  later years keep a tracking-error ceiling of a tenth of the goal and harvest inside it;
- timeline:N: a ceiling that falls in a straight line from today's tracking error to the goal
  in year N, then stays at the goal;
- gain_budget:X: net realized gain (ST + LT, losses offsetting) <= X every year, "for as long
  as it takes": each year as close to the goal as the budget allows (the goal is a soft ceiling
  whose excess outweighs any tax), and once at the goal the least tax that keeps it there;
- tax_budget:Y: tax <= Y every year, the same way. The netted tax is not convex, so the solve
  bounds it from above: st_rate*ST + lt_rate*LT <= Y and lt_rate*(ST + LT) <= Y (a gain
  budget of Y/lt_rate). Together they bound the tax engine's netted figure, so Y is never exceeded;
- hold: no trades.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from pma_engine.transition.types import MAX_YEARS, Scenario, ScenarioKind, TransitionInputError

IMMEDIATE_TE_FRACTION = 0.1  # immediate keeps TE within this fraction of the goal after year 1


def scenario_parse(text: str) -> Scenario:
    """'timeline:3' -> Scenario(TIMELINE, 3); errors name the scenario."""
    raw = text.strip()
    kind_text, _, value_text = raw.partition(":")
    try:
        kind = ScenarioKind(kind_text.strip().lower())
    except ValueError:
        known = ", ".join(k.value for k in ScenarioKind)
        raise TransitionInputError(
            f"--scenario {raw!r}: unknown scenario (known: {known}; e.g. timeline:3, "
            "gain_budget:0, tax_budget:25000)"
        ) from None
    if kind in (ScenarioKind.IMMEDIATE, ScenarioKind.HOLD):
        if value_text:
            raise TransitionInputError(f"--scenario {raw!r}: {kind.value} takes no value")
        return Scenario(kind)
    if not value_text:
        raise TransitionInputError(
            f"--scenario {raw!r}: {kind.value} needs a value, e.g. "
            f"{kind.value}:{3 if kind is ScenarioKind.TIMELINE else 0}"
        )
    try:
        value = float(value_text)
    except ValueError:
        raise TransitionInputError(f"--scenario {raw!r}: {value_text!r} is not a number") from None
    if value != value or value in (float("inf"), float("-inf")):
        raise TransitionInputError(f"--scenario {raw!r}: the value must be finite")
    if kind is ScenarioKind.TIMELINE:
        if value != int(value) or not 1 <= value <= MAX_YEARS:
            raise TransitionInputError(
                f"--scenario {raw!r}: timeline years must be a whole number from 1 to {MAX_YEARS}"
            )
        return Scenario(kind, float(int(value)))
    if value < 0:
        raise TransitionInputError(f"--scenario {raw!r}: a budget cannot be negative")
    return Scenario(kind, value)


def scenarios_check(scenarios: Iterable[Scenario], *, years: int, te_goal: float) -> None:
    """Refuse inputs the planner cannot honour, naming the argument."""
    if not isinstance(years, int) or not 1 <= years <= MAX_YEARS:
        raise TransitionInputError(f"--years {years}: the horizon must be 1 to {MAX_YEARS} years")
    if not te_goal > 0 or te_goal != te_goal:
        raise TransitionInputError(f"--te-goal {te_goal}: must be a positive number")
    listed = list(scenarios)
    if not listed:
        raise TransitionInputError("--scenario: give at least one scenario")
    for scenario in listed:
        if scenario.kind is ScenarioKind.TIMELINE and (scenario.value or 0) > MAX_YEARS:
            raise TransitionInputError(f"--scenario {scenario.name}: beyond {MAX_YEARS} years")
        if scenario.value is not None and scenario.value < 0:
            raise TransitionInputError(f"--scenario {scenario.name}: negative budget")


@dataclass(frozen=True)
class YearRule:
    """What a scenario asks of one year's solve."""

    trade: bool = True
    exact_target: bool = False  # immediate's first year: move to the target without a solve
    te_max: float | None = None
    gain_budget: float | None = None
    tax_budget: float | None = None
    te_soft: bool = False  # te_max is a goal: as close as the budget allows, then least tax


def year_rule(
    scenario: Scenario, *, year: int, te_start: float, te_goal: float, lt_rate: float
) -> YearRule:
    """The rule of `scenario` in `year` (1-based); te_start is the TE before any trade."""
    kind = scenario.kind
    if kind is ScenarioKind.HOLD:
        return YearRule(trade=False)
    if kind is ScenarioKind.IMMEDIATE:
        if year == 1:
            return YearRule(exact_target=True)
        return YearRule(te_max=te_goal * IMMEDIATE_TE_FRACTION)
    if kind is ScenarioKind.TIMELINE:
        horizon = int(scenario.value or 1)
        if year >= horizon or te_start <= te_goal:
            return YearRule(te_max=te_goal)
        return YearRule(te_max=te_start + (te_goal - te_start) * year / horizon)
    budget = float(scenario.value or 0.0)
    if kind is ScenarioKind.GAIN_BUDGET:
        return YearRule(gain_budget=budget, te_max=te_goal, te_soft=True)
    # tax budget: see the module docstring for the second (gain) bound
    gain_cap = budget / lt_rate if lt_rate > 0 else None
    return YearRule(tax_budget=budget, gain_budget=gain_cap, te_max=te_goal, te_soft=True)
