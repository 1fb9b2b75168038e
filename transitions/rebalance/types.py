"""Values shared by the rebalance reads and writes (so that selectors never import services)."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

import numpy as np

from pma_engine.rebalance import RebalanceProblem


@dataclass(frozen=True)
class EffectiveSettings:
    """An account's rebalance settings after inheriting the firm's defaults (Decimals; None:
    no limit). Percentages in percent."""

    budget_kind: str  # "none", "gain", "tax"
    budget_amount: Decimal | None
    loss_harvest_min_pct: Decimal
    loss_harvest_min_value: Decimal
    withdrawal: Decimal
    deposit: Decimal
    cash_target: Decimal
    min_trade_value: Decimal
    max_turnover_pct: Decimal | None
    whole_shares: bool
    trading_cost_bps: Decimal
    te_max_pct: Decimal | None
    short_term_rate: Decimal
    long_term_rate: Decimal
    risk_aversion: Decimal = Decimal("20")  # $ of tax per unit of equity x TE^2
    inherited: tuple[str, ...] = ()  # fields that came from the firm's defaults

    def as_json(self) -> dict[str, Any]:
        data = asdict(self)
        return {
            key: (str(value) if isinstance(value, Decimal) else value)
            for key, value in data.items()
            if key != "inherited"
        } | {"inherited": list(self.inherited)}

    @property
    def loss_harvest_min(self) -> Decimal:
        """The harvest threshold as a fraction of 1 (pages format it with `percent`)."""
        return self.loss_harvest_min_pct / 100

    @property
    def budget_label(self) -> str:
        if self.budget_kind == "none" or self.budget_amount is None:
            return "no limit"
        what = "realized gains" if self.budget_kind == "gain" else "tax"
        return f"{what} up to ${self.budget_amount:,.2f}"


@dataclass(frozen=True)
class BlockedInfo:
    security_id: int
    blocked: str  # "buy" or "loss_sale"
    reason: str


@dataclass(frozen=True, eq=False)
class RebalanceInputs:
    """Everything one account's rebalance is computed from, loaded once: the engine problem
    plus what the portal needs to label, store and check it."""

    account: Any
    as_of: date
    problem: RebalanceProblem
    security_ids: np.ndarray  # (N,) universe order
    tickers: tuple[str, ...]
    sectors: tuple[str, ...]
    prices: tuple[Decimal | None, ...]  # (N,) Decimal close, None where unknown
    lot_public_ids: tuple[str, ...]  # (L,) the account's lots
    lot_pks: tuple[int, ...]
    lot_refs: tuple[str, ...]
    lot_shares: tuple[Decimal, ...]
    lot_basis: tuple[Decimal, ...]
    lot_acquired: tuple[date, ...]
    settings: EffectiveSettings
    reason_masks: dict[str, np.ndarray]  # do_not_hold, concentrated, exclusion, do_not_buy
    blocked: tuple[BlockedInfo, ...]
    digest: str
    digest_parts: dict[str, str]
    target_id: int | None = None
    notes: tuple[str, ...] = field(default_factory=tuple)

    @property
    def cash(self) -> Decimal:
        return Decimal(str(self.problem.cash)).quantize(Decimal("0.01"))
