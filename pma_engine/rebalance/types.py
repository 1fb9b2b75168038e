"""The rebalancing engine's inputs and outputs: frozen dataclasses of numpy arrays, no Django.

Assets are identified by their index 0..N-1 (the portal's Universe order); lots by their index
0..L-1, with ``lot_ids`` for people and files. Money is in floats here: callers round for storage
and reports (``pma_engine.tax.money_round``).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]


class RebalanceInputError(ValueError):
    """A problem's arrays are inconsistent (lengths, signs, NaN); the message names the field."""


@dataclass(frozen=True, eq=False)
class RebalanceProblem:
    """One account's rebalance, exactly as the optimizer states it.

    Objective: min tax_weight*(st_rate*ST_net + lt_rate*LT_net) + fees
    + risk_aversion*equity*TE^2, with TE^2 = a' Sigma a, Sigma = B F B' + diag(D),
    a = post-trade position values / pre-trade equity - target_weights, and pre-trade equity =
    cash + all lots at current prices.
    """

    # assets (N): labels are for output only; the key is the index
    labels: tuple[str, ...]
    prices: FloatArray  # (N,) > 0
    target_weights: FloatArray  # (N,) >= 0, sum 1 (cash is not in the target)
    exposures: FloatArray  # (N, K)  B
    factor_covariance: FloatArray  # (K, K)  F, annual
    specific_variance: FloatArray  # (N,)    D, annual
    cash: float  # cash held before trading
    # lots (L)
    lot_ids: tuple[str, ...]
    lot_asset: IntArray  # (L,) index into assets
    lot_shares: FloatArray  # (L,) > 0
    lot_basis_per_share: FloatArray  # (L,)
    lot_is_long_term: BoolArray  # (L,) at the trade date
    lot_days_held: IntArray  # (L,)
    # tax
    short_term_rate: float = 0.408
    long_term_rate: float = 0.238
    gain_budget: float | None = None  # ST net + LT net realized gain <= budget (None: no limit)
    tax_budget: float | None = None  # st_rate*ST_net + lt_rate*LT_net <= budget (None: no limit)
    # constraints
    te_max: float | None = None  # sqrt(a' Sigma a) <= te_max
    max_turnover: float | None = None  # (gross buys + gross sells) / equity
    trading_cost_bps: float = 0.0  # fees = bps/1e4 * gross notional, paid from cash
    withdrawal: float = 0.0  # cash to raise and pay out (>0) or deposit (<0: invest it)
    cash_target: float = 0.0  # cash to keep after trades (amount, >= 0)
    min_trade_value: float = 0.0  # trades smaller than this (currency) are dropped or repaired
    whole_shares: bool = False
    buy_allowed: BoolArray | None = None  # (N,) False: excluded, do-not-buy, wash-blocked
    lot_sell_max: FloatArray | None = None  # (L,) max shares sellable (0 = frozen); default all
    name_group: IntArray | None = None  # (N,) share classes of one company share a group id
    forbid_buy_and_loss_sell: bool = False  # portal: True (wash guard); CLI file: False
    # objective
    risk_aversion: float = 1.0
    tax_weight: float = 1.0  # lambda on the tax term (1 = dollars of tax)
    # added fields (defaults keep the contract)
    loss_harvest_min_fraction: float = 0.0  # a loss sale must lose >= this fraction of basis
    loss_harvest_min_value: float = 0.0  # ... and >= this many currency units per lot
    cash_nonnegative: bool = True  # False: no cash floor at all (the file's cash_nonnegative)
    te_max_soft: bool = False  # te_max as a goal: TE above it costs TE_EXCESS_COST (formulation)

    @property
    def te_ceiling_soft(self) -> bool:
        """A tracking-error ceiling that is a goal (te_max_soft), not a constraint."""
        return self.te_max is not None and self.te_max_soft

    @property
    def asset_count(self) -> int:
        return len(self.labels)

    @property
    def lot_count(self) -> int:
        return len(self.lot_ids)

    @property
    def factor_count(self) -> int:
        return int(self.exposures.shape[1]) if self.exposures.ndim == 2 else 0


@dataclass(frozen=True)
class WashSaleFlag:
    """A name (or share-class group) both bought and sold at a loss in one proposal."""

    group: str  # ticker, or "GOOG/GOOGL" for a group of share classes
    reason: str
    bought_assets: tuple[int, ...] = ()
    loss_sold_lots: tuple[int, ...] = ()


@dataclass(frozen=True, eq=False)
class RebalanceResult:
    """The proposed trades and their before/after figures.

    ``tracking_error`` is after trades (rounded when the problem asks for whole shares);
    ``rounding_te_cost`` is TE after rounding minus TE before rounding (0 when not rounded).
    ``conflict`` says in words which constraint conflicts when the problem is infeasible.
    """

    status: str  # "optimal", "optimal_inaccurate", "infeasible", "solver_error"
    buy_shares: FloatArray  # (N,)
    sell_shares: FloatArray  # (L,)
    realized_st: float  # net short-term gain (losses negative)
    realized_lt: float
    harvested_losses: float  # sum of losses realized (positive number)
    tax: float  # st_rate*ST_net + lt_rate*LT_net (signed, as in the objective)
    fees: float
    cash_after: float
    tracking_error_before: float
    tracking_error: float
    turnover: float
    trade_count: int
    objective: float
    seconds: float  # build + solve + round
    solve_seconds: float  # inside the solver
    rounding_te_cost: float
    messages: tuple[str, ...]
    conflict: str | None
    wash_sale_flags: tuple[WashSaleFlag, ...]
    # added fields
    solver: str = ""  # "CLARABEL", "SCS", or "none" (nothing to solve)
    equity_before: float = 0.0  # cash + lots at current prices
    max_residual: float = 0.0  # largest constraint violation of the continuous answer
    continuous_tracking_error: float = 0.0  # before rounding
    gross_buys: float = 0.0
    gross_sells: float = 0.0
    weights_after: FloatArray = field(default_factory=lambda: np.zeros(0))  # (N,) / equity
    wash_guard_blocks: tuple[WashSaleFlag, ...] = ()  # what the in-proposal guard blocked, why

    @property
    def ok(self) -> bool:
        return self.status in ("optimal", "optimal_inaccurate")

    @property
    def realized_net(self) -> float:
        return self.realized_st + self.realized_lt


@dataclass(frozen=True)
class ConstraintCost:
    """What one binding constraint costs: the answer with that constraint relaxed.

    ``name`` is a stable key ("gain_budget", "tax_budget", "te_max", "max_turnover",
    "buy_restrictions", "frozen_lots", "cash_target", "wash_guard"); ``description`` is a
    sentence for the portal, e.g. "the zero gain budget keeps tracking error at 1.9 % instead of
    0.4 %".
    """

    name: str
    description: str
    tracking_error: float  # with the constraint in force
    tracking_error_relaxed: float
    tax: float
    tax_relaxed: float
    objective: float
    objective_relaxed: float
    status_relaxed: str


@dataclass(frozen=True)
class ProblemMeta:
    """What a taxbench-problem/1 file carries beyond the problem: for output only."""

    format: str
    as_of: str | None
    lot_acquired: tuple[str, ...]
    long_only: bool = True
    cash_nonnegative: bool = True
