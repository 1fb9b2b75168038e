"""Value types shared by the tax-lot services and their callers (rebalances, transitions)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any


@dataclass(frozen=True)
class TradeInput:
    """One trade of a batch given to `trades_record`.

    account and security are model instances (accounts.Account, portfolios.Security) or their
    primary keys. amount
    is the total cost of a buy or the total proceeds of a sale. A sale may name the lot it
    sells (specific identification) by `lot_public_id` (TaxLot.public_id, stable across
    replays) or by the advisor's `lot_ref`; a buy may name its new lot with `lot_ref`.
    """

    account: Any
    security: Any
    action: str
    trade_date: date
    shares: Decimal
    amount: Decimal
    lot_public_id: str | None = None
    source: str = "manual"
    lot_ref: str = ""


@dataclass(frozen=True)
class TradeProblem:
    index: int  # position in the batch
    field: str
    message: str

    def __str__(self) -> str:
        return f"Trade {self.index + 1}, {self.field}: {self.message}"
