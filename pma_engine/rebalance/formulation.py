"""The rebalancing QP in cvxpy, built once per shape with DPP parameters.

Variables (scaled so that the solver sees numbers near 1):
    s (C,)  fraction of each lot slot sold, 0 <= s <= sell_ub
    b (N,)  buys as weights of pre-trade equity, 0 <= b <= buy_ub
    a (N,)  active weights after trades: a = (h - target) + b - P (v * s)
    y (K,)  factor exposures of a, y = G' a with G = B chol(F)   (factor form: never n x n)
    z (N,)  specific part, z = sqrt(D) * a
Objective (divided by equity, times OBJECTIVE_SCALE):
    c_s's + fee * sum(b) + risk_aversion * (|y|^2 + |z|^2)
where c_s = tax_weight * rate * gain / equity + fee * v. TE^2 = |y|^2 + |z|^2.

Lots live in "slots": each asset owns a fixed run of slots (P is constant), so a later problem
with no more lots per asset than slots (the next year of a transition) re-solves without
re-canonicalizing; unused slots have v = 0 and sell_ub = 0.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

import cvxpy as cp
import numpy as np
import scipy.sparse as sp

from .types import BoolArray, FloatArray, IntArray, RebalanceProblem

OBJECTIVE_SCALE = 1e4
BUY_CAP = 10.0
"""Upper bound on one buy as a weight of equity (the solver needs finite parameter values)."""

SOLVER_ORDER: tuple[str, ...] = ("CLARABEL", "SCS")
SOLVER_OPTIONS: dict[str, dict[str, Any]] = {
    "CLARABEL": {},
    "SCS": {"eps_abs": 1e-7, "eps_rel": 1e-7, "max_iters": 20_000},
}
TE_EXCESS_COST = 100.0
"""With a soft ceiling (te_max_soft), each unit of tracking error above te_max costs this many
times equity in the objective: 0.01 % above the goal weighs 1 % of the account, more than any
tax a budget allows, so the answer is as close to the goal as the other constraints let it be,
and at the goal the least tax."""
RESIDUAL_TOLERANCE = 1e-6
"""Largest constraint violation (in weights of equity) accepted from a solver."""


@dataclass(frozen=True)
class Structure:
    """What fixes the compiled problem: shape and which optional constraints are on."""

    asset_count: int
    factor_count: int
    slots_per_asset: tuple[int, ...]
    gain_budget: bool
    tax_budget: bool
    te_max: bool
    max_turnover: bool
    cash_floor: bool
    te_soft: bool = False


@dataclass(frozen=True, eq=False)
class Inputs:
    """Numeric inputs of one solve, per lot (L) and per asset (N), in weights of equity."""

    equity: float
    lot_value: FloatArray  # (L,) lot shares * price / equity
    lot_gain: FloatArray  # (L,) unrealized gain if fully sold / equity
    lot_rate: FloatArray  # (L,) tax rate of each lot
    lot_tax_coef: FloatArray  # (L,) coefficient of the tax term in the objective
    sell_ub: FloatArray  # (L,) 0..1
    buy_ub: FloatArray  # (N,)
    base_active: FloatArray  # (N,) held weights - target weights
    cash_weight: float  # cash / equity


@dataclass(frozen=True, eq=False)
class ContinuousAnswer:
    status: str  # "optimal", "optimal_inaccurate", "infeasible", "unbounded", "solver_error"
    sell_fraction: FloatArray  # (L,)
    buy_weight: FloatArray  # (N,)
    solver: str
    solve_seconds: float
    max_residual: float
    objective_scaled: float

    @property
    def ok(self) -> bool:
        return self.status in ("optimal", "optimal_inaccurate")


def structure_of(problem: RebalanceProblem, lot_active: BoolArray, headroom: int) -> Structure:
    counts = np.bincount(problem.lot_asset[lot_active], minlength=problem.asset_count)
    return Structure(
        asset_count=problem.asset_count,
        factor_count=problem.factor_count,
        slots_per_asset=tuple(int(c) + headroom for c in counts),
        gain_budget=problem.gain_budget is not None,
        tax_budget=problem.tax_budget is not None,
        te_max=problem.te_max is not None,
        max_turnover=problem.max_turnover is not None,
        cash_floor=getattr(problem, "cash_nonnegative", True),
        te_soft=problem.te_ceiling_soft,
    )


def structure_fits(built: Structure, wanted: Structure) -> bool:
    """A compiled problem serves another when the switches match and every asset has room."""
    same = (
        built.asset_count == wanted.asset_count
        and built.factor_count == wanted.factor_count
        and built.gain_budget == wanted.gain_budget
        and built.tax_budget == wanted.tax_budget
        and built.te_max == wanted.te_max
        and built.max_turnover == wanted.max_turnover
        and built.cash_floor == wanted.cash_floor
        and built.te_soft == wanted.te_soft
    )
    if not same:
        return False
    return all(w <= b for w, b in zip(wanted.slots_per_asset, built.slots_per_asset, strict=True))


class CompiledProblem:
    """One cvxpy problem for a Structure; ``solve`` fills the parameters and solves."""

    def __init__(self, structure: Structure) -> None:
        self.structure = structure
        n, k = structure.asset_count, structure.factor_count
        slots = np.asarray(structure.slots_per_asset, dtype=np.int64)
        self.slot_start = np.concatenate([[0], np.cumsum(slots)[:-1]]).astype(np.int64)
        c = int(slots.sum())
        self.slot_count = c
        slot_asset = np.repeat(np.arange(n), slots)
        aggregate = sp.csr_matrix((np.ones(c), (slot_asset, np.arange(c))), shape=(n, max(c, 0)))

        self.s = cp.Variable(c, name="sell_fraction")
        self.b = cp.Variable(n, name="buy_weight")
        a = cp.Variable(n, name="active")
        y = cp.Variable(k, name="factor_active")
        z = cp.Variable(n, name="specific_active")
        self.p_value = cp.Parameter(c, nonneg=True, name="lot_value")
        self.p_sell_net = cp.Parameter(c, name="lot_value_net_of_fees")
        self.p_cost = cp.Parameter(c, name="lot_cost")
        self.p_sell_ub = cp.Parameter(c, nonneg=True, name="sell_ub")
        self.p_buy_ub = cp.Parameter(n, nonneg=True, name="buy_ub")
        self.p_base = cp.Parameter(n, name="base_active")
        self.p_g = cp.Parameter((n, k), name="factor_root")
        self.p_sqrt_d = cp.Parameter(n, nonneg=True, name="specific_vol")
        self.p_fee = cp.Parameter(nonneg=True, name="fee_rate")
        self.p_buy_gross = cp.Parameter(nonneg=True, name="one_plus_fee")
        self.p_risk = cp.Parameter(nonneg=True, name="risk_aversion_scaled")
        self.p_cash_rhs = cp.Parameter(name="cash_rhs")

        sold = cp.multiply(self.p_value, self.s)
        constraints = [
            self.s >= 0,
            self.s <= self.p_sell_ub,
            self.b >= 0,
            self.b <= self.p_buy_ub,
            a == self.p_base + self.b - aggregate @ sold,
            y == self.p_g.T @ a,
            z == cp.multiply(self.p_sqrt_d, a),
        ]
        if structure.cash_floor:
            # (1 - fee) sells - (1 + fee) buys >= cash_target + withdrawal - cash   (weights)
            constraints.append(
                self.p_sell_net @ self.s - self.p_buy_gross * cp.sum(self.b) >= self.p_cash_rhs
            )
        self.p_gain = cp.Parameter(c, name="lot_gain")
        self.p_gain_budget = cp.Parameter(name="gain_budget")
        if structure.gain_budget:
            constraints.append(self.p_gain @ self.s <= self.p_gain_budget)
        self.p_taxed_gain = cp.Parameter(c, name="lot_taxed_gain")
        self.p_tax_budget = cp.Parameter(name="tax_budget")
        if structure.tax_budget:
            constraints.append(self.p_taxed_gain @ self.s <= self.p_tax_budget)
        self.p_turnover = cp.Parameter(nonneg=True, name="max_turnover")
        if structure.max_turnover:
            constraints.append(cp.sum(sold) + cp.sum(self.b) <= self.p_turnover)
        self.p_te_max = cp.Parameter(nonneg=True, name="te_max")
        excess = cp.Variable(nonneg=True, name="te_excess") if structure.te_soft else 0.0
        if structure.te_max:
            constraints.append(cp.norm(cp.hstack([y, z]), 2) <= self.p_te_max + excess)
        objective = (
            self.p_cost @ self.s
            + self.p_fee * cp.sum(self.b)
            + self.p_risk * (cp.sum_squares(y) + cp.sum_squares(z))
            + OBJECTIVE_SCALE * TE_EXCESS_COST * excess
        )
        self.problem = cp.Problem(cp.Minimize(objective), constraints)
        self._aggregate = aggregate
        self._g = np.zeros((n, k))
        self._sqrt_d = np.zeros(n)

    def slot_index(self, lot_asset: IntArray, lot_active: BoolArray) -> IntArray | None:
        """Slot of each active lot (-1 for inactive lots), or None when an asset lacks room."""
        lots = np.flatnonzero(lot_active)
        assets = lot_asset[lots]
        order = np.argsort(assets, kind="stable")
        sorted_assets = assets[order]
        first = np.searchsorted(sorted_assets, sorted_assets, side="left")
        rank = np.arange(len(sorted_assets)) - first
        slots = np.asarray(self.structure.slots_per_asset)
        if len(rank) and np.any(rank >= slots[sorted_assets]):
            return None
        index = np.full(len(lot_asset), -1, dtype=np.int64)
        index[lots[order]] = self.slot_start[sorted_assets] + rank
        return index

    def solve(
        self,
        problem: RebalanceProblem,
        inputs: Inputs,
        slot_of_lot: IntArray,
        factor_root: FloatArray,
        solvers: tuple[str, ...] = SOLVER_ORDER,
    ) -> ContinuousAnswer:
        c = self.slot_count
        active = slot_of_lot >= 0
        slots = slot_of_lot[active]

        def spread(values: FloatArray) -> FloatArray:
            out = np.zeros(c)
            out[slots] = values[active]
            return out

        fee = problem.trading_cost_bps / 1e4
        value = spread(inputs.lot_value)
        self.p_value.value = value
        self.p_sell_net.value = value * (1.0 - fee)
        self.p_cost.value = OBJECTIVE_SCALE * (spread(inputs.lot_tax_coef) + fee * value)
        self.p_sell_ub.value = spread(inputs.sell_ub)
        self.p_buy_ub.value = inputs.buy_ub
        self.p_base.value = inputs.base_active
        self.p_g.value = factor_root
        self.p_sqrt_d.value = np.sqrt(problem.specific_variance)
        self.p_fee.value = OBJECTIVE_SCALE * fee
        self.p_buy_gross.value = 1.0 + fee
        self.p_risk.value = OBJECTIVE_SCALE * problem.risk_aversion
        withdrawal = problem.withdrawal / inputs.equity
        self.p_cash_rhs.value = (
            problem.cash_target / inputs.equity + withdrawal - inputs.cash_weight
        )
        gain = spread(inputs.lot_gain)
        self.p_gain.value = gain
        self.p_gain_budget.value = (problem.gain_budget or 0.0) / inputs.equity
        self.p_taxed_gain.value = spread(inputs.lot_gain * inputs.lot_rate)
        self.p_tax_budget.value = (problem.tax_budget or 0.0) / inputs.equity
        self.p_turnover.value = problem.max_turnover or 0.0
        self.p_te_max.value = problem.te_max or 0.0

        last = ContinuousAnswer(
            "solver_error", np.zeros(len(slot_of_lot)), np.zeros(inputs.buy_ub.shape[0]),
            "", 0.0, np.inf, np.nan,
        )  # fmt: skip
        total_seconds = 0.0
        for name in solvers:
            started = time.perf_counter()
            try:
                self.problem.solve(solver=name, **SOLVER_OPTIONS.get(name, {}))
            except cp.SolverError:
                total_seconds += time.perf_counter() - started
                continue
            stats = self.problem.solver_stats
            seconds = stats.solve_time if stats and stats.solve_time else 0.0
            total_seconds += float(seconds)
            status = str(self.problem.status)
            if status in ("infeasible", "infeasible_inaccurate"):
                return ContinuousAnswer(
                    "infeasible", last.sell_fraction, last.buy_weight, name, total_seconds,
                    np.inf, np.nan,
                )  # fmt: skip
            if status not in ("optimal", "optimal_inaccurate") or self.s.value is None:
                last = ContinuousAnswer(
                    status, last.sell_fraction, last.buy_weight, name, total_seconds, np.inf,
                    np.nan,
                )  # fmt: skip
                continue
            s_slot = np.asarray(self.s.value, dtype=float)
            fraction = np.zeros(len(slot_of_lot))
            fraction[active] = s_slot[slots]
            buy = np.asarray(self.b.value, dtype=float)
            residual = self._residual(problem, inputs, fraction, buy, factor_root)
            answer = ContinuousAnswer(
                status, fraction, buy, name, total_seconds, residual, float(self.problem.value)
            )
            if residual <= RESIDUAL_TOLERANCE:
                return answer
            last = answer
        return last

    @staticmethod
    def _residual(
        problem: RebalanceProblem,
        inputs: Inputs,
        fraction: FloatArray,
        buy: FloatArray,
        factor_root: FloatArray,
    ) -> float:
        """Largest violation of the stated constraints, in weights of equity."""
        fee = problem.trading_cost_bps / 1e4
        sold = inputs.lot_value * fraction
        violations = [
            float(np.max(-fraction, initial=0.0)),
            float(np.max((fraction - inputs.sell_ub) * inputs.lot_value, initial=0.0)),
            float(np.max(-buy, initial=0.0)),
            float(np.max(buy - inputs.buy_ub, initial=0.0)),
        ]
        if getattr(problem, "cash_nonnegative", True):
            cash_after = inputs.cash_weight + (1 - fee) * sold.sum() - (1 + fee) * buy.sum()
            floor = (problem.cash_target + problem.withdrawal) / inputs.equity
            violations.append(floor - cash_after)
        if problem.gain_budget is not None:
            violations.append(
                float(inputs.lot_gain @ fraction) - problem.gain_budget / inputs.equity
            )
        if problem.tax_budget is not None:
            taxed = float((inputs.lot_gain * inputs.lot_rate) @ fraction)
            violations.append(taxed - problem.tax_budget / inputs.equity)
        if problem.max_turnover is not None:
            violations.append(float(sold.sum() + buy.sum()) - problem.max_turnover)
        if problem.te_max is not None and not problem.te_ceiling_soft:
            active = (
                inputs.base_active
                + buy
                - np.bincount(problem.lot_asset, weights=sold, minlength=problem.asset_count)
            )
            te = float(np.sqrt(np.sum((factor_root.T @ active) ** 2)
                               + np.sum(problem.specific_variance * active**2)))  # fmt: skip
            violations.append(te - problem.te_max)
        return max(0.0, *violations)
