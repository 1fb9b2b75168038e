"""Reads of an account's saved customization: the one reader of its rows, and the summary."""

from __future__ import annotations

from dataclasses import dataclass

from esg.models import (
    AccountExclusion,
    ConcentratedPosition,
    CustomizationNote,
    CustomizedTarget,
    Restriction,
)
from esg.types import (
    CustomizationInput,
    ResolvedConcentratedPosition,
    ResolvedCustomization,
    ResolvedRestriction,
)


def customization_stored(*, account) -> ResolvedCustomization:
    """The account's saved customization (three queries), in the resolved form the target
    takes; categories by name, restrictions by scope, value and ticker."""
    return ResolvedCustomization(
        categories=tuple(
            exclusion.category
            for exclusion in AccountExclusion.objects.filter(account=account)
            .select_related("category")
            .order_by("category__name")
        ),
        restrictions=tuple(
            ResolvedRestriction(
                scope=row.scope,
                mode=row.mode,
                security=row.security,
                value=row.value,
                effective_from=row.effective_from,
                effective_to=row.effective_to,
                reason=row.reason,
                rows=(),
            )
            for row in Restriction.objects.filter(account=account)
            .select_related("security")
            .order_by("scope", "value", "security__ticker")
        ),
        concentrated_positions=tuple(
            ResolvedConcentratedPosition(security=row.security, note=row.note)
            for row in ConcentratedPosition.objects.filter(account=account)
            .select_related("security")
            .order_by("security__ticker")
        ),
    )


def customization_current(*, account) -> CustomizationInput:
    """The account's saved customization, in the shape the forms and the API edit."""
    return customization_stored(account=account).as_input()


@dataclass(frozen=True)
class CustomizationSummary:
    categories: list[str]
    restriction_count: int
    concentrated: list[str]
    target: CustomizedTarget | None
    saved: CustomizationNote | None

    @property
    def is_empty(self) -> bool:
        return not (self.categories or self.restriction_count or self.concentrated)


def customization_summary(*, account) -> CustomizationSummary:
    """What the account page shows: categories, counts and the cached target's figures."""
    version_target = (
        CustomizedTarget.objects.filter(
            account=account, strategy_version__strategy_id=account.strategy_id
        )
        .order_by("-computed_at")
        .first()
        if account.strategy_id
        else None
    )
    return CustomizationSummary(
        categories=list(
            AccountExclusion.objects.filter(account=account)
            .order_by("category__name")
            .values_list("category__name", flat=True)
        ),
        restriction_count=Restriction.objects.filter(account=account).count(),
        concentrated=list(
            ConcentratedPosition.objects.filter(account=account).values_list(
                "security__ticker", flat=True
            )
        ),
        target=version_target,
        saved=CustomizationNote.objects.filter(account=account).select_related("saved_by").first(),
    )
