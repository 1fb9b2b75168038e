"""rebalance_solve: presolve, solve (with the wash guard), round, report."""

from __future__ import annotations

from .types import RebalanceProblem, RebalanceResult


class RebalanceSolver:
    """cvxpy problem built once for a shape and a set of active constraints (DPP parameters)."""

    def __init__(self, problem: RebalanceProblem) -> None:
        raise NotImplementedError

    def solve(self, problem: RebalanceProblem) -> RebalanceResult:
        raise NotImplementedError


def rebalance_solve(
    problem: RebalanceProblem, *, solver: RebalanceSolver | None = None
) -> RebalanceResult:
    raise NotImplementedError
