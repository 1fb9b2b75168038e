"""The planner's door to the rebalancing optimizer: one parameterized solver per plan and rule.

A plan's yearly problems keep the same slots (see book.py), so each process builds one
`RebalanceSolver` per (plan layout, set of constraints switched on) and re-solves it with new
numbers: prices, lots, target, ceilings and budgets are cvxpy parameters (DPP). The solver is
built from the plan's *canonical* problem, every slot of every year live, so it never has to
rebuild for a later year and its compiled form is the same in every process: a path gives the
same numbers whichever worker runs it, after whatever other paths.
`reuse=False` solves every problem from scratch (the naive baseline of the benchmark).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import replace

from pma_engine.rebalance import RebalanceSolver, rebalance_solve
from pma_engine.rebalance.types import RebalanceProblem, RebalanceResult

_SOLVERS: dict[tuple[object, ...], RebalanceSolver] = {}
_MAX_SOLVERS = 32


def structure_key(problem: RebalanceProblem) -> tuple[object, ...]:
    """Which constraints are switched on (their values are parameters)."""
    return (
        problem.asset_count,
        problem.factor_count,
        problem.te_max is None,
        problem.gain_budget is None,
        problem.tax_budget is None,
        problem.max_turnover is None,
        problem.cash_nonnegative,
    )


def layout_key(slot_asset: bytes) -> str:
    return hashlib.blake2b(slot_asset, digest_size=16).hexdigest()


def year_solve(
    problem: RebalanceProblem,
    *,
    layout: str,
    canonical: Callable[[RebalanceProblem], RebalanceProblem],
    reuse: bool = True,
) -> RebalanceResult:
    """Solve one year's problem with this process's solver for its plan layout and rule;
    `canonical(problem)` gives the problem to build that solver from."""
    if not reuse:
        return rebalance_solve(problem)
    key = (layout, *structure_key(problem))
    solver = _SOLVERS.get(key)
    if solver is None:
        if len(_SOLVERS) >= _MAX_SOLVERS:
            _SOLVERS.clear()
        solver = RebalanceSolver(canonical(problem), lot_headroom=0)
        _SOLVERS[key] = solver
    return solver.solve(problem)


def without_ceiling(problem: RebalanceProblem) -> RebalanceProblem:
    """The closest the account can get when a ceiling cannot be met: no ceiling at all."""
    return replace(problem, te_max=None)


def solver_builds() -> int:
    """How many times this process's solvers canonicalized a cvxpy problem."""
    return sum(solver.builds for solver in _SOLVERS.values())


def solvers_clear() -> None:
    _SOLVERS.clear()
