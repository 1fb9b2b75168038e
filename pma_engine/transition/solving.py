"""The planner's door to the rebalancing optimizer: one parameterized solver per problem shape.

Every year's problem of a scenario has the same structure (the same slots, the same set of
constraints switched on), so a `RebalanceSolver` is built once per structure and process and
re-solved with new numbers: prices, lots, target, ceilings and budgets are cvxpy parameters.
`reuse=False` builds a fresh problem for every solve (the naive baseline of the benchmark).
"""

from __future__ import annotations

import hashlib
from dataclasses import replace

from pma_engine.rebalance import RebalanceSolver, rebalance_solve
from pma_engine.rebalance.types import RebalanceProblem, RebalanceResult

_SOLVERS: dict[tuple[object, ...], RebalanceSolver] = {}
_MAX_SOLVERS = 64


def structure_key(problem: RebalanceProblem) -> tuple[object, ...]:
    """What a solver is built for: shapes, the lot->asset map and which constraints are on."""
    digest = hashlib.blake2b(problem.lot_asset.tobytes(), digest_size=16).hexdigest()
    return (
        problem.asset_count,
        problem.factor_count,
        problem.lot_count,
        digest,
        problem.te_max is None,
        problem.gain_budget is None,
        problem.tax_budget is None,
        problem.max_turnover is None,
        problem.buy_allowed is None,
        problem.lot_sell_max is None,
        problem.name_group is None,
        problem.whole_shares,
        problem.forbid_buy_and_loss_sell,
    )


def year_solve(problem: RebalanceProblem, *, reuse: bool = True) -> RebalanceResult:
    """Solve one year's problem; falls back to a fresh build if a cached solver refuses it."""
    if not reuse:
        return rebalance_solve(problem)
    key = structure_key(problem)
    solver = _SOLVERS.get(key)
    if solver is None:
        if len(_SOLVERS) >= _MAX_SOLVERS:
            _SOLVERS.clear()
        solver = RebalanceSolver(problem)
        _SOLVERS[key] = solver
    return solver.solve(problem)


def year_solve_relaxed(problem: RebalanceProblem, *, reuse: bool = True) -> RebalanceResult:
    """The closest the account can get when a ceiling cannot be met: no ceiling at all."""
    return year_solve(replace(problem, te_max=None), reuse=reuse)


def solvers_clear() -> None:
    _SOLVERS.clear()
