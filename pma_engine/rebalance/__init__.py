"""Tax-aware rebalancing at the lot level: the optimizer the portal and the transition planner call.

Plain numpy + cvxpy (Clarabel first, SCS as the fallback), no Django. See docs/rebalance.md.
"""

from .costs import constraint_costs
from .problem_file import ProblemFileError, problem_load
from .solve import RebalanceSolver, rebalance_solve
from .types import (
    ConstraintCost,
    ProblemMeta,
    RebalanceInputError,
    RebalanceProblem,
    RebalanceResult,
    WashSaleFlag,
)

__all__ = [
    "ConstraintCost",
    "ProblemFileError",
    "ProblemMeta",
    "RebalanceInputError",
    "RebalanceProblem",
    "RebalanceResult",
    "RebalanceSolver",
    "WashSaleFlag",
    "constraint_costs",
    "problem_load",
    "rebalance_solve",
]
