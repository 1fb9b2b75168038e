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


def direct_solve(problem: RebalanceProblem, inputs: Inputs, root: FloatArray) -> ContinuousAnswer:
    """Solve with Clarabel from hand-built matrices; status and residuals as the cvxpy path."""
    n_lots, n, k = len(inputs.lot_value), problem.asset_count, root.shape[1]
    fee = problem.trading_cost_bps / 1e4
    # lots that can move; the others are fixed at zero and never reach the solver
    lots = np.flatnonzero(inputs.sell_ub > 0)
    c = len(lots)
    value = inputs.lot_value[lots]
    o_s, o_b, o_a, o_y = 0, c, c + n, c + 2 * n
    n_var = o_y + k
    risk = 2 * OBJECTIVE_SCALE * problem.risk_aversion
    p_diag = np.zeros(n_var)
    p_diag[o_a:o_y] = risk * problem.specific_variance
    p_diag[o_y:] = risk
    p_mat = sp.diags(p_diag, format="csc")
    q = np.zeros(n_var)
    q[o_s:o_b] = OBJECTIVE_SCALE * (inputs.lot_tax_coef[lots] + fee * value)
    q[o_b:o_a] = OBJECTIVE_SCALE * fee

    eye_n = sp.identity(n, format="csr")
    agg = sp.csr_matrix((value, (problem.lot_asset[lots], np.arange(c))), shape=(n, c))
    zero_n_k = sp.csr_matrix((n, k))
    # equalities: a - b + M s = base;  y - G'a = 0
    eq = sp.bmat(
        [
            [agg, -eye_n, eye_n, zero_n_k],
            [None, None, -sp.csr_matrix(root.T), sp.identity(k)],
        ],
        format="csr",
    )
    eq = _widen(eq, n_var)
    eq_rhs = np.r_[inputs.base_active, np.zeros(k)]
    rows = [
        sp.hstack([-sp.identity(c), sp.csr_matrix((c, n_var - c))]),
        sp.hstack([sp.identity(c), sp.csr_matrix((c, n_var - c))]),
        sp.hstack([sp.csr_matrix((n, c)), -eye_n, sp.csr_matrix((n, n_var - c - n))]),
        sp.hstack([sp.csr_matrix((n, c)), eye_n, sp.csr_matrix((n, n_var - c - n))]),
    ]
    rhs = [np.zeros(c), inputs.sell_ub[lots], np.zeros(n), inputs.buy_ub]

    def row(s_coef: FloatArray, b_coef: float) -> sp.csr_matrix:
        dense_b = np.full(n, b_coef)
        data = np.r_[s_coef, dense_b]
        cols = np.r_[np.arange(c), o_b + np.arange(n)]
        return sp.csr_matrix((data, (np.zeros(c + n, dtype=int), cols)), shape=(1, n_var))

    if problem.cash_nonnegative:
        floor = (problem.cash_target + problem.withdrawal) / inputs.equity - inputs.cash_weight
        rows.append(row(-(1 - fee) * value, 1 + fee))
        rhs.append(np.array([-floor]))
    if problem.gain_budget is not None:
        rows.append(row(inputs.lot_gain[lots], 0.0))
        rhs.append(np.array([problem.gain_budget / inputs.equity]))
    if problem.tax_budget is not None:
        rows.append(row((inputs.lot_gain * inputs.lot_rate)[lots], 0.0))
        rhs.append(np.array([problem.tax_budget / inputs.equity]))
    if problem.max_turnover is not None:
        rows.append(row(value, 1.0))
        rhs.append(np.array([problem.max_turnover]))
    ineq = sp.vstack(rows, format="csr")
    blocks = [eq, ineq]
    cones = [clarabel.ZeroConeT(eq.shape[0]), clarabel.NonnegativeConeT(ineq.shape[0])]
    all_rhs = [eq_rhs, np.concatenate(rhs)]
    if problem.te_max is not None:
        # slack = (te_max, y, sqrt(D) a) in the second-order cone
        soc = sp.csr_matrix(
            (
                -np.r_[np.ones(k), np.sqrt(problem.specific_variance)],
                (np.arange(1, k + n + 1), np.r_[o_y + np.arange(k), o_a + np.arange(n)]),
            ),
            shape=(1 + k + n, n_var),
        )
        blocks.append(soc)
        cones.append(clarabel.SecondOrderConeT(1 + k + n))
        all_rhs.append(np.r_[problem.te_max, np.zeros(k + n)])
    a_mat = sp.vstack(blocks, format="csc")
    settings = clarabel.DefaultSettings()
    settings.verbose = False
    started = time.perf_counter()
    solver = clarabel.DefaultSolver(
        sp.triu(p_mat, format="csc"), q, a_mat, np.concatenate(all_rhs), cones, settings
    )
    solution = solver.solve()
    seconds = time.perf_counter() - started
    status = _STATUS.get(str(solution.status).split(".")[-1], "solver_error")
    fraction = np.zeros(n_lots)
    buy = np.zeros(n)
    if status not in ("optimal", "optimal_inaccurate"):
        return ContinuousAnswer(status, fraction, buy, "CLARABEL", seconds, np.inf, np.nan)
    x = np.asarray(solution.x)
    fraction[lots] = x[o_s:o_b]
    buy = x[o_b:o_a].copy()
    residual = CompiledProblem._residual(problem, inputs, fraction, buy, root)
    if residual > RESIDUAL_TOLERANCE:
        status = "solver_error"
    return ContinuousAnswer(
        status, fraction, buy, "CLARABEL", seconds, residual, float(solution.obj_val)
    )


def _widen(matrix: sp.csr_matrix, columns: int) -> sp.csr_matrix:
    if matrix.shape[1] == columns:
        return matrix
    return sp.hstack([matrix, sp.csr_matrix((matrix.shape[0], columns - matrix.shape[1]))]).tocsr()
