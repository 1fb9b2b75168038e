"""The ESG area's sections of the account page: the customization and its stored target, and
why the target was last recomputed."""

from __future__ import annotations

from accounts.sections import account_section
from esg.models import TargetRecomputation
from esg.selectors import customization_summary

TARGET_HISTORY_ROWS = 5


@account_section
def customization_section(*, account, user) -> dict:
    return {"esg": customization_summary(account=account)}


@account_section
def target_history_section(*, account, user) -> dict:
    """The last few recomputations of the account's target, newest first (one query)."""
    rows = TargetRecomputation.objects.filter(account=account).only(
        "created_at",
        "cause_kind",
        "cause",
        "names_added",
        "names_removed",
        "tracking_error_before",
        "tracking_error_after",
        "account_id",
    )[:TARGET_HISTORY_ROWS]
    return {"target_history": list(rows)}
