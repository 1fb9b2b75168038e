"""Writes for ESG categories and account customizations; the customized target service.

Categories (platform staff): rules and hand overrides change through these functions, each of
which rebuilds the category's materialized member list (`category_members_rebuild`, set-based:
one read of the security master, bulk writes).

Customizations (advisors): `customization_preview` validates a proposed customization and
computes what it does (names and weight removed, tracking-error cost of each exclusion alone and
of all together) without saving; `customization_save` does the same and then persists it in one
transaction, caching the customized target. Which settings are refused, merged or accepted is
documented in docs/esg.md ("Validation").
"""

from __future__ import annotations

import difflib
import hashlib
import json
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, timedelta

import numpy as np
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from accounts.models import Account
from esg.models import (
    AccountExclusion,
    CategoryMember,
    CategoryOverride,
    CategoryRule,
    ConcentratedPosition,
    CustomizationNote,
    CustomizedTarget,
    ExclusionCategory,
    MemberSource,
    OverrideAction,
    Restriction,
    RestrictionMode,
    RestrictionScope,
    RuleField,
)
from pma_engine.securities import GICS_SECTORS, INDUSTRIES, ticker_normalize
from pma_engine.target import (
    TargetInfeasibleError,
    TargetSolveError,
    exclusion_costs,
)
from portfolios.models import Security, StrategyKind, StrategyVersion
from portfolios.selectors import (
    risk_model_latest,
    risk_model_load,
    strategy_version_current,
)

ONE_DAY = timedelta(days=1)

WEIGHT_EPSILON = 1e-10
"""Weights below this are treated as zero when stored or reported (solver noise)."""

CANDIDATE_INDEX_SHARE = 0.5
"""Direct indexing and core: an index whose members carry at least this share of the strategy's
weight is the index it tracks; its unheld members may receive weight too."""


# ----------------------------------------------------------------------------------------------
# Categories: membership


@dataclass(frozen=True)
class RebuildReport:
    categories: int
    members: int
    created: int
    updated: int
    deleted: int


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


def category_members_rebuild(
    *, categories: Iterable[ExclusionCategory] | None = None
) -> RebuildReport:
    """Recompute members of `categories` (default: all) from rules and overrides.

    One read of the master (id, industry, sector), one of the rules, overrides and current
    members; then bulk create, update and delete of the difference, in one transaction.
    Only the global master is screened: a firm's legacy securities never appear in a (global)
    member list.
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
        stale_ids = [member_id for key, (member_id, _, _) in existing.items() if key not in wanted]
        CategoryMember.objects.bulk_create(to_create, batch_size=1000)
        CategoryMember.objects.bulk_update(to_update, ["source", "reason"], batch_size=1000)
        for start in range(0, len(stale_ids), 900):  # stay under SQLite's variable limit
            CategoryMember.objects.filter(pk__in=stale_ids[start : start + 900]).delete()
        ExclusionCategory.objects.filter(pk__in=category_ids).update(
            members_rebuilt_at=timezone.now()
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
            _history_user_set(rule, actor)
            rule.save()
        category_members_rebuild(categories=[category])
        _audit(
            firm=None,
            actor=actor,
            kind="esg_curation",
            summary=f"Added the rule {field} = {canonical} to {category.name}",
        )
    return rule


def category_rule_remove(*, rule: CategoryRule, actor=None) -> None:
    category = rule.category
    with transaction.atomic():
        _history_user_set(rule, actor)
        summary = f"Removed the rule {rule.field} = {rule.value} from {category.name}"
        rule.delete()
        category_members_rebuild(categories=[category])
        _audit(firm=None, actor=actor, kind="esg_curation", summary=summary)


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
        _history_user_set(override, actor)
        override.save()
        category_members_rebuild(categories=[category])
        _audit(
            firm=None,
            actor=actor,
            kind="esg_curation",
            summary=(
                f"{'Added' if action == 'include' else 'Excluded'} {security.ticker} "
                f"{'to' if action == 'include' else 'from'} {category.name} by hand: {reason}"
            ),
        )
    return override


def category_override_remove(*, override: CategoryOverride, actor=None, reason: str = "") -> None:
    """Drop a hand override (the history keeps it, with `reason` as the change reason)."""
    category = override.category
    with transaction.atomic():
        _history_user_set(override, actor)
        override._change_reason = reason[:100] or "override removed"
        summary = f"Dropped the hand override of {override.security.ticker} in {category.name}"
        override.delete()
        category_members_rebuild(categories=[category])
        _audit(firm=None, actor=actor, kind="esg_curation", summary=summary)


def _history_user_set(instance, actor) -> None:
    if actor is not None and getattr(actor, "pk", None):
        instance._history_user = actor


# ----------------------------------------------------------------------------------------------
# Customizations: input, validation


@dataclass(frozen=True)
class RestrictionInput:
    """One restriction as an advisor enters it (page form row or API item)."""

    scope: str
    mode: str
    ticker: str = ""
    value: str = ""
    effective_from: date | None = None
    effective_to: date | None = None
    reason: str = ""
    row: int | None = None  # the row number the advisor sees, if not the position in the list


@dataclass(frozen=True)
class ConcentratedPositionInput:
    ticker: str
    note: str = ""
    row: int | None = None


@dataclass(frozen=True)
class CustomizationInput:
    """A whole customization: what the page form and the API send."""

    category_slugs: tuple[str, ...] = ()
    restrictions: tuple[RestrictionInput, ...] = ()
    concentrated_positions: tuple[ConcentratedPositionInput, ...] = ()


@dataclass(frozen=True)
class ResolvedRestriction:
    scope: str
    mode: str
    security: Security | None
    value: str
    effective_from: date
    effective_to: date | None
    reason: str
    rows: tuple[int, ...]  # 1-based input rows merged into this one

    @property
    def key(self) -> tuple[str, int | None, str]:
        return (self.scope, self.security.pk if self.security else None, self.value)

    @property
    def target_label(self) -> str:
        if self.security is not None:
            return self.security.ticker
        return f"{self.scope} {self.value}"

    @property
    def label(self) -> str:
        return f"{RestrictionMode(self.mode).label}: {self.target_label}"

    def is_effective_on(self, day: date) -> bool:
        return self.effective_from <= day and (
            self.effective_to is None or day <= self.effective_to
        )


@dataclass(frozen=True)
class ResolvedConcentratedPosition:
    security: Security
    note: str

    @property
    def label(self) -> str:
        industry = f" and its industry ({self.security.industry})" if self.security.industry else ""
        return f"Concentrated position: {self.security.ticker}{industry}"


@dataclass(frozen=True)
class ResolvedCustomization:
    categories: tuple[ExclusionCategory, ...]
    restrictions: tuple[ResolvedRestriction, ...]
    concentrated_positions: tuple[ResolvedConcentratedPosition, ...]
    notes: tuple[str, ...] = ()


def _securities_by_ticker(*, firm_id: int, tickers: Iterable[str]) -> dict[str, Security]:
    """Master securities, and the firm's own legacy ones, by ticker (the master wins)."""
    wanted = {ticker for ticker in tickers if ticker}
    found: dict[str, Security] = {}
    if not wanted:
        return found
    for security in Security.objects.filter(
        Q(firm__isnull=True) | Q(firm_id=firm_id), ticker__in=wanted
    ):
        if security.ticker not in found or security.firm_id is None:
            found[security.ticker] = security
    return found


def customization_resolve(
    *, account, data: CustomizationInput, today: date
) -> ResolvedCustomization:
    """Check every row and name it in the error; merge duplicates. Nothing is written."""
    errors: dict[str, list[str]] = defaultdict(list)
    notes: list[str] = []

    slugs = list(dict.fromkeys(slug.strip() for slug in data.category_slugs if slug.strip()))
    categories = {
        category.slug: category
        for category in ExclusionCategory.objects.filter(slug__in=slugs, is_active=True)
    }
    for slug in slugs:
        if slug not in categories:
            errors["categories"].append(f"No ESG category “{slug}”.")

    tickers = [ticker_normalize(row.ticker) for row in data.restrictions] + [
        ticker_normalize(row.ticker) for row in data.concentrated_positions
    ]
    securities = _securities_by_ticker(firm_id=account.firm_id, tickers=tickers)
    industries, sectors = _known_values()

    resolved_rows: list[ResolvedRestriction] = []
    for position, row in enumerate(data.restrictions, start=1):
        number = row.row or position
        where = f"Restriction row {number}"
        row_errors = []
        if row.scope not in RestrictionScope.values:
            row_errors.append(f"{where}, scope: choose security, industry or sector.")
        if row.mode not in RestrictionMode.values:
            row_errors.append(f"{where}, mode: choose do not buy or do not hold.")
        security, value = None, ""
        if row.scope == RestrictionScope.SECURITY:
            ticker = ticker_normalize(row.ticker)
            if not ticker:
                row_errors.append(f"{where}, ticker: enter the ticker to restrict.")
            elif ticker not in securities:
                row_errors.append(f"{where}, ticker: no security with ticker “{ticker}”.")
            else:
                security = securities[ticker]
        elif row.scope in (RestrictionScope.INDUSTRY, RestrictionScope.SECTOR):
            known = industries if row.scope == RestrictionScope.INDUSTRY else sectors
            cleaned = " ".join((row.value or row.ticker).split())
            if not cleaned:
                row_errors.append(f"{where}, value: enter the {row.scope} to restrict.")
            elif cleaned.lower() not in known:
                close = difflib.get_close_matches(cleaned, list(known.values()), n=2, cutoff=0.5)
                hint = f" (did you mean {' or '.join(close)}?)" if close else ""
                row_errors.append(f"{where}, value: no {row.scope} called “{cleaned}”{hint}.")
            else:
                value = known[cleaned.lower()]
        starts = row.effective_from or today
        if row.effective_to is not None and row.effective_to < starts:
            row_errors.append(
                f"{where}, effective_to: it ends ({row.effective_to}) before it starts ({starts})."
            )
        if row_errors:
            errors["restrictions"].extend(row_errors)
            continue
        resolved_rows.append(
            ResolvedRestriction(
                scope=row.scope,
                mode=row.mode,
                security=security,
                value=value,
                effective_from=starts,
                effective_to=row.effective_to,
                reason=row.reason.strip()[:300],
                rows=(number,),
            )
        )

    positions: dict[int, ResolvedConcentratedPosition] = {}
    for position, row in enumerate(data.concentrated_positions, start=1):
        number = row.row or position
        ticker = ticker_normalize(row.ticker)
        where = f"Concentrated position row {number}, ticker"
        if not ticker:
            errors["concentrated_positions"].append(f"{where}: enter the ticker.")
        elif ticker not in securities:
            errors["concentrated_positions"].append(f"{where}: no security with ticker “{ticker}”.")
        else:
            security = securities[ticker]
            if security.pk in positions:
                notes.append(f"{ticker} was marked as a concentrated position twice: kept once.")
            positions[security.pk] = ResolvedConcentratedPosition(
                security=security, note=row.note.strip()[:300]
            )

    if errors:
        raise ValidationError(dict(errors))

    merged = _restrictions_merge(resolved_rows, notes)
    return ResolvedCustomization(
        categories=tuple(categories[slug] for slug in slugs),
        restrictions=tuple(merged),
        concentrated_positions=tuple(positions.values()),
        notes=tuple(notes),
    )


def _restrictions_merge(
    rows: Sequence[ResolvedRestriction], notes: list[str]
) -> list[ResolvedRestriction]:
    """Restrictions on the same thing become one when they agree: same mode, periods that
    overlap or touch (the earliest start, the latest end, reasons joined; a note says so).

    Refused, naming both rows: the same thing as do not buy (keep what is held) and as do not
    hold (sell), which contradict each other; or twice in the same mode for periods with a gap
    between them (one restriction per security, industry or sector is kept, and merging would
    restrict the gap too)."""
    merged: dict[tuple, ResolvedRestriction] = {}
    errors: list[str] = []
    for row in rows:
        existing = merged.get(row.key)
        if existing is None:
            merged[row.key] = row
            continue
        rows_text = " and ".join(str(number) for number in (*existing.rows, *row.rows))
        if existing.mode != row.mode:
            errors.append(
                f"Restriction rows {rows_text}, mode: they contradict each other: "
                f"{row.target_label} would be both do not buy (keep what is held) and do not "
                "hold (sell). Keep one of the rows."
            )
            continue
        if not _periods_touch(existing, row):
            errors.append(
                f"Restriction rows {rows_text}, effective dates: both restrict "
                f"{row.target_label} ({RestrictionMode(row.mode).label.lower()}) for periods with "
                "a gap between them; one restriction per security, industry or sector is kept. "
                "Enter one period."
            )
            continue
        ends = (
            None
            if existing.effective_to is None or row.effective_to is None
            else max(existing.effective_to, row.effective_to)
        )
        reasons = "; ".join(dict.fromkeys(r for r in (existing.reason, row.reason) if r))
        combined = replace(
            existing,
            effective_from=min(existing.effective_from, row.effective_from),
            effective_to=ends,
            reason=reasons[:300],
            rows=(*existing.rows, *row.rows),
        )
        merged[row.key] = combined
        notes.append(
            f"Restriction rows {rows_text} both restrict {row.target_label}: merged into one "
            f"({RestrictionMode(row.mode).label.lower()})."
        )
    if errors:
        raise ValidationError({"restrictions": errors})
    return list(merged.values())


def _periods_touch(first: ResolvedRestriction, second: ResolvedRestriction) -> bool:
    """Whether two restriction periods overlap or follow each other without a gap."""
    earlier, later = sorted((first, second), key=lambda r: r.effective_from)
    return earlier.effective_to is None or later.effective_from <= earlier.effective_to + ONE_DAY


# ----------------------------------------------------------------------------------------------
# The customized target


@dataclass(frozen=True)
class ExclusionLine:
    """One exclusion (or all together) as the advisor sees it."""

    label: str
    kind: str  # "category", "restriction", "concentrated", "total"
    names_removed: int
    weight_removed: float
    tracking_error: float | None
    pro_rata_tracking_error: float | None
    removed_tickers: tuple[str, ...] = ()
    in_force: bool = True
    note: str = ""

    def as_dict(self) -> dict:
        return {
            "label": self.label,
            "kind": self.kind,
            "names_removed": self.names_removed,
            "weight_removed": self.weight_removed,
            "tracking_error": self.tracking_error,
            "pro_rata_tracking_error": self.pro_rata_tracking_error,
            "removed_tickers": list(self.removed_tickers),
            "in_force": self.in_force,
            "note": self.note,
        }


@dataclass(frozen=True)
class WeightRow:
    security_id: int
    ticker: str
    name: str
    sector: str
    strategy_weight: float
    target_weight: float

    @property
    def difference(self) -> float:
        return self.target_weight - self.strategy_weight


@dataclass(frozen=True)
class TargetPreview:
    """What a customization does to an account's target. `problem` explains missing figures
    (no strategy, no risk model); the lines are then partial or empty."""

    as_of: date
    strategy_version: StrategyVersion | None = None
    risk_model_id: int | None = None
    lines: tuple[ExclusionLine, ...] = ()
    total: ExclusionLine | None = None
    weights: dict[int, float] = field(default_factory=dict)  # security id -> target weight
    strategy_weights: dict[int, float] = field(default_factory=dict)
    removed: tuple[tuple[str, str, float, str], ...] = ()  # ticker, name, weight, because
    inputs_hash: str = ""
    solver: str = ""
    problem: str = ""
    notes: tuple[str, ...] = ()

    @property
    def has_figures(self) -> bool:
        return self.total is not None and self.total.tracking_error is not None


def risk_model_current_with_id():
    """(RiskModel row id, FactorRiskModel) of the newest risk model, or (None, None)."""
    row = risk_model_latest()
    if row is None:
        return None, None
    return row.pk, risk_model_load(row_id=row.pk)


@dataclass
class _Universe:
    """The names a target is computed over: the strategy's holdings and its candidates."""

    securities: list[tuple[int, str, str, str, str]]  # id, ticker, name, industry, sector
    benchmark: np.ndarray
    position: dict[int, int]  # security id -> row

    def mask(self, security_ids: Iterable[int]) -> np.ndarray:
        mask = np.zeros(len(self.securities), dtype=bool)
        rows = [self.position[i] for i in security_ids if i in self.position]
        mask[rows] = True
        return mask


def _universe_build(version: StrategyVersion) -> _Universe:
    """Holdings of the version; for direct indexing and core also the unheld members of the
    index the strategy tracks (the index holding most of its weight), as candidates."""
    holdings = list(
        version.weights.filter(weight__gt=0).values_list(
            "security_id",
            "security__ticker",
            "security__name",
            "security__industry",
            "security__sector",
            "security__indices",
            "weight",
        )
    )
    if not holdings:
        raise ValidationError(f"{version} has no model weights yet.")
    weight_by_id = {row[0]: float(row[6]) for row in holdings}
    securities = [row[:5] for row in holdings]
    if version.strategy.kind in (StrategyKind.DIRECT_INDEX, StrategyKind.CORE):
        index_weight: dict[str, float] = defaultdict(float)
        for row in holdings:
            for index_name in filter(None, (name.strip() for name in row[5].split(","))):
                index_weight[index_name] += float(row[6])
        total = sum(weight_by_id.values())
        tracked = [
            name for name, weight in index_weight.items() if weight >= CANDIDATE_INDEX_SHARE * total
        ]
        if tracked:
            index_filter = Q()
            for name in tracked:
                index_filter |= Q(indices__contains=name)
            securities += list(
                Security.objects.filter(index_filter, firm__isnull=True, is_active=True)
                .exclude(pk__in=list(weight_by_id))
                .values_list("pk", "ticker", "name", "industry", "sector")
            )
    securities.sort(key=lambda row: row[1])
    benchmark = np.array([weight_by_id.get(row[0], 0.0) for row in securities])
    return _Universe(
        securities=securities,
        benchmark=benchmark / benchmark.sum(),
        position={row[0]: index for index, row in enumerate(securities)},
    )


@dataclass(frozen=True)
class _Setting:
    """One exclusion setting over the universe: its label, kind, mask and whether it applies."""

    label: str
    kind: str
    mask: np.ndarray
    in_force: bool
    note: str
    restriction: ResolvedRestriction | None


def _settings_build(
    resolved: ResolvedCustomization, universe: _Universe, as_of: date
) -> list[_Setting]:
    """Each category, restriction and concentrated position as a mask, in display order."""
    ids_by_industry: dict[str, set[int]] = defaultdict(set)
    ids_by_sector: dict[str, set[int]] = defaultdict(set)
    for security_id, _, _, industry, sector in universe.securities:
        ids_by_industry[industry].add(security_id)
        ids_by_sector[sector].add(security_id)
    members: dict[int, set[int]] = defaultdict(set)
    if resolved.categories:
        for category_id, security_id in CategoryMember.objects.filter(
            category__in=[category.pk for category in resolved.categories],
            security_id__in=list(universe.position),
        ).values_list("category_id", "security_id"):
            members[category_id].add(security_id)

    raw: list[tuple[str, str, set[int], ResolvedRestriction | None]] = []
    for category in resolved.categories:
        raw.append((category.name, "category", members[category.pk], None))
    for restriction in resolved.restrictions:
        if restriction.scope == RestrictionScope.SECURITY:
            ids = {restriction.security.pk}
        elif restriction.scope == RestrictionScope.INDUSTRY:
            ids = ids_by_industry.get(restriction.value, set())
        else:
            ids = ids_by_sector.get(restriction.value, set())
        raw.append((restriction.label, "restriction", ids, restriction))
    for position in resolved.concentrated_positions:
        ids = {position.security.pk}
        if position.security.industry:
            ids = ids | ids_by_industry.get(position.security.industry, set())
        raw.append((position.label, "concentrated", ids, None))

    settings: list[_Setting] = []
    seen: set[str] = set()
    for label, kind, ids, restriction in raw:
        while label in seen:  # labels key the engine's report
            label += " (again)"
        seen.add(label)
        in_force, note = True, ""
        if restriction is not None and not restriction.is_effective_on(as_of):
            in_force = False
            when = (
                f"starts {restriction.effective_from}"
                if restriction.effective_from > as_of
                else f"ended {restriction.effective_to}"
            )
            note = f"not in force on {as_of}: {when}"
        settings.append(_Setting(label, kind, universe.mask(ids), in_force, note, restriction))
    return settings


@dataclass
class _Prepared:
    """Everything a target solve needs, and the digest that keys the cache."""

    version: StrategyVersion
    universe: _Universe
    settings: list[_Setting]
    combined: np.ndarray
    risk_model_id: int | None
    risk_model: object | None
    inputs_hash: str


def _target_prepare(*, account, resolved: ResolvedCustomization, as_of: date):
    """The universe, the masks and the cache key; refuses customizations that leave nothing.

    Returns a TargetPreview carrying the problem instead when there is no strategy (version).
    """
    strategy = account.strategy
    if strategy is None:
        return TargetPreview(
            as_of=as_of,
            problem="Choose a strategy for this account to see its customized target.",
            notes=resolved.notes,
        )
    version = strategy_version_current(strategy=strategy, on=as_of)
    if version is None:
        return TargetPreview(
            as_of=as_of,
            problem=f"{strategy} has no model weights in force on {as_of}.",
            notes=resolved.notes,
        )
    universe = _universe_build(version)
    held = universe.benchmark > 0
    settings = _settings_build(resolved, universe, as_of)
    for setting in settings:
        if setting.in_force and not (held & ~setting.mask).any():
            restriction = setting.restriction
            if restriction is not None and restriction.scope != RestrictionScope.SECURITY:
                raise ValidationError(
                    {
                        "restrictions": (
                            f"{setting.label} covers the whole of {strategy.name}: every name "
                            f"it holds is in {restriction.target_label}. The account could not "
                            "follow the strategy; restrict less or choose another strategy."
                        )
                    }
                )
            raise ValidationError(
                f"{setting.label} excludes every name {strategy.name} holds: nothing would be "
                "left to hold."
            )
    combined = np.zeros(len(universe.securities), dtype=bool)
    for setting in settings:
        if setting.in_force:
            combined |= setting.mask
    if not (held & ~combined).any():
        raise ValidationError(
            f"Together these settings exclude every name {strategy.name} holds "
            f"({int(held.sum())} names): nothing would be left to hold."
        )
    risk_model_id, risk_model = risk_model_current_with_id()
    digest = hashlib.sha256(
        json.dumps(
            {
                "version": version.pk,
                "risk_model": risk_model_id,
                "universe": [row[0] for row in universe.securities],
                "benchmark": [round(float(w), 12) for w in universe.benchmark],
                "exclusions": [
                    [s.label, [int(i) for i in np.flatnonzero(s.mask)]]
                    for s in settings
                    if s.in_force
                ],
            },
            sort_keys=True,
        ).encode()
    ).hexdigest()
    return _Prepared(version, universe, settings, combined, risk_model_id, risk_model, digest)


def _removed(universe: _Universe, mask: np.ndarray) -> tuple[int, float, tuple[str, ...]]:
    """Strategy holdings inside `mask`: count, total strategy weight, tickers."""
    hit = np.flatnonzero(mask & (universe.benchmark > 0))
    tickers = tuple(universe.securities[row][1] for row in hit)
    return len(hit), float(universe.benchmark[hit].sum()), tickers


def _removed_rows(prepared: _Prepared) -> tuple[tuple[str, str, float, str], ...]:
    """Strategy holdings the customization removes, heaviest first, with the settings that
    remove each one."""
    universe = prepared.universe
    held = universe.benchmark > 0
    because: dict[int, list[str]] = defaultdict(list)
    for setting in prepared.settings:
        if setting.in_force:
            for row in np.flatnonzero(setting.mask & held):
                because[int(row)].append(setting.label)
    rows = [
        (
            universe.securities[row][1],
            universe.securities[row][2],
            float(universe.benchmark[row]),
            ", ".join(because[int(row)]),
        )
        for row in np.flatnonzero(prepared.combined & held)
    ]
    rows.sort(key=lambda item: -item[2])
    return tuple(rows)


def _target_solve(*, account, prepared: _Prepared, as_of: date, notes=()) -> TargetPreview:
    """The engine's exclusion costs (each setting alone, all together) and the target."""
    universe = prepared.universe
    strategy_weights = {
        row[0]: float(weight)
        for row, weight in zip(universe.securities, universe.benchmark, strict=True)
        if weight > 0
    }
    report = None
    model = prepared.risk_model
    if model is not None:
        tickers = [row[1] for row in universe.securities]
        risk = model.reindex(tickers, sectors={row[1]: row[4] for row in universe.securities})
        try:
            report = exclusion_costs(
                benchmark_weights=universe.benchmark,
                exclusions={s.label: s.mask for s in prepared.settings if s.in_force},
                exposures=risk.exposures,
                factor_cov=risk.factor_cov,
                specific_var=risk.specific_var,
                candidates=np.ones(len(tickers), dtype=bool),
            )
        except TargetInfeasibleError as error:
            raise ValidationError(f"No customized target is possible: {error}.") from error
        except TargetSolveError as error:  # a solver failure is ours, not the advisor's
            raise RuntimeError(f"customized target of account {account.pk}: {error}") from error
    costs = {cost.name: cost for cost in report.by_exclusion} if report else {}
    lines = []
    for setting in prepared.settings:
        count, weight, removed_tickers = _removed(universe, setting.mask)
        cost = costs.get(setting.label)
        lines.append(
            ExclusionLine(
                label=setting.label,
                kind=setting.kind,
                names_removed=count,
                weight_removed=weight,
                tracking_error=cost.tracking_error if cost else None,
                pro_rata_tracking_error=cost.pro_rata_tracking_error if cost else None,
                removed_tickers=removed_tickers,
                in_force=setting.in_force,
                note=setting.note,
            )
        )
    count, weight, removed_tickers = _removed(universe, prepared.combined)
    target = report.combined.target if report else None
    total = ExclusionLine(
        label="All together",
        kind="total",
        names_removed=count,
        weight_removed=weight,
        tracking_error=target.tracking_error if target else None,
        pro_rata_tracking_error=target.pro_rata_tracking_error if target else None,
        removed_tickers=removed_tickers,
    )
    weights = (
        {
            row[0]: float(value)
            for row, value in zip(universe.securities, target.weights, strict=True)
            if value > WEIGHT_EPSILON
        }
        if target
        else {}
    )
    return TargetPreview(
        as_of=as_of,
        strategy_version=prepared.version,
        risk_model_id=prepared.risk_model_id,
        lines=tuple(lines),
        total=total,
        weights=weights,
        strategy_weights=strategy_weights,
        removed=_removed_rows(prepared),
        inputs_hash=prepared.inputs_hash,
        solver=target.solver if target else "",
        problem=""
        if target
        else "No risk model yet: tracking-error figures need one (platform staff build it).",
        notes=tuple(notes),
    )


def customized_target_compute(
    *, account, resolved: ResolvedCustomization, as_of: date
) -> TargetPreview:
    """Masks from the customization, the engine's exclusion costs, the target. No writes.

    Raises ValidationError when the customization leaves nothing of the strategy or no
    feasible target; the message names the setting responsible.
    """
    prepared = _target_prepare(account=account, resolved=resolved, as_of=as_of)
    _contradictions_check(
        resolved=resolved,
        as_of=as_of,
        prepared=None if isinstance(prepared, TargetPreview) else prepared,
    )
    if isinstance(prepared, TargetPreview):
        return prepared
    return _target_solve(account=account, prepared=prepared, as_of=as_of, notes=resolved.notes)


_Span = tuple[str, date, date | None, set[int]]
"""A setting's label, its first and last day (None: open) and the security ids it covers."""


def _contradictions_check(
    *, resolved: ResolvedCustomization, as_of: date, prepared: _Prepared | None
) -> None:
    """Refuse a customization that both keeps and sells the same name in the same period.

    Keeping: a do-not-buy restriction (keep what is held, buy no more). Selling: a do-not-hold
    restriction, an excluded category (its members are not held) and a concentrated position
    itself (sold down); a concentrated position's industry is only not bought, so it never
    contradicts. Names are those of the strategy's universe that each setting covers, plus the
    security a security restriction or a concentrated position names (held outside the
    strategy, e.g. employer stock). Categories and concentrated positions apply from `as_of`.
    """
    tickers: dict[int, str] = {}
    covered_by_restriction: dict[int, set[int]] = {}  # id(restriction) -> universe ids
    sells: list[_Span] = []
    keeps: list[_Span] = []
    if prepared is not None:
        universe = prepared.universe
        tickers = {row[0]: row[1] for row in universe.securities}
        for setting in prepared.settings:
            ids = {universe.securities[row][0] for row in np.flatnonzero(setting.mask)}
            if setting.restriction is not None:
                covered_by_restriction[id(setting.restriction)] = ids
            elif setting.kind == "category":
                sells.append((setting.label, as_of, None, ids))
    for restriction in resolved.restrictions:
        ids = set(covered_by_restriction.get(id(restriction), ()))
        if restriction.security is not None:
            ids.add(restriction.security.pk)
            tickers[restriction.security.pk] = restriction.security.ticker
        entry = (restriction.label, restriction.effective_from, restriction.effective_to, ids)
        (keeps if restriction.mode == RestrictionMode.DO_NOT_BUY else sells).append(entry)
    for position in resolved.concentrated_positions:
        tickers[position.security.pk] = position.security.ticker
        label = f"Concentrated position: {position.security.ticker}"
        sells.append((label, as_of, None, {position.security.pk}))

    def overlap(first_from, first_to, second_from, second_to) -> bool:
        return (first_to is None or second_from <= first_to) and (
            second_to is None or first_from <= second_to
        )

    errors = []
    for keep_label, keep_from, keep_to, keep_ids in keeps:
        for sell_label, sell_from, sell_to, sell_ids in sells:
            both = keep_ids & sell_ids
            if not both or not overlap(keep_from, keep_to, sell_from, sell_to):
                continue
            names = sorted(tickers.get(security_id, "?") for security_id in both)
            shown = ", ".join(names[:5]) + (f" and {len(names) - 5} more" if len(names) > 5 else "")
            errors.append(
                f"“{keep_label}” contradicts “{sell_label}”: {shown} would be both kept "
                "(do not buy) and sold. Remove one of them, or make the restriction do not hold."
            )
    if errors:
        raise ValidationError({"restrictions": errors})


def customization_preview(*, account, data: CustomizationInput, today: date | None = None):
    """Validate a proposed customization and compute its effect, without saving anything."""
    as_of = today or timezone.localdate()
    resolved = customization_resolve(account=account, data=data, today=as_of)
    return customized_target_compute(account=account, resolved=resolved, as_of=as_of)


def customization_save(
    *, account, actor, data: CustomizationInput, today: date | None = None
) -> TargetPreview:
    """Validate, compute, and persist the customization and its target, all or nothing."""
    as_of = today or timezone.localdate()
    with transaction.atomic():
        # Two advisors saving the same account at once: the second waits, then replaces.
        Account.objects.select_for_update().filter(pk=account.pk).first()
        resolved = customization_resolve(account=account, data=data, today=as_of)
        preview = customized_target_compute(account=account, resolved=resolved, as_of=as_of)
        _customization_store(account=account, actor=actor, resolved=resolved)
        if preview.has_figures:
            _target_store(account=account, preview=preview)
        _audit(
            firm=account.firm_id,
            actor=actor,
            kind="customization",
            account=account,
            summary=(
                f"Saved the customization of {account.name}: "
                f"{len(resolved.categories)} ESG category(ies), "
                f"{len(resolved.restrictions)} restriction(s), "
                f"{len(resolved.concentrated_positions)} concentrated position(s)"
            ),
        )
    return preview


def _audit(**event) -> None:
    from accounts.audit import audit_record

    audit_record(**event)


def customization_clear(*, account, actor) -> None:
    """Remove every category, restriction and concentrated position of the account."""
    with transaction.atomic():
        Account.objects.select_for_update().filter(pk=account.pk).first()
        _customization_store(
            account=account,
            actor=actor,
            resolved=ResolvedCustomization(
                categories=(), restrictions=(), concentrated_positions=()
            ),
        )
        CustomizedTarget.objects.filter(account=account).delete()
        _audit(
            firm=account.firm_id,
            actor=actor,
            kind="customization",
            account=account,
            summary=f"Cleared the customization of {account.name}",
        )


def _customization_store(*, account, actor, resolved: ResolvedCustomization) -> None:
    firm_id = account.firm_id
    wanted_categories = {category.pk for category in resolved.categories}
    for exclusion in AccountExclusion.objects.filter(account=account):
        if exclusion.category_id not in wanted_categories:
            _history_user_set(exclusion, actor)
            exclusion.delete()
        else:
            wanted_categories.discard(exclusion.category_id)
    for category_id in sorted(wanted_categories):
        exclusion = AccountExclusion(firm_id=firm_id, account=account, category_id=category_id)
        _history_user_set(exclusion, actor)
        exclusion.save()

    wanted = {restriction.key: restriction for restriction in resolved.restrictions}
    for existing in Restriction.objects.filter(account=account):
        key = (existing.scope, existing.security_id, existing.value)
        restriction = wanted.pop(key, None)
        _history_user_set(existing, actor)
        if restriction is None:
            existing.delete()
            continue
        fields = {
            "mode": restriction.mode,
            "effective_from": restriction.effective_from,
            "effective_to": restriction.effective_to,
            "reason": restriction.reason,
        }
        if any(getattr(existing, name) != value for name, value in fields.items()):
            for name, value in fields.items():
                setattr(existing, name, value)
            existing.save()
    for restriction in wanted.values():
        row = Restriction(
            firm_id=firm_id,
            account=account,
            scope=restriction.scope,
            security=restriction.security,
            value=restriction.value,
            mode=restriction.mode,
            effective_from=restriction.effective_from,
            effective_to=restriction.effective_to,
            reason=restriction.reason,
            created_by=actor if getattr(actor, "pk", None) else None,
        )
        _history_user_set(row, actor)
        row.save()

    positions = {position.security.pk: position for position in resolved.concentrated_positions}
    for existing in ConcentratedPosition.objects.filter(account=account):
        position = positions.pop(existing.security_id, None)
        _history_user_set(existing, actor)
        if position is None:
            existing.delete()
        elif existing.note != position.note:
            existing.note = position.note
            existing.save()
    for position in positions.values():
        row = ConcentratedPosition(
            firm_id=firm_id, account=account, security=position.security, note=position.note
        )
        _history_user_set(row, actor)
        row.save()

    CustomizationNote.objects.update_or_create(
        account=account,
        defaults={
            "firm_id": firm_id,
            "saved_by": actor if getattr(actor, "pk", None) else None,
            "saved_at": timezone.now(),
        },
    )


def _target_store(*, account, preview: TargetPreview) -> CustomizedTarget:
    total = preview.total
    assert total is not None and total.tracking_error is not None
    target, _ = CustomizedTarget.objects.update_or_create(
        account=account,
        strategy_version=preview.strategy_version,
        defaults={
            "firm_id": account.firm_id,
            "risk_model_id": preview.risk_model_id,
            "inputs_hash": preview.inputs_hash,
            "as_of": preview.as_of,
            "weights": [
                [security_id, round(weight, 10)]
                for security_id, weight in sorted(preview.weights.items(), key=lambda i: -i[1])
            ],
            "tracking_error": total.tracking_error,
            "pro_rata_tracking_error": total.pro_rata_tracking_error,
            "costs": [line.as_dict() for line in preview.lines],
            "names_removed": total.names_removed,
            "weight_removed": total.weight_removed,
            "solver": preview.solver,
            "computed_at": timezone.now(),
        },
    )
    return target


def customization_stored(*, account) -> ResolvedCustomization:
    """The account's saved customization, in the resolved form the target service takes."""
    return ResolvedCustomization(
        categories=tuple(
            exclusion.category
            for exclusion in AccountExclusion.objects.filter(account=account).select_related(
                "category"
            )
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
            for row in Restriction.objects.filter(account=account).select_related("security")
        ),
        concentrated_positions=tuple(
            ResolvedConcentratedPosition(security=row.security, note=row.note)
            for row in ConcentratedPosition.objects.filter(account=account).select_related(
                "security"
            )
        ),
    )


@dataclass(frozen=True)
class TargetState:
    """The account's customized target (cached row, refreshed if its inputs changed), the
    preview it came from (None when it was fresh in the cache), or why there is none."""

    target: CustomizedTarget | None
    preview: TargetPreview | None
    problem: str = ""


def customized_target_refresh(*, account, today: date | None = None) -> TargetState:
    """The cached target if its inputs are unchanged; otherwise recompute and store it.

    The cache key (strategy version, risk model, the names each setting removes) is computed
    without solving; the solver runs only when it changed. Nothing is written without a
    strategy and a risk model.
    """
    as_of = today or timezone.localdate()
    resolved = customization_stored(account=account)
    try:
        prepared = _target_prepare(account=account, resolved=resolved, as_of=as_of)
        if isinstance(prepared, TargetPreview):
            return TargetState(target=None, preview=prepared, problem=prepared.problem)
        cached = CustomizedTarget.objects.filter(
            account=account, strategy_version=prepared.version
        ).first()
        if cached is not None and cached.inputs_hash == prepared.inputs_hash:
            return TargetState(target=cached, preview=None)
        preview = _target_solve(account=account, prepared=prepared, as_of=as_of)
    except ValidationError as error:
        return TargetState(target=None, preview=None, problem=" ".join(error.messages))
    if not preview.has_figures:
        return TargetState(target=None, preview=preview, problem=preview.problem)
    return TargetState(target=_target_store(account=account, preview=preview), preview=preview)
