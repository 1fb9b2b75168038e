"""The planner's door to the rebalancing optimizer, in three modes (TransitionInput.solve_mode).

- "direct" (default): `rebalance_solve(problem)` assembles Clarabel's matrices in numpy for the
  live lots only (sold-out, unused and frozen slots drop out in its presolve): no cvxpy
  canonicalization at all, and a problem no larger than the year's live lots.
- "dpp": one cvxpy `RebalanceSolver` per (plan layout, set of constraints switched on), built
  once per process from the plan's *canonical* problem (every slot of every year live, so it
  never rebuilds and its compiled form is the same in every process) and re-solved with new
  parameter values. Its problem always has every slot of the plan.
- "fresh": a new cvxpy problem for every solve (the naive baseline of the benchmark).

Every mode is stateless in its answers: a path gives the same numbers whichever worker runs
it, after whatever other paths.
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
        problem.te_max_soft,
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
    mode: str = "direct",
) -> RebalanceResult:
    """Solve one year's problem in `mode`; for "dpp", `canonical(problem)` gives the problem
    to build this process's solver for the plan layout and rule from."""
    if mode == "direct":
        return rebalance_solve(problem)
    if mode == "fresh":
        return RebalanceSolver(problem, lot_headroom=0).solve(problem)
    if mode != "dpp":
        raise ValueError(f"solve_mode {mode!r}: use direct, dpp or fresh")
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
