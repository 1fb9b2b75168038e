"""Models of the transitions area. Transition analyses live in `transitions/analysis/`."""

from transitions.analysis.models import (  # noqa: F401  (Django finds the models here)
    AnalysisPathRun,
    AnalysisPayload,
    AnalysisScenario,
    AnalysisStatus,
    PathRunStatus,
    ScenarioKindChoice,
    TransitionAnalysis,
)
