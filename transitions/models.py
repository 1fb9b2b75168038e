"""Models of the transitions area, by submodule: rebalances (`rebalance/`), analyses
(`analysis/`), proposals (`proposals/`)."""

from transitions.analysis.models import (  # noqa: F401, E402  (transition analyses, issue 11)
    AnalysisPathRun,
    AnalysisPayload,
    AnalysisScenario,
    AnalysisStatus,
    PathRunStatus,
    ScenarioKindChoice,
    TransitionAnalysis,
)
from transitions.proposals.models import (  # noqa: F401, E402
    Proposal,
    ProposalEvent,
    ProposalEventKind,
    ProposalStatus,
    ProposalVersion,
)
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
