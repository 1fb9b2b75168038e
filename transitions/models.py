"""Models of the transitions area. Transition analyses live in `transitions/analysis/`,
proposals in `transitions/proposals/`."""

from transitions.analysis.models import (  # noqa: F401  (Django finds the models here)
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
