"""What a proposal says, as frozen data: the renderer's only input (no model, no query).

Figures are the stored analysis' figures (floats as stored, money in dollars and cents), and
holdings are the account's lots at the prices the analysis ran on (the analysis is refused
when stale, so they are the same). Formatting happens in `transitions.proposals.formatting`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal


@dataclass(frozen=True)
class Branding:
    name: str
    color: str
    logo_png: bytes | None = None
    logo_width: int | None = None
    logo_height: int | None = None


@dataclass(frozen=True)
class Band:
    p10: float | None
    p50: float | None
    p90: float | None


@dataclass(frozen=True)
class YearFigures:
    year: int
    realized_st: float
    realized_lt: float
    harvested_losses: float
    tax: float
    loss_carryforward: float
    tracking_error: float
    in_target: float
    unrealized_gain: float
    turnover: float
    trades: int
    tax_band: Band | None = None
    tracking_error_band: Band | None = None


@dataclass(frozen=True)
class ScenarioSummary:
    name: str  # engine name, e.g. "timeline:3"
    label: str  # "Timeline, 3 years"
    is_recommended: bool
    years: tuple[YearFigures, ...]
    total_tax: float
    years_to_target: int | None
    years_to_target_band: Band | None
    reached_share: float | None
    after_tax_value: float
    after_tax_band: Band | None
    liquidation_value: float

    @property
    def first_year_tax(self) -> float:
        return self.years[0].tax if self.years else 0.0

    @property
    def final_tracking_error(self) -> float:
        return self.years[-1].tracking_error if self.years else 0.0


@dataclass(frozen=True)
class Holding:
    ticker: str
    name: str
    shares: Decimal
    price: Decimal
    market_value: Decimal
    cost_basis: Decimal
    unrealized_short: Decimal
    unrealized_long: Decimal
    is_in_target: bool


@dataclass(frozen=True)
class Customization:
    label: str
    kind: str  # category, restriction, concentrated
    plain: str  # the same in plain words
    names_removed: int
    weight_removed: float
    tracking_error: float | None  # this one alone, fraction a year


@dataclass(frozen=True)
class Trade:
    action: str  # "Sell" or "Buy"
    ticker: str
    name: str
    shares: float
    price: Decimal
    amount: Decimal
    acquired_on: date | None = None
    is_long_term: bool | None = None
    gain: Decimal | None = None


@dataclass(frozen=True)
class FrontierPoint:
    label: str
    scenario: str
    total_tax: float
    mean_tracking_error: float
    years_to_target: int | None
    is_named: bool
    is_recommended: bool = False


@dataclass(frozen=True)
class Assumptions:
    as_of: date
    years: int
    te_goal: float
    drift: float
    paths: int
    seed: int
    short_term_rate: float
    long_term_rate: float
    filing_status: str
    risk_model: str
    risk_model_as_of: date | None
    risk_model_is_synthetic: bool
    prices_on: date | None
    prices_are_synthetic: bool
    target_source: str  # "customized" or "strategy"
    analysis_id: str


@dataclass(frozen=True)
class ProposalData:
    title: str
    client_name: str
    account_name: str
    account_description: str
    advisor_name: str
    advisor_note: str
    prepared_on: date
    version: int
    branding: Branding
    strategy_name: str
    strategy_kind: str
    strategy_description: str
    target_tracking_error: float | None
    customizations: tuple[Customization, ...]
    initial_value: float
    initial_tracking_error: float
    scenarios: tuple[ScenarioSummary, ...]
    holdings: tuple[Holding, ...]
    first_year_trades: tuple[Trade, ...]
    frontier: tuple[FrontierPoint, ...]
    frontier_kind: str
    assumptions: Assumptions
    sell_now: ScenarioSummary | None = None  # the analysis' immediate scenario, shown or not
    disclosures: tuple[str, ...] = field(default=())

    @property
    def recommended(self) -> ScenarioSummary:
        return next(s for s in self.scenarios if s.is_recommended)
