"""The same QP as formulation.py, assembled straight into Clarabel's conic form.

cvxpy's canonicalization of a 10,000-lot problem takes longer than Clarabel's solve (1-2 s
against 0.2-0.5 s here), so a one-off solve builds the sparse matrices itself (a few ms) and
only a repeated solve (RebalanceSolver) pays for cvxpy's compile once. The variable layout,
scaling and constraints are those of formulation.py; tests check that both give one answer.

    x = [s (L), b (N), a (N), y (K)]     (z = sqrt(D) a of formulation.py is folded into P)
    min 1/2 x'Px + q'x,  P = 2 risk diag(D) on a, 2 risk I on y;  A x + slack = rhs, slack in cones
"""

from __future__ import annotations

import time

import clarabel
import numpy as np
import scipy.sparse as sp

from .formulation import (
    OBJECTIVE_SCALE,
    RESIDUAL_TOLERANCE,
    TE_EXCESS_COST,
    CompiledProblem,
    ContinuousAnswer,
    Inputs,
)
from .types import FloatArray, RebalanceProblem

_STATUS = {
    "Solved": "optimal",
    "AlmostSolved": "optimal_inaccurate",
    "PrimalInfeasible": "infeasible",
    "AlmostPrimalInfeasible": "infeasible",
    "DualInfeasible": "unbounded",
    "AlmostDualInfeasible": "unbounded",
}


def direct_solve(
    problem: RebalanceProblem, inputs: Inputs, root: FloatArray, settings: object | None = None
) -> ContinuousAnswer:
    """Solve with Clarabel from hand-built matrices; status and residuals as the cvxpy path.

    Only what can move reaches the solver: lots with something sellable and names that may be
    bought (the others are fixed at zero), and a buy's upper bound only where the cash floor
    does not already imply it. The matrix is assembled once, as coordinates, in numpy.
    """
    n_lots, n, k = len(inputs.lot_value), problem.asset_count, root.shape[1]
    fee = problem.trading_cost_bps / 1e4
    lots = np.flatnonzero(inputs.sell_ub > 0)
    names = np.flatnonzero(inputs.buy_ub > 0)
    c, m = len(lots), len(names)
    value = inputs.lot_value[lots]
    o_b, o_a = c, c + m
    o_y = o_a + n
    soft = problem.te_ceiling_soft
    o_u = o_y + k  # the soft ceiling's excess, when there is one
    n_var = o_u + (1 if soft else 0)
    risk = 2 * OBJECTIVE_SCALE * problem.risk_aversion
    p_diag = np.zeros(n_var)
    p_diag[o_a:o_y] = risk * problem.specific_variance
    p_diag[o_y:o_u] = risk
    diag = np.arange(n_var)
    p_mat = sp.csc_matrix((p_diag, (diag, diag)), shape=(n_var, n_var))
    q = np.zeros(n_var)
    q[:c] = OBJECTIVE_SCALE * (inputs.lot_tax_coef[lots] + fee * value)
    q[o_b:o_a] = OBJECTIVE_SCALE * fee
    if soft:
        q[o_u] = OBJECTIVE_SCALE * TE_EXCESS_COST

    rows: list[np.ndarray] = []
    cols: list[np.ndarray] = []
    data: list[np.ndarray] = []
    rhs: list[np.ndarray] = []
    row = 0

    def put(r: np.ndarray, col: np.ndarray, val: np.ndarray | float) -> None:
        rows.append(np.asarray(r, dtype=np.int64) + row)
        cols.append(np.asarray(col, dtype=np.int64))
        data.append(np.broadcast_to(np.asarray(val, dtype=float), np.shape(col)))

    lot_range, name_range, asset_range = np.arange(c), np.arange(m), np.arange(n)
    # equalities: a - b + M s = base;  y - G'a = 0
    put(problem.lot_asset[lots], lot_range, value)
    put(names, o_b + name_range, -1.0)
    put(asset_range, o_a + asset_range, 1.0)
    g_rows, g_cols = np.nonzero(root.T)
    put(n + g_rows, o_a + g_cols, -root.T[g_rows, g_cols])
    put(n + np.arange(k), o_y + np.arange(k), 1.0)
    rhs.append(np.r_[inputs.base_active, np.zeros(k)])
    row = n + k
    eq_rows = row
    # bounds: -s <= 0, s <= ub, -b <= 0, b <= buy_ub (unless the cash floor implies it)
    put(lot_range, lot_range, -1.0)
    put(c + lot_range, lot_range, 1.0)
    put(2 * c + name_range, o_b + name_range, -1.0)
    rhs.extend([np.zeros(c), inputs.sell_ub[lots], np.zeros(m)])
    row += 2 * c + m
    floor = (problem.cash_target + problem.withdrawal) / inputs.equity - inputs.cash_weight
    buy_ub = inputs.buy_ub[names]
    implied = ((1 - fee) * float(value @ inputs.sell_ub[lots]) - floor) / (1 + fee)
    capped = names if not problem.cash_nonnegative else names[buy_ub < implied]
    if len(capped):
        put(np.arange(len(capped)), o_b + np.searchsorted(names, capped), 1.0)
        rhs.append(inputs.buy_ub[capped])
        row += len(capped)

    def dense_row(s_coef: FloatArray, b_coef: float, bound: float) -> None:
        nonlocal row
        put(np.zeros(c), lot_range, s_coef)
        if b_coef:
            put(np.zeros(m), o_b + name_range, b_coef)
        rhs.append(np.array([bound]))
        row += 1

    if problem.cash_nonnegative:
        dense_row(-(1 - fee) * value, 1 + fee, -floor)
    if problem.gain_budget is not None:
        dense_row(inputs.lot_gain[lots], 0.0, problem.gain_budget / inputs.equity)
    if problem.tax_budget is not None:
        dense_row(
            (inputs.lot_gain * inputs.lot_rate)[lots], 0.0, problem.tax_budget / inputs.equity
        )
    if problem.max_turnover is not None:
        dense_row(value, 1.0, problem.max_turnover)
    if soft:  # -u <= 0
        put(np.zeros(1), np.array([o_u]), -1.0)
        rhs.append(np.zeros(1))
        row += 1
    cones = [clarabel.ZeroConeT(eq_rows), clarabel.NonnegativeConeT(row - eq_rows)]
    if problem.te_max is not None:
        # slack = (te_max [+ u], y, sqrt(D) a) in the second-order cone
        if soft:  # slack[0] = te_max + u
            put(np.zeros(1), np.array([o_u]), -1.0)
        put(1 + np.arange(k), o_y + np.arange(k), -1.0)
        put(1 + k + asset_range, o_a + asset_range, -np.sqrt(problem.specific_variance))
        rhs.append(np.r_[problem.te_max, np.zeros(k + n)])
        cones.append(clarabel.SecondOrderConeT(1 + k + n))
        row += 1 + k + n
    a_mat = sp.csc_matrix(
        (np.concatenate(data), (np.concatenate(rows), np.concatenate(cols))), shape=(row, n_var)
    )
    if settings is None:
        settings = solver_settings()
    started = time.perf_counter()
    solver = clarabel.DefaultSolver(p_mat, q, a_mat, np.concatenate(rhs), cones, settings)
    solution = solver.solve()
    seconds = time.perf_counter() - started
    status = _STATUS.get(str(solution.status).split(".")[-1], "solver_error")
    fraction = np.zeros(n_lots)
    buy = np.zeros(n)
    if status not in ("optimal", "optimal_inaccurate"):
        return ContinuousAnswer(status, fraction, buy, "CLARABEL", seconds, np.inf, np.nan)
    x = np.asarray(solution.x)
    fraction[lots] = x[:c]
    buy[names] = x[o_b:o_a]
    residual = CompiledProblem._residual(problem, inputs, fraction, buy, root)
    if residual > RESIDUAL_TOLERANCE:
        status = "solver_error"
    return ContinuousAnswer(
        status, fraction, buy, "CLARABEL", seconds, residual, float(solution.obj_val)
    )


def solver_settings() -> clarabel.DefaultSettings:
    """Clarabel's settings for the rebalancing QP.

    Iterative refinement of each KKT solve stops at 1e-9 (Clarabel's default 1e-13): about
    15 % less solve time on bench_transition's problems, answers within 3e-8 of equity in
    any lot's sale and 4e-11 of equity in objective, residuals still ~1e-10. The
    termination tolerances stay at Clarabel's 1e-8 (1e-7 or 1e-6 bought nothing measurable).
    """
    settings = clarabel.DefaultSettings()
    settings.verbose = False
    settings.iterative_refinement_reltol = 1e-9
    settings.iterative_refinement_abstol = 1e-9
    return settings
