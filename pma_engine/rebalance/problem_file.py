"""The neutral problem file, taxbench-problem/1: load, validate (naming the field), answer.

    {"format": "taxbench-problem/1", "as_of": "2026-12-01",
     "assets": {"tickers": [N], "prices": [N], "benchmark_weights": [N]},
     "risk_model": {"exposures": [N][K], "factor_covariance": [K][K], "specific_variance": [N]},
     "portfolio": {"cash": x, "lots": {"lot_id": [L], "asset": [L], "shares": [L],
                   "basis_per_share": [L], "acquired": [L], "days_held": [L], "term": [L]}},
     "tax": {"short_term_rate": x, "long_term_rate": x, "gain_budget": x | null},
     "constraints": {"te_max": x | null, "long_only": true, "cash_nonnegative": true,
                     "max_turnover": x | null, "trading_cost_bps": x},
     "objective": {"risk_aversion": x}}

The file is solved exactly as stated, in continuous shares; its wash-sale rule is "reported, not
forbidden" (``wash_sales`` in the answer lists names bought and sold at a loss together).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from datetime import date
from typing import Any

import numpy as np

from .types import ProblemMeta, RebalanceProblem, RebalanceResult

FORMAT = "taxbench-problem/1"
BENCHMARK_SUM_TOLERANCE = 1e-4


class ProblemFileError(ValueError):
    """A bad problem file; the message names the field, e.g. 'portfolio.lots.shares[3]: ...'."""


def _get(data: Mapping[str, Any], path: str) -> Any:
    node: Any = data
    walked = []
    for key in path.split("."):
        walked.append(key)
        if not isinstance(node, Mapping):
            raise ProblemFileError(f"{'.'.join(walked[:-1])}: expected an object")
        if key not in node:
            raise ProblemFileError(f"{'.'.join(walked)}: missing")
        node = node[key]
    return node


def _number(value: Any, field: str, *, minimum: float | None = None, allow_null: bool = False):
    if value is None and allow_null:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ProblemFileError(f"{field}: expected a number, got {value!r}")
    if not math.isfinite(value):
        raise ProblemFileError(f"{field}: not a finite number ({value!r})")
    if minimum is not None and value < minimum:
        raise ProblemFileError(f"{field}: must be >= {minimum}, got {value!r}")
    return float(value)


def _vector(value: Any, field: str, length: int | None, *, minimum: float | None = None):
    if not isinstance(value, list):
        raise ProblemFileError(f"{field}: expected a list")
    if length is not None and len(value) != length:
        raise ProblemFileError(f"{field}: {len(value)} entries, expected {length}")
    for i, item in enumerate(value):
        _number(item, f"{field}[{i}]", minimum=minimum)
    return np.asarray(value, dtype=float)


def _matrix(value: Any, field: str, rows: int, columns: int | None) -> np.ndarray:
    if not isinstance(value, list) or len(value) != rows:
        got = len(value) if isinstance(value, list) else type(value).__name__
        raise ProblemFileError(f"{field}: {got} rows, expected {rows}")
    width = columns
    out = []
    for i, row in enumerate(value):
        vector = _vector(row, f"{field}[{i}]", width)
        width = len(vector)
        out.append(vector)
    return np.vstack(out) if out else np.zeros((0, width or 0))


def problem_load(data: Mapping[str, Any]) -> tuple[RebalanceProblem, ProblemMeta]:
    """Validate a taxbench-problem/1 document and turn it into a RebalanceProblem."""
    if not isinstance(data, Mapping):
        raise ProblemFileError("(top level): expected a JSON object")
    fmt = _get(data, "format")
    if fmt != FORMAT:
        raise ProblemFileError(f"format: unknown format {fmt!r}, expected {FORMAT!r}")
    tickers = _get(data, "assets.tickers")
    if not isinstance(tickers, list) or not all(isinstance(t, str) for t in tickers):
        raise ProblemFileError("assets.tickers: expected a list of strings")
    if len(set(tickers)) != len(tickers):
        raise ProblemFileError("assets.tickers: duplicate ticker")
    n = len(tickers)
    prices = _vector(_get(data, "assets.prices"), "assets.prices", n)
    if np.any(prices <= 0):
        raise ProblemFileError(f"assets.prices[{int(np.argmax(prices <= 0))}]: must be > 0")
    weights = _vector(
        _get(data, "assets.benchmark_weights"), "assets.benchmark_weights", n, minimum=0.0
    )
    if abs(weights.sum() - 1.0) > BENCHMARK_SUM_TOLERANCE:
        raise ProblemFileError(f"assets.benchmark_weights: sum {weights.sum():.6f}, expected 1")
    exposures = _matrix(_get(data, "risk_model.exposures"), "risk_model.exposures", n, None)
    k = exposures.shape[1]
    factor_cov = _matrix(
        _get(data, "risk_model.factor_covariance"), "risk_model.factor_covariance", k, k
    )
    if not np.allclose(factor_cov, factor_cov.T, atol=1e-10):
        raise ProblemFileError("risk_model.factor_covariance: not symmetric")
    if np.linalg.eigvalsh(factor_cov).min(initial=0.0) < -1e-10:
        raise ProblemFileError("risk_model.factor_covariance: not positive semidefinite")
    specific = _vector(
        _get(data, "risk_model.specific_variance"), "risk_model.specific_variance", n, minimum=0
    )
    cash = _number(_get(data, "portfolio.cash"), "portfolio.cash")
    lots = _get(data, "portfolio.lots")
    if not isinstance(lots, Mapping):
        raise ProblemFileError("portfolio.lots: expected an object of columns")
    lot_ids = _get(data, "portfolio.lots.lot_id")
    if not isinstance(lot_ids, list):
        raise ProblemFileError("portfolio.lots.lot_id: expected a list")
    n_lots = len(lot_ids)
    lot_ids = [str(x) for x in lot_ids]
    if len(set(lot_ids)) != n_lots:
        raise ProblemFileError("portfolio.lots.lot_id: duplicate lot id")
    assets = _vector(_get(data, "portfolio.lots.asset"), "portfolio.lots.asset", n_lots, minimum=0)
    for i, value in enumerate(assets):
        if value != int(value) or value >= n:
            raise ProblemFileError(f"portfolio.lots.asset[{i}]: not an index into assets.tickers")
    shares = _vector(
        _get(data, "portfolio.lots.shares"), "portfolio.lots.shares", n_lots, minimum=0.0
    )
    basis = _vector(
        _get(data, "portfolio.lots.basis_per_share"),
        "portfolio.lots.basis_per_share",
        n_lots,
        minimum=0.0,
    )
    days = _vector(
        _get(data, "portfolio.lots.days_held"), "portfolio.lots.days_held", n_lots, minimum=0
    )
    terms = _get(data, "portfolio.lots.term")
    acquired = _get(data, "portfolio.lots.acquired")
    for field, column in (("term", terms), ("acquired", acquired)):
        if not isinstance(column, list) or len(column) != n_lots:
            raise ProblemFileError(f"portfolio.lots.{field}: expected a list of {n_lots} entries")
    for i, (term, held, day) in enumerate(zip(terms, days, acquired, strict=True)):
        if term not in ("ST", "LT"):
            raise ProblemFileError(f"portfolio.lots.term[{i}]: {term!r}, expected 'ST' or 'LT'")
        if (term == "LT") != (held > 365):
            raise ProblemFileError(
                f"portfolio.lots.term[{i}]: {term} does not match days_held {int(held)}"
                " (long-term when days_held > 365)"
            )
        try:
            date.fromisoformat(str(day))
        except ValueError:
            raise ProblemFileError(f"portfolio.lots.acquired[{i}]: not an ISO date") from None
    st_rate = _number(_get(data, "tax.short_term_rate"), "tax.short_term_rate", minimum=0.0)
    lt_rate = _number(_get(data, "tax.long_term_rate"), "tax.long_term_rate", minimum=0.0)
    gain_budget = _number(_get(data, "tax.gain_budget"), "tax.gain_budget", allow_null=True)
    te_max = _number(
        _get(data, "constraints.te_max"), "constraints.te_max", minimum=0.0, allow_null=True
    )
    long_only = _get(data, "constraints.long_only")
    cash_nonneg = _get(data, "constraints.cash_nonnegative")
    for field, flag in (("long_only", long_only), ("cash_nonnegative", cash_nonneg)):
        if not isinstance(flag, bool):
            raise ProblemFileError(f"constraints.{field}: expected true or false")
    if not long_only:
        raise ProblemFileError("constraints.long_only: only true is supported (no short sales)")
    turnover = _number(
        _get(data, "constraints.max_turnover"),
        "constraints.max_turnover",
        minimum=0.0,
        allow_null=True,
    )
    bps = _number(
        _get(data, "constraints.trading_cost_bps"), "constraints.trading_cost_bps", minimum=0.0
    )
    risk_aversion = _number(
        _get(data, "objective.risk_aversion"), "objective.risk_aversion", minimum=0.0
    )
    lot_asset = assets.astype(np.int64)
    equity = cash + float(shares @ prices[lot_asset]) if n_lots else cash
    if equity <= 0:
        raise ProblemFileError("portfolio.cash: the account has no value (cash + lots <= 0)")
    as_of = data.get("as_of")
    problem = RebalanceProblem(
        labels=tuple(tickers),
        prices=prices,
        target_weights=weights / weights.sum(),
        exposures=exposures,
        factor_covariance=factor_cov,
        specific_variance=specific,
        cash=cash,
        lot_ids=tuple(lot_ids),
        lot_asset=lot_asset,
        lot_shares=shares,
        lot_basis_per_share=basis,
        lot_is_long_term=np.asarray([t == "LT" for t in terms], dtype=bool),
        lot_days_held=days.astype(np.int64),
        short_term_rate=st_rate,
        long_term_rate=lt_rate,
        gain_budget=gain_budget,
        te_max=te_max,
        max_turnover=turnover,
        trading_cost_bps=bps,
        cash_nonnegative=cash_nonneg,
        risk_aversion=risk_aversion,
        forbid_buy_and_loss_sell=False,
    )
    meta = ProblemMeta(
        format=fmt,
        as_of=None if as_of is None else str(as_of),
        lot_acquired=tuple(str(x) for x in acquired),
        long_only=long_only,
        cash_nonnegative=cash_nonneg,
    )
    return problem, meta


def _finite(value: float) -> float | None:
    return float(value) if math.isfinite(value) else None


def result_document(
    problem: RebalanceProblem, result: RebalanceResult, *, seconds: float
) -> dict[str, Any]:
    """The command's answer: the contract's keys first, then the extras."""
    buy = {
        problem.labels[i]: float(result.buy_shares[i]) for i in np.flatnonzero(result.buy_shares)
    }
    sell = {
        problem.lot_ids[i]: float(result.sell_shares[i]) for i in np.flatnonzero(result.sell_shares)
    }
    return {
        "status": result.status,
        "seconds": seconds,
        "solve_seconds": result.solve_seconds,
        "buy": buy,
        "sell": sell,
        "tracking_error": result.tracking_error,
        "realized": {"st": result.realized_st, "lt": result.realized_lt},
        "objective": _finite(result.objective),
        "tracking_error_before": result.tracking_error_before,
        "tax": result.tax,
        "fees": result.fees,
        "cash_after": result.cash_after,
        "turnover": result.turnover,
        "harvested_losses": result.harvested_losses,
        "trade_count": result.trade_count,
        "solver": result.solver,
        "wash_sales": [
            {
                "group": flag.group,
                "reason": flag.reason,
                "bought": [problem.labels[i] for i in flag.bought_assets],
                "loss_sold_lots": [problem.lot_ids[i] for i in flag.loss_sold_lots],
            }
            for flag in result.wash_sale_flags
        ],
        "rounding_te_cost": result.rounding_te_cost,
        "messages": list(result.messages),
        "conflict": result.conflict,
    }
