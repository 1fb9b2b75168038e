"""Reads for ESG categories and account customizations."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, Prefetch, QuerySet

from accounts.models import Account
from accounts.scoping import access_object, access_object_for_write
from esg.models import (
    AccountExclusion,
    CategoryMember,
    CategoryOverride,
    CategoryRule,
    ConcentratedPosition,
    CustomizationNote,
    CustomizedTarget,
    ExclusionCategory,
    Restriction,
)
from esg.services import (
    ConcentratedPositionInput,
    CustomizationInput,
    RestrictionInput,
    WeightRow,
)
from portfolios.models import ModelWeight, Security


def categories_list(*, include_inactive: bool = False) -> QuerySet[ExclusionCategory]:
    """Categories with their member counts and rules (two queries)."""
    categories = ExclusionCategory.objects.annotate(member_count=Count("members")).prefetch_related(
        Prefetch("rules", queryset=CategoryRule.objects.order_by("field", "value"))
    )
    if not include_inactive:
        categories = categories.filter(is_active=True)
    return categories.order_by("name")


def category_members(*, category: ExclusionCategory) -> QuerySet[CategoryMember]:
    """Members with the reason each is in, by ticker."""
    return (
        CategoryMember.objects.filter(category=category)
        .select_related("security")
        .order_by("security__ticker")
    )


def category_overrides(*, category: ExclusionCategory) -> QuerySet[CategoryOverride]:
    """Hand overrides (additions and removals) with who made them."""
    return (
        CategoryOverride.objects.filter(category=category)
        .select_related("security", "created_by")
        .order_by("security__ticker")
    )


def category_history(*, category: ExclusionCategory, limit: int = 50) -> list[dict]:
    """Changes to the category, its rules and overrides, newest first."""
    records = (
        list(category.history.select_related("history_user")[:limit])
        + list(
            CategoryRule.history.filter(category_id=category.pk).select_related("history_user")[
                :limit
            ]
        )
        + list(
            CategoryOverride.history.filter(category_id=category.pk).select_related(
                "history_user", "security"
            )[:limit]
        )
    )
    records.sort(key=lambda record: record.history_date, reverse=True)
    return [
        {
            "when": record.history_date,
            "who": record.history_user.display_name if record.history_user else "system",
            "what": record._meta.model.__name__.replace("Historical", ""),
            "object": str(record.instance)
            if not hasattr(record, "security")
            else f"{record.security.ticker}: {record.get_action_display()} ({record.reason})",
            "action": {"+": "created", "~": "changed", "-": "deleted"}[record.history_type],
            "reason": record.history_change_reason or "",
        }
        for record in records[:limit]
    ]


def customization_current(*, account) -> CustomizationInput:
    """The account's saved customization, in the shape the forms and the API edit."""
    return CustomizationInput(
        category_slugs=tuple(
            AccountExclusion.objects.filter(account=account)
            .order_by("category__name")
            .values_list("category__slug", flat=True)
        ),
        restrictions=tuple(
            RestrictionInput(
                scope=row.scope,
                mode=row.mode,
                ticker=row.security.ticker if row.security_id else "",
                value=row.value,
                effective_from=row.effective_from,
                effective_to=row.effective_to,
                reason=row.reason,
            )
            for row in Restriction.objects.filter(account=account)
            .select_related("security")
            .order_by("scope", "value", "security__ticker")
        ),
        concentrated_positions=tuple(
            ConcentratedPositionInput(ticker=row.security.ticker, note=row.note)
            for row in ConcentratedPosition.objects.filter(account=account)
            .select_related("security")
            .order_by("security__ticker")
        ),
    )


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


def target_weight_rows(
    *,
    weights: dict[int, float],
    strategy_weights: dict[int, float],
    limit: int | None = 25,
) -> list[WeightRow]:
    """Names of the target and of the strategy, largest target weight first."""
    ids = set(weights) | set(strategy_weights)
    securities = {
        row[0]: row[1:]
        for row in Security.objects.filter(pk__in=ids).values_list("pk", "ticker", "name", "sector")
    }
    rows = [
        WeightRow(
            security_id=security_id,
            ticker=securities[security_id][0],
            name=securities[security_id][1],
            sector=securities[security_id][2],
            strategy_weight=strategy_weights.get(security_id, 0.0),
            target_weight=weights.get(security_id, 0.0),
        )
        for security_id in ids
        if security_id in securities
    ]
    rows.sort(key=lambda row: (-row.target_weight, -row.strategy_weight, row.ticker))
    return rows if limit is None else rows[:limit]


def target_strategy_weights(*, target: CustomizedTarget) -> dict[int, float]:
    """The strategy version's weights behind a cached target, as fractions summing to 1."""
    pairs = ModelWeight.objects.filter(version_id=target.strategy_version_id).values_list(
        "security_id", "weight"
    )
    weights = {security_id: float(weight) for security_id, weight in pairs}
    total = sum(weights.values()) or 1.0
    return {security_id: weight / total for security_id, weight in weights.items()}


def target_weights(*, target: CustomizedTarget) -> dict[int, float]:
    return {int(security_id): float(weight) for security_id, weight in target.weights}


def access_customization(*, user, id) -> Account:  # noqa: A002
    """The account whose customization (exclusions, restrictions, concentrated positions) the
    user may read, by the account's public id; 404 when missing or not the user's."""
    return access_object(
        Account.objects.select_related("client", "strategy"), user=user, public_id=id
    )


def access_customization_for_write(*, user, id) -> Account:  # noqa: A002
    """The account whose customization the user may change (never a client login)."""
    return access_object_for_write(
        Account.objects.select_related("client", "strategy"), user=user, public_id=id
    )
