"""Reads for ESG categories, account customizations and the customized target.

By area: `categories`, `customization` (the one reader of the saved settings), `target` (the
target's inputs and its stored, possibly stale, state). Selectors never import services.
"""

from esg.selectors.access import access_customization, access_customization_for_write
from esg.selectors.categories import (
    categories_list,
    category_history,
    category_members,
    category_overrides,
)
from esg.selectors.customization import (
    CustomizationSummary,
    customization_current,
    customization_stored,
    customization_summary,
)
from esg.selectors.target import (
    customized_target_state,
    customized_target_weights,
    target_prepare,
    target_stored,
    target_strategy_weights,
    target_weight_rows,
    target_weights,
)

__all__ = [
    "access_customization",
    "access_customization_for_write",
    "CustomizationSummary",
    "categories_list",
    "category_history",
    "category_members",
    "category_overrides",
    "customization_current",
    "customization_stored",
    "customization_summary",
    "customized_target_state",
    "customized_target_weights",
    "target_prepare",
    "target_stored",
    "target_strategy_weights",
    "target_weight_rows",
    "target_weights",
]
