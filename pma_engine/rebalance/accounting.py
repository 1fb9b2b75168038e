"""Validation, presolve and the exact accounting of a trade (realized gains, cash, TE)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .formulation import BUY_CAP, Inputs
from .types import BoolArray, FloatArray, RebalanceInputError, RebalanceProblem

GAIN_EPS = 1e-9  # per share: a lot whose price is within this of its basis is neither gain nor loss


def problem_validate(problem: RebalanceProblem) -> None:
    """Refuse inconsistent arrays with the field named (the file loader checks the same first)."""
    n, n_lots = problem.asset_count, problem.lot_count

    def check(name: str, array: np.ndarray, length: int) -> None:
        if array.shape[0] != length:
            raise RebalanceInputError(f"{name}: {array.shape[0]} entries, expected {length}")
        if array.dtype.kind == "f" and not np.all(np.isfinite(array)):
            bad = int(np.flatnonzero(~np.isfinite(array))[0])
            raise RebalanceInputError(f"{name}[{bad}]: not a finite number")

    check("prices", problem.prices, n)
    check("target_weights", problem.target_weights, n)
    check("specific_variance", problem.specific_variance, n)
    check("exposures", problem.exposures, n)
    if problem.exposures.ndim != 2:
        raise RebalanceInputError("exposures: expected an (N, K) matrix")
    k = problem.factor_count
    if problem.factor_covariance.shape != (k, k):
        raise RebalanceInputError(f"factor_covariance: shape {problem.factor_covariance.shape}")
    if not np.all(np.isfinite(problem.factor_covariance)):
        raise RebalanceInputError("factor_covariance: not finite")
    for name in ("lot_asset", "lot_shares", "lot_basis_per_share", "lot_is_long_term"):
        check(name, getattr(problem, name), n_lots)
    check("lot_days_held", problem.lot_days_held, n_lots)
    if np.any(problem.prices <= 0):
        raise RebalanceInputError(f"prices[{int(np.argmax(problem.prices <= 0))}]: must be > 0")
    if np.any(problem.target_weights < 0):
        raise RebalanceInputError("target_weights: negative weight")
    if np.any(problem.specific_variance < 0):
        raise RebalanceInputError("specific_variance: negative variance")
    if np.any(problem.lot_shares < 0):
        bad = int(np.argmax(problem.lot_shares < 0))
        raise RebalanceInputError(f"lot_shares[{bad}]: negative shares")
    if n_lots and (problem.lot_asset.min() < 0 or problem.lot_asset.max() >= n):
        raise RebalanceInputError("lot_asset: index outside the assets")
    for name in ("cash", "withdrawal", "cash_target", "risk_aversion", "trading_cost_bps"):
        if not np.isfinite(getattr(problem, name)):
            raise RebalanceInputError(f"{name}: not a finite number")
    for name in ("cash_target", "risk_aversion", "trading_cost_bps", "min_trade_value"):
        if getattr(problem, name) < 0:
            raise RebalanceInputError(f"{name}: must be >= 0")
    for name in ("te_max", "max_turnover"):
        value = getattr(problem, name)
        if value is not None and not (np.isfinite(value) and value >= 0):
            raise RebalanceInputError(f"{name}: must be >= 0 or None")
    if problem.buy_allowed is not None:
        check("buy_allowed", problem.buy_allowed, n)
    if problem.name_group is not None:
        check("name_group", problem.name_group, n)
    if problem.lot_sell_max is not None:
        check("lot_sell_max", problem.lot_sell_max, n_lots)
        if np.any(problem.lot_sell_max < 0):
            raise RebalanceInputError("lot_sell_max: negative")
    if equity_of(problem) <= 0:
        raise RebalanceInputError("cash: the account has no value (cash + lots <= 0)")


def equity_of(problem: RebalanceProblem) -> float:
    return float(problem.cash + problem.lot_shares @ problem.prices[problem.lot_asset])


def lot_gain_per_share(problem: RebalanceProblem) -> FloatArray:
    return problem.prices[problem.lot_asset] - problem.lot_basis_per_share


def lot_rates(problem: RebalanceProblem) -> FloatArray:
    return np.where(problem.lot_is_long_term, problem.long_term_rate, problem.short_term_rate)


def lot_sell_cap(problem: RebalanceProblem) -> FloatArray:
    """Shares sellable per lot: lot_sell_max clipped to the lot."""
    if problem.lot_sell_max is None:
        return problem.lot_shares.astype(float)
    return np.minimum(problem.lot_sell_max, problem.lot_shares)


def buy_mask(problem: RebalanceProblem) -> BoolArray:
    if problem.buy_allowed is None:
        return np.ones(problem.asset_count, dtype=bool)
    return problem.buy_allowed.astype(bool)


def groups_of(problem: RebalanceProblem) -> np.ndarray:
    if problem.name_group is None:
        return np.arange(problem.asset_count)
    return problem.name_group.astype(np.int64)


@dataclass(frozen=True, eq=False)
class Presolved:
    sell_ub: FloatArray  # (L,) fraction of each lot sellable
    lot_active: BoolArray  # (L,) lots that stay in the optimization
    buy_ub: FloatArray  # (N,)
    messages: tuple[str, ...]


def presolve(problem: RebalanceProblem) -> Presolved:
    """Fix what is decided before solving.

    Lots with nothing sellable drop out. With a zero (or negative) gain or tax budget and no
    sellable loss lot, every gain lot's sale is fixed at zero: the budget then allows nothing
    else, and Clarabel is spared a degenerate constraint. With loss lots present the budget stays
    a constraint, because harvested losses may pay for gains (that is what a zero budget means).
    """
    shares = problem.lot_shares
    cap = lot_sell_cap(problem)
    with np.errstate(invalid="ignore", divide="ignore"):
        sell_ub = np.where(shares > 0, cap / np.where(shares > 0, shares, 1.0), 0.0)
    sell_ub = np.clip(sell_ub, 0.0, 1.0)
    gain = lot_gain_per_share(problem)
    messages: list[str] = []
    budgets = [b for b in (problem.gain_budget, problem.tax_budget) if b is not None]
    loss_sellable = np.any((gain < -GAIN_EPS) & (sell_ub > 0))
    if budgets and min(budgets) <= 0 and not loss_sellable:
        fixed = (gain > GAIN_EPS) & (sell_ub > 0)
        sell_ub = np.where(fixed, 0.0, sell_ub)
        if fixed.any():
            messages.append(
                f"the zero budget and no loss to offset it fix {int(fixed.sum())} gain lots unsold"
            )
    lot_active = sell_ub > 0
    cap_buy = BUY_CAP if problem.cash_nonnegative else 1e3
    buy_ub = np.where(buy_mask(problem), cap_buy, 0.0)
    return Presolved(sell_ub, lot_active, buy_ub, tuple(messages))


def inputs_build(problem: RebalanceProblem, sell_ub: FloatArray, buy_ub: FloatArray) -> Inputs:
    """Per-lot and per-asset inputs in weights of equity."""
    equity = equity_of(problem)
    lot_price = problem.prices[problem.lot_asset]
    value = problem.lot_shares * lot_price / equity
    gain = problem.lot_shares * lot_gain_per_share(problem) / equity
    rates = lot_rates(problem)
    coef = problem.tax_weight * rates * gain
    if problem.loss_harvest_min_fraction > 0 or problem.loss_harvest_min_value > 0:
        # a loss too small to be worth taking earns no credit: it is sold only when needed
        basis = problem.lot_shares * problem.lot_basis_per_share
        loss = -gain * equity
        small = (loss > 0) & (
            (loss < problem.loss_harvest_min_fraction * basis)
            | (loss < problem.loss_harvest_min_value)
        )
        coef = np.where(small, 0.0, coef)
    held = np.bincount(problem.lot_asset, weights=value, minlength=problem.asset_count).astype(
        float
    )
    inputs = Inputs(
        equity=equity,
        lot_value=value,
        lot_gain=gain,
        lot_rate=rates,
        lot_tax_coef=coef,
        sell_ub=sell_ub,
        buy_ub=buy_ub,
        base_active=held - problem.target_weights,
        cash_weight=problem.cash / equity,
    )
    return inputs


def factor_root(problem: RebalanceProblem) -> FloatArray:
    """G with G G' = B F B' (eigen root: robust to a singular F)."""
    f = 0.5 * (problem.factor_covariance + problem.factor_covariance.T)
    values, vectors = np.linalg.eigh(f)
    root = vectors * np.sqrt(np.clip(values, 0.0, None))
    return np.asarray(problem.exposures @ root, dtype=float)


@dataclass(frozen=True, eq=False)
class Evaluation:
    """The exact figures of a trade in shares."""

    realized_st: float
    realized_lt: float
    harvested: float
    tax: float
    fees: float
    cash_after: float
    gross_buys: float
    gross_sells: float
    weights_after: FloatArray
    tracking_error: float
    objective: float


def tracking_error_of(problem: RebalanceProblem, root: FloatArray, active: FloatArray) -> float:
    return float(np.sqrt(np.sum((root.T @ active) ** 2) + problem.specific_variance @ active**2))


def evaluate(
    problem: RebalanceProblem, root: FloatArray, sell: FloatArray, buy: FloatArray
) -> Evaluation:
    equity = equity_of(problem)
    gain = sell * lot_gain_per_share(problem)
    lt = problem.lot_is_long_term
    st_net, lt_net = float(gain[~lt].sum()), float(gain[lt].sum())
    tax = problem.short_term_rate * st_net + problem.long_term_rate * lt_net
    proceeds = float(sell @ problem.prices[problem.lot_asset])
    cost = float(buy @ problem.prices)
    fees = problem.trading_cost_bps / 1e4 * (proceeds + cost)
    cash_after = problem.cash + proceeds - cost - fees - problem.withdrawal
    held = np.bincount(
        problem.lot_asset, weights=problem.lot_shares - sell, minlength=problem.asset_count
    )
    weights = (held + buy) * problem.prices / equity
    te = tracking_error_of(problem, root, weights - problem.target_weights)
    objective = problem.tax_weight * tax + fees + problem.risk_aversion * equity * te**2
    return Evaluation(
        realized_st=st_net,
        realized_lt=lt_net,
        harvested=float(-gain[gain < 0].sum()),
        tax=tax,
        fees=fees,
        cash_after=cash_after,
        gross_buys=cost,
        gross_sells=proceeds,
        weights_after=weights,
        tracking_error=te,
        objective=objective,
    )
