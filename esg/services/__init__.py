"""Writes of the ESG area, by area: `curation` (categories, staff), `customization` (an
account's settings, advisors) and `target` (the customized target: solve, store, recompute).

The names below are the area's public writes (views, the API, admin and jobs call them);
the values they share with the selectors live in `esg.types`.
"""

from esg.services.curation import (
    category_members_rebuild,
    category_override_add,
    category_override_remove,
    category_rule_add,
    category_rule_remove,
    rule_value_canonical,
)
from esg.services.customization import (
    customization_clear,
    customization_preview,
    customization_resolve,
    customization_save,
)
from esg.services.target import (
    customized_target_compute,
    customized_target_refresh,
    customized_targets_refresh,
    customized_targets_refresh_queue,
)
from esg.types import (
    ConcentratedPositionInput,
    CustomizationInput,
    ExclusionLine,
    RebuildReport,
    ResolvedConcentratedPosition,
    ResolvedCustomization,
    ResolvedRestriction,
    RestrictionInput,
    TargetPreview,
    TargetState,
    WeightRow,
)

__all__ = [
    "ConcentratedPositionInput",
    "CustomizationInput",
    "ExclusionLine",
    "RebuildReport",
    "ResolvedConcentratedPosition",
    "ResolvedCustomization",
    "ResolvedRestriction",
    "RestrictionInput",
    "TargetPreview",
    "TargetState",
    "WeightRow",
    "category_members_rebuild",
    "category_override_add",
    "category_override_remove",
    "category_rule_add",
    "category_rule_remove",
    "customization_clear",
    "customization_preview",
    "customization_resolve",
    "customization_save",
    "customized_target_compute",
    "customized_target_refresh",
    "customized_targets_refresh",
    "customized_targets_refresh_queue",
    "rule_value_canonical",
]
