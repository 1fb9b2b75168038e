"""Which scenarios an account's strategy offers, their labels, and the frontier's sweep."""

from __future__ import annotations

from dataclasses import dataclass

from pma_engine.transition import Scenario, ScenarioKind

BUDGET_KINDS = (ScenarioKind.GAIN_BUDGET, ScenarioKind.TAX_BUDGET)
BUDGET_STRATEGY_KINDS = ("direct_index", "core")
DEFAULT_SCENARIOS = ("immediate", "timeline:3", "timeline:5", "gain_budget:0", "hold")
DEFAULT_SCENARIOS_ACTIVE = ("immediate", "timeline:3", "timeline:5", "hold")
FRONTIER_GAIN_BUDGETS = (0.0, 10_000.0, 25_000.0, 50_000.0, 100_000.0, None)
FRONTIER_TIMELINES = (1, 2, 3, 5, 7, 10)


@dataclass(frozen=True)
class KindOffer:
    kind: str
    label: str
    offered: bool
    why_not: str = ""


def budget_why_not(strategy_kind: str | None) -> str:
    if strategy_kind in BUDGET_STRATEGY_KINDS:
        return ""
    return (
        "Tax budgets are offered for direct-indexing and core strategies only: an active "
        "strategy's model turns over 40-60 % a year, so a fixed budget would leave the account "
        "drifting from its managers' picks. Use a timeline instead."
    )


def kinds_offered(strategy_kind: str | None) -> list[KindOffer]:
    why = budget_why_not(strategy_kind)
    return [
        KindOffer("immediate", "Immediate: sell all that is not in the target now", True),
        KindOffer("timeline", "Timeline: reach the target by year N (1-10)", True),
        KindOffer(
            "gain_budget", "Gain budget: at most X of net realized gain a year", not why, why
        ),
        KindOffer("tax_budget", "Tax budget: at most Y of tax a year", not why, why),
        KindOffer("hold", "Hold: do nothing (the reference)", True),
    ]


def default_scenarios(strategy_kind: str | None) -> tuple[str, ...]:
    return DEFAULT_SCENARIOS if not budget_why_not(strategy_kind) else DEFAULT_SCENARIOS_ACTIVE


def scenario_label(scenario: Scenario) -> str:
    """'Timeline, 3 years', 'Gain budget $10,000 a year', ... for pages and files."""
    kind, value = scenario.kind, scenario.value
    if kind is ScenarioKind.IMMEDIATE:
        return "Immediate"
    if kind is ScenarioKind.HOLD:
        return "Hold (reference)"
    if kind is ScenarioKind.TIMELINE:
        years = int(value or 0)
        return f"Timeline, {years} year{'s' if years != 1 else ''}"
    amount = f"${value:,.0f}" if value is not None else "?"
    if kind is ScenarioKind.GAIN_BUDGET:
        return "Zero net gain" if not value else f"Gain budget {amount} a year"
    return "Zero tax" if not value else f"Tax budget {amount} a year"


def frontier_sweep(
    *, strategy_kind: str | None, years: int, unlimited: float
) -> tuple[tuple[Scenario, str], ...]:
    """(scenario, label) swept on the expected path: gain budgets for DI and core (each year
    as close to the goal as its budget allows; the last, `unlimited`, is above the account's
    whole unrealized gain, so it never binds: straight to the goal at the least tax),
    timelines for active strategies."""
    if not budget_why_not(strategy_kind):
        out = []
        for budget in FRONTIER_GAIN_BUDGETS:
            scenario = Scenario(ScenarioKind.GAIN_BUDGET, unlimited if budget is None else budget)
            out.append((scenario, "No budget" if budget is None else scenario_label(scenario)))
        return tuple(out)
    return tuple(
        (s, scenario_label(s))
        for s in (Scenario(ScenarioKind.TIMELINE, float(n)) for n in FRONTIER_TIMELINES)
        if (s.value or 0) <= years
    )
