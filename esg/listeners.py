"""What the ESG area does when portfolios' reference data changes: queue the customized
targets' refresh (their inputs digest includes the strategy version and the risk model)."""

from __future__ import annotations

from esg.models import RecomputeCause
from esg.services.target import customized_targets_refresh_queue
from esg.types import RefreshCause
from portfolios.listeners import reference_data_listener

RISK_MODEL_REASON = "risk model of "  # portfolios.jobs: f"risk model of {model.as_of}"


@reference_data_listener
def customized_targets_on_reference_change(*, reason: str, account_ids=None) -> None:
    if reason.startswith(RISK_MODEL_REASON):
        cause = RefreshCause(kind=RecomputeCause.RISK_MODEL, text=f"New {reason}")
    else:
        cause = RefreshCause(
            kind=RecomputeCause.STRATEGY_VERSION, text=f"New strategy version: {reason}"
        )
    customized_targets_refresh_queue(reason=reason, account_ids=account_ids, cause=cause)
