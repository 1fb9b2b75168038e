"""Reads of the ESG categories: members, hand overrides, history."""

from __future__ import annotations

from django.db.models import Count, Prefetch, QuerySet

from esg.models import CategoryMember, CategoryOverride, CategoryRule, ExclusionCategory


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
