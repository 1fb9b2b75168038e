"""rebalance_solve: validate, presolve, solve (wash guard, minimum trade), round, report."""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import numpy as np

from .accounting import (
    Presolved,
    equity_of,
    evaluate,
    factor_root,
    groups_of,
    inputs_build,
    lot_sell_cap,
    presolve,
    problem_validate,
    tracking_error_of,
)
from .direct import direct_solve
from .formulation import (
    SOLVER_ORDER,
    CompiledProblem,
    ContinuousAnswer,
    structure_fits,
    structure_of,
)
from .rounding import continuous_clean, whole_shares_round
from .types import BoolArray, FloatArray, IntArray, RebalanceProblem, RebalanceResult
from .wash import (
    MAX_ROUNDS,
    WashState,
    wash_conflicts,
    wash_flags,
    wash_guard_blocks,
    wash_settle,
    wash_state_empty,
)


class RebalanceSolver:
    """The cvxpy problem built once for a shape and a set of active constraints (DPP).

    ``solve(problem)`` fills the parameters and re-solves without re-canonicalizing as long as
    the problem has the same assets and factors, the same optional constraints switched on, and
    no asset with more sellable lots than the slots built for it (``lot_headroom`` spare slots
    per asset leave room for the lots a year of trading adds). Otherwise it rebuilds, and
    ``builds`` counts how often that happened.

    cvxpy's first compile of a 10,000-lot problem takes seconds; a re-solve then costs about
    what a fresh direct solve costs (bench_rebalance). ``engine="direct"`` skips cvxpy and
    assembles Clarabel's matrices on every solve: the same answer, no compile.
    """

    def __init__(
        self, problem: RebalanceProblem, *, lot_headroom: int = 1, engine: str = "cvxpy"
    ) -> None:
        if engine not in ("cvxpy", "direct"):
            raise ValueError(f"engine: {engine!r}, expected 'cvxpy' or 'direct'")
        self.engine = engine
        self._headroom = lot_headroom
        self._compiled: CompiledProblem | None = None
        self.builds = 0
        problem_validate(problem)
        if engine == "cvxpy":
            self._compiled_for(problem, presolve(problem).lot_active)

    def _compiled_for(
        self, problem: RebalanceProblem, lot_active: BoolArray
    ) -> tuple[CompiledProblem, IntArray]:
        wanted = structure_of(problem, lot_active, 0)
        if self._compiled is not None and structure_fits(self._compiled.structure, wanted):
            index = self._compiled.slot_index(problem.lot_asset, lot_active)
            if index is not None:
                return self._compiled, index
        self._compiled = CompiledProblem(structure_of(problem, lot_active, self._headroom))
        self.builds += 1
        index = self._compiled.slot_index(problem.lot_asset, lot_active)
        assert index is not None
        return self._compiled, index

    def continuous(
        self,
        problem: RebalanceProblem,
        lot_active: BoolArray,
        sell_ub: FloatArray,
        buy_ub: FloatArray,
        root: FloatArray,
        solvers: tuple[str, ...] = SOLVER_ORDER,
    ) -> ContinuousAnswer:
        compiled, index = self._compiled_for(problem, lot_active)
        inputs = inputs_build(problem, sell_ub, buy_ub)
        return compiled.solve(problem, inputs, index, root, solvers)

    def solve(self, problem: RebalanceProblem) -> RebalanceResult:
        return rebalance_solve(problem, solver=self)


@dataclass
class _Run:
    """The state of one rebalance across its solves."""

    problem: RebalanceProblem
    pre: Presolved
    solver: RebalanceSolver | None  # None: direct Clarabel, cvxpy (SCS) only as the fallback
    root: FloatArray
    wash: WashState
    small_buy: BoolArray
    small_sell_lot: BoolArray
    solve_seconds: float = 0.0
    solves: int = 0
    messages: list[str] = field(default_factory=list)

    def bounds(self) -> tuple[FloatArray, FloatArray]:
        sell_ub = np.where(self.wash.lot_frozen | self.small_sell_lot, 0.0, self.pre.sell_ub)
        buy_ub = np.where(self.wash.buy_blocked | self.small_buy, 0.0, self.pre.buy_ub)
        return sell_ub, buy_ub

    def solve(self) -> ContinuousAnswer:
        sell_ub, buy_ub = self.bounds()
        if self.solver is None or self.solver.engine == "direct":
            answer = direct_solve(
                self.problem, inputs_build(self.problem, sell_ub, buy_ub), self.root
            )
            if not answer.ok and answer.status != "infeasible":
                self.messages.append(f"Clarabel: {answer.status}; solved again with SCS")
                fallback = RebalanceSolver(self.problem, lot_headroom=0)
                self.solve_seconds += answer.solve_seconds
                answer = fallback.continuous(
                    self.problem, self.pre.lot_active, sell_ub, buy_ub, self.root, ("SCS",)
                )
        else:
            answer = self.solver.continuous(
                self.problem, self.pre.lot_active, sell_ub, buy_ub, self.root
            )
        self.solve_seconds += answer.solve_seconds
        self.solves += 1
        return answer

    def shares(self, answer: ContinuousAnswer) -> tuple[FloatArray, FloatArray]:
        equity = equity_of(self.problem)
        sell = answer.sell_fraction * self.problem.lot_shares
        buy = answer.buy_weight * equity / self.problem.prices
        return sell, buy


def rebalance_solve(
    problem: RebalanceProblem, *, solver: RebalanceSolver | None = None, explain: bool = True
) -> RebalanceResult:
    """Solve one account's rebalance; the portal, the planner and the CLI all come here.

    ``explain=False`` skips the relaxation solves that word an infeasible answer's conflict.
    """
    started = time.perf_counter()
    problem_validate(problem)
    pre = presolve(problem)
    run = _Run(
        problem=problem,
        pre=pre,
        solver=solver,
        root=factor_root(problem),
        wash=wash_state_empty(problem),
        small_buy=np.zeros(problem.asset_count, dtype=bool),
        small_sell_lot=np.zeros(problem.lot_count, dtype=bool),
        messages=list(pre.messages),
    )
    answer = run.solve()
    if not answer.ok:
        return _failed(run, answer, started, explain=explain)
    answer = _restrictions_apply(run, answer)
    if not answer.ok:
        conflict = "the wash guard (no buy and loss sale of one name) leaves no feasible trade"
        return _failed(run, answer, started, explain=False, conflict=conflict)
    sell, buy = continuous_clean(problem, run.root, *run.shares(answer))
    continuous = evaluate(problem, run.root, sell, buy)
    if problem.whole_shares:
        _, buy_ub = run.bounds()
        sell, buy, notes = whole_shares_round(
            problem, run.root, sell, buy, buy_ok=buy_ub > 0, loss_sell_ok=~run.wash.lot_frozen
        )
        run.messages.extend(notes)
    sell, buy = _min_trade_drop(run, sell, buy)
    final = evaluate(problem, run.root, sell, buy)
    rounding_cost = final.tracking_error - continuous.tracking_error if problem.whole_shares else 0
    if problem.whole_shares and rounding_cost > 1e-4:
        run.messages.append(
            f"rounding to whole shares cost {rounding_cost:.2%} tracking error "
            f"({continuous.tracking_error:.2%} -> {final.tracking_error:.2%})"
        )
    hard = problem.te_max is not None and not problem.te_ceiling_soft
    if hard and final.tracking_error > problem.te_max * (1 + 1e-6):
        run.messages.append(
            f"after rounding, tracking error {final.tracking_error:.3%} is above te_max "
            f"{problem.te_max:.3%}"
        )
    flags = wash_flags(problem, sell, buy)
    equity = equity_of(problem)
    return RebalanceResult(
        status=answer.status,
        buy_shares=buy,
        sell_shares=sell,
        realized_st=final.realized_st,
        realized_lt=final.realized_lt,
        harvested_losses=final.harvested,
        tax=final.tax,
        fees=final.fees,
        cash_after=final.cash_after,
        tracking_error_before=_te_before(run),
        tracking_error=final.tracking_error,
        turnover=(final.gross_buys + final.gross_sells) / equity,
        trade_count=int(np.count_nonzero(sell > 0) + np.count_nonzero(buy > 0)),
        objective=final.objective,
        seconds=time.perf_counter() - started,
        solve_seconds=run.solve_seconds,
        rounding_te_cost=float(rounding_cost),
        messages=tuple(run.messages),
        conflict=None,
        wash_sale_flags=tuple(flags),
        solver=answer.solver,
        equity_before=equity,
        max_residual=answer.max_residual,
        continuous_tracking_error=continuous.tracking_error,
        gross_buys=final.gross_buys,
        gross_sells=final.gross_sells,
        weights_after=final.weights_after,
        wash_guard_blocks=tuple(wash_guard_blocks(problem, run.wash, sell, buy)),
    )


def _te_before(run: _Run) -> float:
    p = run.problem
    held = np.bincount(p.lot_asset, weights=p.lot_shares, minlength=p.asset_count)
    return tracking_error_of(p, run.root, held * p.prices / equity_of(p) - p.target_weights)


def _restrictions_apply(run: _Run, answer: ContinuousAnswer) -> ContinuousAnswer:
    """Wash guard and minimum trade size: restrict and re-solve until the answer obeys both."""
    problem = run.problem
    equity = equity_of(problem)
    for round_number in range(MAX_ROUNDS + 2):
        sell, buy = run.shares(answer)
        changed = False
        if problem.forbid_buy_and_loss_sell and wash_conflicts(problem, sell, buy, equity).any():
            run.wash, conflicts = wash_settle(
                problem, run.wash, sell, buy, equity, every_group=round_number >= MAX_ROUNDS
            )
            changed = True
            if round_number == 0:
                run.messages.append(
                    f"wash guard: {conflicts} name groups were both bought and loss-sold in the "
                    "first solve; each keeps only its larger side, every other group the side "
                    "it traded"
                )
        if problem.min_trade_value > 0:
            changed |= _small_trades_block(run, sell, buy)
        if not changed:
            return answer
        previous_small = (run.small_buy.copy(), run.small_sell_lot.copy())
        retry = run.solve()
        if not retry.ok and problem.min_trade_value > 0:
            # the minimum trade size is a preference: keep the trades it could not remove
            run.small_buy, run.small_sell_lot = previous_small
            run.small_buy[:] = False
            run.small_sell_lot[:] = False
            run.messages.append("the minimum trade size could not be applied to every trade")
            retry = run.solve()
        if not retry.ok and problem.forbid_buy_and_loss_sell:
            # freezing loss lots can starve the cash raise: block those groups' buys instead
            blocked = run.wash.buy_blocked | _groups_with_loss_sales(run, sell)
            groups = groups_of(problem)
            unfreeze = np.isin(groups[problem.lot_asset], groups[blocked])
            run.wash = WashState(blocked, run.wash.lot_frozen & ~unfreeze, run.wash.conflicted)
            retry = run.solve()
        if not retry.ok:
            return retry
        answer = retry
    sell, buy = run.shares(answer)
    if problem.forbid_buy_and_loss_sell and wash_conflicts(problem, sell, buy, equity).any():
        run.wash, _ = wash_settle(problem, run.wash, sell, buy, equity, every_group=True)
        answer = run.solve()
        sell, buy = run.shares(answer)
        if answer.ok and wash_conflicts(problem, sell, buy, equity).any():
            raise AssertionError("wash guard left a conflict after the settling solve")
    return answer


def _groups_with_loss_sales(run: _Run, sell: FloatArray) -> BoolArray:
    from .wash import loss_sold_assets

    return loss_sold_assets(run.problem, sell)


def _small_trades_block(run: _Run, sell: FloatArray, buy: FloatArray) -> bool:
    """Trades under the minimum size (per name, in currency) are fixed at zero for the re-solve."""
    p = run.problem
    buy_value = buy * p.prices
    small_buy = (buy_value > 1e-9) & (buy_value < p.min_trade_value) & ~run.small_buy
    sell_value = np.bincount(
        p.lot_asset, weights=sell * p.prices[p.lot_asset], minlength=p.asset_count
    )
    small_asset = (sell_value > 1e-9) & (sell_value < p.min_trade_value)
    small_lot = small_asset[p.lot_asset] & ~run.small_sell_lot & (sell > 0)
    run.small_buy |= small_buy
    run.small_sell_lot |= small_asset[p.lot_asset]
    return bool(small_buy.any() or small_lot.any())


def _min_trade_drop(run: _Run, sell: FloatArray, buy: FloatArray) -> tuple[FloatArray, FloatArray]:
    """After rounding: drop buys under the minimum; drop small sells while cash allows."""
    p = run.problem
    if p.min_trade_value <= 0:
        return sell, buy
    buy = np.where(buy * p.prices < p.min_trade_value, 0.0, buy)
    sell_value = np.bincount(
        p.lot_asset, weights=sell * p.prices[p.lot_asset], minlength=p.asset_count
    )
    small = (sell_value > 0) & (sell_value < p.min_trade_value)
    for asset in np.flatnonzero(small):
        trial = np.where(p.lot_asset == asset, 0.0, sell)
        if not p.cash_nonnegative or evaluate(p, run.root, trial, buy).cash_after >= (
            p.cash_target - 1e-9
        ):
            sell = trial
    return sell, buy


def _failed(
    run: _Run,
    answer: ContinuousAnswer,
    started: float,
    *,
    explain: bool,
    conflict: str | None = None,
) -> RebalanceResult:
    from .costs import infeasibility_explain

    problem = run.problem
    if conflict is None and answer.status == "infeasible":
        conflict = infeasibility_explain(problem) if explain else "infeasible"
    if conflict is None:
        conflict = f"no solver produced an accepted answer (last status {answer.status})"
    zero_sell = np.zeros(problem.lot_count)
    zero_buy = np.zeros(problem.asset_count)
    base = evaluate(problem, run.root, zero_sell, zero_buy)
    te = _te_before(run)
    return RebalanceResult(
        status=answer.status,
        buy_shares=zero_buy,
        sell_shares=zero_sell,
        realized_st=0.0,
        realized_lt=0.0,
        harvested_losses=0.0,
        tax=0.0,
        fees=0.0,
        cash_after=base.cash_after,
        tracking_error_before=te,
        tracking_error=te,
        turnover=0.0,
        trade_count=0,
        objective=float("nan"),
        seconds=time.perf_counter() - started,
        solve_seconds=run.solve_seconds,
        rounding_te_cost=0.0,
        messages=tuple(run.messages),
        conflict=conflict,
        wash_sale_flags=(),
        solver=answer.solver,
        equity_before=equity_of(problem),
        max_residual=answer.max_residual,
        continuous_tracking_error=te,
        weights_after=base.weights_after,
    )


__all__ = ["RebalanceSolver", "lot_sell_cap", "rebalance_solve"]
