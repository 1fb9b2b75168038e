"""What each binding constraint costs."""

from __future__ import annotations

from .types import ConstraintCost, RebalanceProblem, RebalanceResult


def constraint_costs(problem: RebalanceProblem, result: RebalanceResult) -> list[ConstraintCost]:
    raise NotImplementedError
