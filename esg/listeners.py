"""What the ESG area does when portfolios' reference data changes: queue the customized
targets' refresh (their inputs digest includes the strategy version and the risk model)."""

from __future__ import annotations

from esg.services.target import customized_targets_refresh_queue
from portfolios.listeners import reference_data_listener


@reference_data_listener
def customized_targets_on_reference_change(*, reason: str, account_ids=None) -> None:
    customized_targets_refresh_queue(reason=reason, account_ids=account_ids)
