"""Writes of the ESG categories (platform staff): rules, hand overrides and the materialized
member list each change rebuilds (`category_members_rebuild`, set-based: one read of the
security master, bulk writes). A rebuild queues the refresh of the customized targets that
exclude the category (their inputs changed)."""

from __future__ import annotations

import difflib
from collections import defaultdict
from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from esg.models import (
    CategoryMember,
    CategoryOverride,
    CategoryRule,
    ExclusionCategory,
    MemberSource,
    OverrideAction,
    RecomputeCause,
    RuleField,
)
from esg.services.target import customized_targets_refresh_queue
from esg.types import RebuildReport, RefreshCause
from pma_engine.securities import GICS_SECTORS, INDUSTRIES
from portfolios.models import Security


def _known_values() -> tuple[dict[str, str], dict[str, str]]:
    """Industries and sectors known to the engine's scheme or present in the master,
    keyed by lower case, giving the canonical spelling."""
    industries = {name.lower(): name for name in INDUSTRIES}
    for name in (
        Security.objects.filter(firm__isnull=True)
        .exclude(industry="")
        .values_list("industry", flat=True)
        .distinct()
    ):
        industries.setdefault(name.lower(), name)
    sectors = {name.lower(): name for name in GICS_SECTORS}
    return industries, sectors


def rule_value_canonical(*, field: str, value: str) -> str:
    """The canonical industry or sector name for `value` (any case); a clear error otherwise."""
    industries, sectors = _known_values()
    known = industries if field == RuleField.INDUSTRY else sectors
    cleaned = " ".join(value.split())
    if cleaned.lower() in known:
        return known[cleaned.lower()]
    close = difflib.get_close_matches(cleaned, list(known.values()), n=3, cutoff=0.5)
    hint = f" Did you mean {', '.join(close)}?" if close else ""
    raise ValidationError(f"No {field} called “{cleaned}”.{hint}")


def _names(ids: list[int], tickers: dict[int, str], limit: int = 6) -> str:
    names = sorted(tickers.get(i, "?") for i in ids)
    shown = ", ".join(names[:limit])
    return shown + (f" and {len(names) - limit} more" if len(names) > limit else "")


def curation_cause_text(
    *, added: dict[int, list[int]], removed: dict[int, list[int]], updated: set[int]
) -> str:
    """The change in plain words, per category: "Category Tobacco: PM added by platform staff".
    `added` / `removed`: category id -> security ids; `updated`: categories whose members'
    reasons changed only."""
    category_ids = set(added) | set(removed) | updated
    names = dict(ExclusionCategory.objects.filter(pk__in=category_ids).values_list("pk", "name"))
    security_ids = {i for ids in (*added.values(), *removed.values()) for i in ids}
    tickers = dict(Security.objects.filter(pk__in=security_ids).values_list("pk", "ticker"))
    parts = []
    for category_id in sorted(category_ids, key=lambda pk: names.get(pk, "")):
        changes = []
        if added.get(category_id):
            changes.append(f"{_names(added[category_id], tickers)} added")
        if removed.get(category_id):
            changes.append(f"{_names(removed[category_id], tickers)} removed")
        what = " and ".join(changes) or "member reasons updated"
        parts.append(f"Category {names.get(category_id, '?')}: {what}")
    return "; ".join(parts) + " by platform staff"


def category_members_rebuild(
    *,
    categories: Iterable[ExclusionCategory] | None = None,
    actor=None,
    audit_event=None,
) -> RebuildReport:
    """Recompute members of `categories` (default: all) from rules and overrides.

    One read of the master (id, industry, sector), one of the rules, overrides and current
    members; then bulk create, update and delete of the difference, in one transaction.
    Only the global master is screened: a firm's legacy securities never appear in a (global)
    member list. When members changed, the refresh of the targets excluding them is queued
    with the change in plain words and its curation `audit_event` (recorded here, for `actor`,
    when the caller has none: the admin's saves).
    """
    category_ids = (
        [category.pk for category in categories]
        if categories is not None
        else list(ExclusionCategory.objects.values_list("pk", flat=True))
    )
    by_value: dict[str, dict[str, list[int]]] = {
        RuleField.INDUSTRY: defaultdict(list),
        RuleField.SECTOR: defaultdict(list),
    }
    for security_id, industry, sector in Security.objects.filter(
        firm__isnull=True, is_active=True
    ).values_list("pk", "industry", "sector"):
        if industry:
            by_value[RuleField.INDUSTRY][industry].append(security_id)
        if sector:
            by_value[RuleField.SECTOR][sector].append(security_id)

    desired: dict[tuple[int, int], tuple[str, list[str]]] = {}
    for category_id, rule_field, value in CategoryRule.objects.filter(
        category_id__in=category_ids
    ).values_list("category_id", "field", "value"):
        for security_id in by_value[rule_field].get(value, ()):
            key = (category_id, security_id)
            _, reasons = desired.setdefault(key, (MemberSource.RULE, []))
            reasons.append(f"{rule_field} is {value}")
    for category_id, security_id, action, reason in CategoryOverride.objects.filter(
        category_id__in=category_ids
    ).values_list("category_id", "security_id", "action", "reason"):
        key = (category_id, security_id)
        if action == OverrideAction.EXCLUDE:
            desired.pop(key, None)
        else:
            _, reasons = desired.get(key, (MemberSource.MANUAL, []))
            desired[key] = (MemberSource.MANUAL, [*reasons, f"added by hand: {reason}"])

    wanted = {key: (source, "; ".join(reasons)[:400]) for key, (source, reasons) in desired.items()}
    with transaction.atomic():
        current = CategoryMember.objects.filter(category_id__in=category_ids).values_list(
            "pk", "category_id", "security_id", "source", "reason"
        )
        existing = {
            (category_id, security_id): (member_id, source, reason)
            for member_id, category_id, security_id, source, reason in current
        }
        to_create = [
            CategoryMember(category_id=key[0], security_id=key[1], source=source, reason=reason)
            for key, (source, reason) in wanted.items()
            if key not in existing
        ]
        to_update = [
            CategoryMember(pk=existing[key][0], source=source, reason=reason)
            for key, (source, reason) in wanted.items()
            if key in existing and existing[key][1:] != (source, reason)
        ]
        stale = [
            (key, member_id) for key, (member_id, _, _) in existing.items() if key not in wanted
        ]
        stale_ids = [member_id for _, member_id in stale]
        CategoryMember.objects.bulk_create(to_create, batch_size=1000)
        CategoryMember.objects.bulk_update(to_update, ["source", "reason"], batch_size=1000)
        for start in range(0, len(stale_ids), 900):  # stay under SQLite's variable limit
            CategoryMember.objects.filter(pk__in=stale_ids[start : start + 900]).delete()
        ExclusionCategory.objects.filter(pk__in=category_ids).update(
            members_rebuilt_at=timezone.now()
        )
        if to_create or to_update or stale_ids:  # the targets excluding them changed
            added: dict[int, list[int]] = defaultdict(list)
            removed: dict[int, list[int]] = defaultdict(list)
            for member in to_create:
                added[member.category_id].append(member.security_id)
            for (category_id, security_id), _ in stale:
                removed[category_id].append(security_id)
            category_of = {member_id: key[0] for key, (member_id, _, _) in existing.items()}
            updated = {category_of[member.pk] for member in to_update}
            text = curation_cause_text(added=added, removed=removed, updated=updated)
            if audit_event is None and actor is not None:
                audit_event = _audit(firm=None, actor=actor, kind="esg_curation", summary=text)
            customized_targets_refresh_queue(
                reason="category members changed",
                category_ids=category_ids,
                cause=RefreshCause(
                    kind=RecomputeCause.CURATION,
                    text=text,
                    audit_event_id=getattr(audit_event, "pk", None),
                    category_ids=tuple(sorted(set(added) | set(removed) | updated)),
                ),
            )
    return RebuildReport(
        categories=len(category_ids),
        members=len(wanted),
        created=len(to_create),
        updated=len(to_update),
        deleted=len(stale_ids),
    )


def category_rule_add(*, category: ExclusionCategory, field: str, value: str, actor=None):
    """Add an industry or sector rule (value checked against the master) and rebuild."""
    if field not in RuleField.values:
        raise ValidationError({"field": "Choose industry or sector."})
    try:
        canonical = rule_value_canonical(field=field, value=value)
    except ValidationError as error:
        raise ValidationError({"value": error.messages}) from error
    with transaction.atomic():
        rule = CategoryRule.objects.filter(category=category, field=field, value=canonical).first()
        if rule is None:
            rule = CategoryRule(category=category, field=field, value=canonical)
            history_user_set(rule, actor)
            rule.save()
        event = _audit(
            firm=None,
            actor=actor,
            kind="esg_curation",
            summary=f"Added the rule {field} = {canonical} to {category.name}",
        )
        category_members_rebuild(categories=[category], audit_event=event)
    return rule


def category_rule_remove(*, rule: CategoryRule, actor=None) -> None:
    category = rule.category
    with transaction.atomic():
        history_user_set(rule, actor)
        summary = f"Removed the rule {rule.field} = {rule.value} from {category.name}"
        rule.delete()
        event = _audit(firm=None, actor=actor, kind="esg_curation", summary=summary)
        category_members_rebuild(categories=[category], audit_event=event)


def category_override_add(
    *, category: ExclusionCategory, security: Security, action: str, reason: str, actor=None
) -> CategoryOverride:
    """Add (or remove) one name by hand. The reason is required and shown with the member."""
    reason = reason.strip()
    errors = {}
    if not reason:
        errors["reason"] = "Say why this name is added or removed by hand."
    if action not in OverrideAction.values:
        errors["action"] = "Choose include or exclude."
    if security.firm_id is not None:
        errors["security"] = "Only securities of the master can be category members."
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        override = CategoryOverride.objects.filter(category=category, security=security).first()
        override = override or CategoryOverride(category=category, security=security)
        override.action, override.reason = action, reason
        override.created_by = actor if getattr(actor, "pk", None) else override.created_by
        history_user_set(override, actor)
        override.save()
        event = _audit(
            firm=None,
            actor=actor,
            kind="esg_curation",
            summary=(
                f"{'Added' if action == 'include' else 'Excluded'} {security.ticker} "
                f"{'to' if action == 'include' else 'from'} {category.name} by hand: {reason}"
            ),
        )
        category_members_rebuild(categories=[category], audit_event=event)
    return override


def category_override_remove(*, override: CategoryOverride, actor=None, reason: str = "") -> None:
    """Drop a hand override (the history keeps it, with `reason` as the change reason)."""
    category = override.category
    with transaction.atomic():
        history_user_set(override, actor)
        override._change_reason = reason[:100] or "override removed"
        summary = f"Dropped the hand override of {override.security.ticker} in {category.name}"
        override.delete()
        event = _audit(firm=None, actor=actor, kind="esg_curation", summary=summary)
        category_members_rebuild(categories=[category], audit_event=event)


def history_user_set(instance, actor) -> None:
    if actor is not None and getattr(actor, "pk", None):
        instance._history_user = actor


def _audit(**event):
    from accounts.audit import audit_record

    return audit_record(**event)
