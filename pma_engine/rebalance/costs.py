"""What each binding constraint costs, and which constraint makes a problem infeasible.

Both work by relaxing one constraint at a time and solving again (continuous shares): the
difference is the constraint's price, in tracking error and in tax.
"""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal
from typing import Any

import numpy as np

from pma_engine.tax.estimate import tax_estimate
from pma_engine.tax.models import TaxRates

from .accounting import equity_of, lot_sell_cap
from .types import ConstraintCost, RebalanceProblem, RebalanceResult


def _budget_words(kind: str, value: float) -> str:
    return f"zero {kind} budget" if value == 0 else f"{kind} budget of ${value:,.0f}"


def _relaxations(problem: RebalanceProblem) -> list[tuple[str, str, dict[str, Any]]]:
    """(key, words, replace-kwargs) for every constraint that is switched on."""
    out: list[tuple[str, str, dict[str, Any]]] = []
    if problem.gain_budget is not None:
        out.append(
            ("gain_budget", _budget_words("gain", problem.gain_budget), {"gain_budget": None})
        )
    if problem.tax_budget is not None:
        out.append(("tax_budget", _budget_words("tax", problem.tax_budget), {"tax_budget": None}))
    if problem.te_max is not None:
        out.append(("te_max", f"tracking-error ceiling of {problem.te_max:.2%}", {"te_max": None}))
    if problem.max_turnover is not None:
        out.append(
            ("max_turnover", f"turnover cap of {problem.max_turnover:.1%}", {"max_turnover": None})
        )
    if problem.buy_allowed is not None and not np.all(problem.buy_allowed):
        count = int(np.count_nonzero(~problem.buy_allowed.astype(bool)))
        out.append(("buy_restrictions", f"ban on buying {count} names", {"buy_allowed": None}))
    if problem.lot_sell_max is not None and np.any(
        lot_sell_cap(problem) < problem.lot_shares - 1e-12
    ):
        out.append(("frozen_lots", "frozen lots", {"lot_sell_max": None}))
    if problem.cash_target > 0:
        out.append(
            ("cash_target", f"cash target of ${problem.cash_target:,.0f}", {"cash_target": 0.0})
        )
    if problem.withdrawal > 0:
        out.append(("withdrawal", f"withdrawal of ${problem.withdrawal:,.0f}", {"withdrawal": 0.0}))
    if problem.forbid_buy_and_loss_sell:
        out.append(
            (
                "wash_guard",
                "wash guard (no buy and loss sale of one name)",
                {"forbid_buy_and_loss_sell": False},
            )
        )
    if problem.min_trade_value > 0:
        out.append(
            (
                "min_trade_value",
                f"minimum trade of ${problem.min_trade_value:,.0f}",
                {"min_trade_value": 0.0},
            )
        )
    return out


def _continuous(problem: RebalanceProblem) -> RebalanceResult:
    from .solve import rebalance_solve

    return rebalance_solve(replace(problem, whole_shares=False), explain=False)


def infeasibility_explain(problem: RebalanceProblem) -> str:
    """Which constraint conflicts, in words."""
    fee = problem.trading_cost_bps / 1e4
    raisable = problem.cash + (1 - fee) * float(
        lot_sell_cap(problem) @ problem.prices[problem.lot_asset]
    )
    needed = problem.withdrawal + problem.cash_target
    if problem.cash_nonnegative and needed > raisable + 1e-9:
        return (
            f"the withdrawal (${problem.withdrawal:,.2f}) plus the cash target "
            f"(${problem.cash_target:,.2f}) exceed the ${raisable:,.2f} that cash and every "
            "sellable lot can raise"
        )
    freed: list[str] = []
    for key, words, change in _relaxations(problem):
        if key in ("wash_guard", "min_trade_value"):
            continue  # heuristics: the continuous problem never fails because of them
        relaxed = _continuous(replace(problem, **change))
        if relaxed.ok:
            freed.append(words)
    if freed:
        return (
            "the constraints conflict; dropping any one of these makes the problem feasible: "
            + "; ".join(freed)
        )
    return "no single constraint explains the conflict: several constraints conflict together"


def netted_tax(problem: RebalanceProblem, result: RebalanceResult) -> float:
    """The year's tax on a result's realized nets as Schedule D nets them (a short-term loss
    first offsets long-term gains), as the trade list's summary counts it; the optimizer's
    linear estimate credits every loss at its own term's rate instead."""
    rates = TaxRates(Decimal(str(problem.short_term_rate)), Decimal(str(problem.long_term_rate)))
    st, lt = Decimal(repr(result.realized_st)), Decimal(repr(result.realized_lt))
    return float(tax_estimate(st, lt, rates).tax)


def constraint_costs(problem: RebalanceProblem, result: RebalanceResult) -> list[ConstraintCost]:
    """For each binding constraint: tracking error, tax and objective with it relaxed.

    Both sides are continuous solves, so that rounding noise does not pose as a cost. A
    constraint is reported when relaxing it lowers the objective by more than 1e-7 of equity.
    """
    if not result.ok:
        return []
    base = _continuous(problem) if problem.whole_shares else result
    equity = equity_of(problem)
    costs = []
    for key, words, change in _relaxations(problem):
        relaxed = _continuous(replace(problem, **change))
        if not relaxed.ok or relaxed.objective >= base.objective - 1e-7 * equity:
            continue
        tax, tax_relaxed = netted_tax(problem, base), netted_tax(problem, relaxed)
        description = (
            f"the {words} keeps tracking error at {base.tracking_error:.2%} instead of "
            f"{relaxed.tracking_error:.2%}, with tax of ${tax:,.0f} instead of "
            f"${tax_relaxed:,.0f}"
        )
        costs.append(
            ConstraintCost(
                name=key,
                description=description,
                tracking_error=base.tracking_error,
                tracking_error_relaxed=relaxed.tracking_error,
                tax=tax,
                tax_relaxed=tax_relaxed,
                objective=base.objective,
                objective_relaxed=relaxed.objective,
                status_relaxed=relaxed.status,
            )
        )
    return costs
