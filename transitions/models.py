"""Models of the transitions area (rebalances now; analyses and proposals later), by submodule."""

from transitions.rebalance.models import (  # noqa: F401  (Django finds models here)
    BatchItemStatus,
    BatchScope,
    BatchStatus,
    BlockedKind,
    BlockedTrade,
    BudgetKind,
    RebalanceBatch,
    RebalanceBatchItem,
    RebalanceSettings,
    ShareClassGroup,
    ShareClassMember,
    TradeLine,
    TradeList,
    TradeListStatus,
    TradeReason,
    TradeSide,
)
