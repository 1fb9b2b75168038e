"""The transition planner's inputs and outputs: frozen dataclasses of numpy arrays, no Django.

Money is in floats inside the planner; each year's tax goes through the tax engine in Decimal
(pma_engine.tax) and comes back rounded to cents.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum

import numpy as np
import numpy.typing as npt

from pma_engine.rebalance.types import RebalanceProblem

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]

MAX_YEARS = 10
WASH_WINDOW_DAYS = 30


class TransitionInputError(ValueError):
    """Bad planner input; the message names the argument or field."""


class ScenarioKind(StrEnum):
    IMMEDIATE = "immediate"
    TIMELINE = "timeline"
    GAIN_BUDGET = "gain_budget"
    TAX_BUDGET = "tax_budget"
    HOLD = "hold"


@dataclass(frozen=True)
class Scenario:
    """One way to get from the account to the target; `value` is N years or the budget."""

    kind: ScenarioKind
    value: float | None = None

    @property
    def name(self) -> str:
        if self.value is None:
            return self.kind.value
        if self.kind is ScenarioKind.TIMELINE:
            return f"timeline:{int(self.value)}"
        text = f"{self.value:f}".rstrip("0").rstrip(".")
        return f"{self.kind.value}:{text}"


@dataclass(frozen=True, eq=False)
class TransitionInput:
    """Everything one plan needs; small and picklable so that paths can run in other processes.

    `problem` is the account at the first trade date (its te_max, gain_budget and tax_budget
    are ignored: each scenario brings its own rule); its target_weights are the target.
    `lot_acquired` are the lots' acquisition dates as ordinal days (date.toordinal()).
    `last_buy_day` / `last_loss_sale_day` (N,) are the household's latest buy and loss sale of
    each name (ordinal day, or a very negative number for none) before `as_of`, for the 30-day
    wash windows of the first year; the account's own lots are added by the planner.
    """

    problem: RebalanceProblem
    as_of: date
    lot_acquired: IntArray
    scenarios: tuple[Scenario, ...]
    years: int
    te_goal: float = 0.005
    drift: float = 0.06
    target_floats: bool = True  # the target's weights move with prices (a cap-weighted index)
    last_buy_day: IntArray | None = None
    last_loss_sale_day: IntArray | None = None
    filing_status: str = "single"
    solve_mode: str = "direct"  # "direct", "dpp" or "fresh" (see solving.py)
    merge_identical_lots: bool = True  # same asset, basis and day: one slot (exact)


@dataclass(frozen=True)
class YearFigures:
    """One scenario's year: trades at the start of the year, figures right after them
    (tracking error, in_target, unrealized gain at the prices traded at), tax on the year's
    realized gains after the loss carried in."""

    year: int
    realized_st: float  # net of losses
    realized_lt: float
    harvested_losses: float  # losses realized, as a positive number
    tax: float  # the tax engine's figure: netting, after the loss carried in; never negative
    loss_deduction: float  # net capital loss taken against ordinary income (<= 3,000)
    loss_carryforward: float  # ST + LT carried out to next year
    tracking_error: float
    in_target: float
    unrealized_gain: float
    turnover: float
    trades: int
    value_end: float  # account value at the end of the year, after its returns
    st_carryforward: float = 0.0
    lt_carryforward: float = 0.0
    messages: tuple[str, ...] = ()


@dataclass(frozen=True)
class Trades:
    """A year's trades: shares bought per asset index, shares sold per lot id."""

    buy: dict[int, float] = field(default_factory=dict)
    sell: dict[str, float] = field(default_factory=dict)


@dataclass(frozen=True)
class ScenarioPath:
    """One scenario on one market path."""

    scenario: Scenario
    years: tuple[YearFigures, ...]
    years_to_target: int | None
    after_tax_value: float
    liquidation_value: float
    first_year_trades: Trades

    @property
    def total_tax(self) -> float:
        """Tax over the horizon (the frontier's x axis), before the liquidation."""
        return float(sum(y.tax for y in self.years))


@dataclass(frozen=True)
class PathOutcome:
    """All scenarios on one market path (the unit of work that runs in a worker)."""

    path_index: int  # -1: the expected path
    scenarios: tuple[ScenarioPath, ...]


@dataclass(frozen=True)
class Band:
    p10: float | None
    p50: float | None
    p90: float | None


@dataclass(frozen=True)
class ScenarioPaths:
    """Percentiles over the simulated paths of one scenario."""

    count: int
    years: tuple[dict[str, Band], ...]  # per year: figure name -> band
    years_to_target: Band
    reached_share: float  # share of paths at or below the goal by the horizon
    after_tax_value: Band
    liquidation_value: Band


@dataclass(frozen=True)
class TransitionResult:
    expected: PathOutcome
    paths: tuple[ScenarioPaths, ...] | None  # one per scenario, or None without simulation
    path_count: int
    seed: int | None
    initial_tracking_error: float
    te_floor: float  # lowest TE a straight move reaches once wash windows have passed
    te_floor_now: float  # ... and in year 1, with today's wash windows
    seconds: float = 0.0
    path_outcomes: tuple[PathOutcome, ...] = ()  # every path's runs, when asked for (keep_paths)
