"""Transition analysis: scenarios over years on expected and simulated markets (no Django).

The portal and `python -m pma_engine.transition` call the same function, `transition_plan`.
See docs/transition.md.
"""

from pma_engine.transition.engine import PathTask, path_run, transition_check, transition_plan
from pma_engine.transition.report import plan_json
from pma_engine.transition.scenarios import scenario_parse
from pma_engine.transition.types import (
    Band,
    PathOutcome,
    Scenario,
    ScenarioKind,
    ScenarioPath,
    ScenarioPaths,
    Trades,
    TransitionInput,
    TransitionInputError,
    TransitionResult,
    YearFigures,
)

__all__ = [
    "Band",
    "PathOutcome",
    "PathTask",
    "Scenario",
    "ScenarioKind",
    "ScenarioPath",
    "ScenarioPaths",
    "Trades",
    "TransitionInput",
    "TransitionInputError",
    "TransitionResult",
    "YearFigures",
    "path_run",
    "plan_json",
    "scenario_parse",
    "transition_check",
    "transition_plan",
]
