"""Reads behind the customized target: its inputs (universe, masks, digest) and its stored state.

`target_prepare` loads everything a solve needs without solving; `customized_target_state` is
what pages and the API show: the stored target, marked stale (with the reasons) when its inputs
changed since it was computed. Neither writes nor runs the optimizer; recomputing is the job
`customized_targets_refresh` or an explicit POST (esg.services.target).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date

import numpy as np
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils import timezone

from esg.models import CategoryMember, CustomizedTarget, RestrictionScope
from esg.selectors.customization import customization_stored
from esg.types import (
    ResolvedCustomization,
    ResolvedRestriction,
    TargetPreview,
    TargetState,
    WeightRow,
)
from pma_engine.customization import (
    concentrated_mask,
    inputs_changes,
    inputs_digest,
    inputs_parts,
    labels_unique,
    scope_mask,
)
from pma_engine.universe import Universe
from portfolios.models import ModelWeight, RiskModel, Security, StrategyKind, StrategyVersion
from portfolios.selectors import risk_model_latest, strategy_version_current

CANDIDATE_INDEX_SHARE = 0.5
"""Direct indexing and core: an index whose members carry at least this share of the strategy's
weight is the index it tracks; its unheld members may receive weight too."""


@dataclass(frozen=True)
class TargetUniverse:
    """The names a target is computed over: the strategy's holdings and its candidates."""

    universe: Universe
    names: tuple[str, ...]
    benchmark: np.ndarray  # the strategy's weights, in universe order, summing to 1

    @property
    def held(self) -> np.ndarray:
        return self.benchmark > 0


def target_universe_load(version: StrategyVersion) -> TargetUniverse:
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
    return TargetUniverse(
        universe=Universe(
            ids=np.array([row[0] for row in securities], dtype=np.int64),
            tickers=tuple(row[1] for row in securities),
            sectors=tuple(row[4] for row in securities),
            industries=tuple(row[3] for row in securities),
        ),
        names=tuple(row[2] for row in securities),
        benchmark=benchmark / benchmark.sum(),
    )


@dataclass(frozen=True)
class Setting:
    """One exclusion setting over the universe: its key (ids, what the engine and the digest
    see), its label (what people see), kind, mask and whether it applies."""

    key: str
    label: str
    kind: str
    mask: np.ndarray
    in_force: bool
    note: str
    restriction: ResolvedRestriction | None


def settings_build(
    resolved: ResolvedCustomization, target_universe: TargetUniverse, as_of: date
) -> list[Setting]:
    """Each category, restriction and concentrated position as a mask, in display order."""
    universe = target_universe.universe
    members: dict[int, set[int]] = defaultdict(set)
    if resolved.categories:
        for category_id, security_id in CategoryMember.objects.filter(
            category__in=[category.pk for category in resolved.categories],
            security_id__in=universe.ids.tolist(),
        ).values_list("category_id", "security_id"):
            members[category_id].add(security_id)

    raw: list[tuple[str, str, str, np.ndarray, ResolvedRestriction | None]] = []
    for category in resolved.categories:
        mask = universe.mask(members[category.pk])
        raw.append((f"category:{category.pk}", category.name, "category", mask, None))
    for restriction in resolved.restrictions:
        mask = scope_mask(
            universe,
            scope=restriction.scope,
            security_id=restriction.security.pk if restriction.security else None,
            value=restriction.value,
        )
        scope, security_id, value = restriction.key
        key = f"restriction:{scope}:{security_id or ''}:{value}"
        raw.append((key, restriction.label, "restriction", mask, restriction))
    for position in resolved.concentrated_positions:
        mask = concentrated_mask(
            universe, security_id=position.security.pk, industry=position.security.industry
        )
        key = f"concentrated:{position.security.pk}"
        raw.append((key, position.label, "concentrated", mask, None))

    settings: list[Setting] = []
    labels = labels_unique(row[1] for row in raw)  # two settings may read alike
    for label, (key, _, kind, mask, restriction) in zip(labels, raw, strict=True):
        in_force, note = True, ""
        if restriction is not None and not restriction.is_effective_on(as_of):
            in_force = False
            when = (
                f"starts {restriction.effective_from}"
                if restriction.effective_from > as_of
                else f"ended {restriction.effective_to}"
            )
            note = f"not in force on {as_of}: {when}"
        settings.append(Setting(key, label, kind, mask, in_force, note, restriction))
    return settings


@dataclass(frozen=True)
class Prepared:
    """Everything a target solve needs (the risk model is loaded by the solve), and the digest
    of its inputs, part by part."""

    version: StrategyVersion
    universe: TargetUniverse
    settings: list[Setting]
    combined: np.ndarray
    risk_model_row: RiskModel | None
    inputs: dict
    inputs_hash: str

    @property
    def risk_model_id(self) -> int | None:
        return self.risk_model_row.pk if self.risk_model_row is not None else None


def target_prepare(
    *, account, resolved: ResolvedCustomization, as_of: date
) -> Prepared | TargetPreview:
    """The universe, the masks and the inputs digest; refuses customizations that leave nothing.

    Returns a TargetPreview carrying the problem instead when there is no strategy (version).
    Reads only.
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
    universe = target_universe_load(version)
    held = universe.held
    settings = settings_build(resolved, universe, as_of)
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
    combined = np.zeros(len(universe.universe), dtype=bool)
    for setting in settings:
        if setting.in_force:
            combined |= setting.mask
    if not (held & ~combined).any():
        raise ValidationError(
            f"Together these settings exclude every name {strategy.name} holds "
            f"({int(held.sum())} names): nothing would be left to hold."
        )
    risk_model_row = risk_model_latest()
    ids = universe.universe.ids
    parts = inputs_parts(
        strategy_version_id=version.pk,
        risk_model_id=risk_model_row.pk if risk_model_row is not None else None,
        universe_ids=ids.tolist(),
        benchmark=universe.benchmark.tolist(),
        exclusions=[(s.key, ids[s.mask].tolist()) for s in settings if s.in_force],
    )
    return Prepared(
        version=version,
        universe=universe,
        settings=settings,
        combined=combined,
        risk_model_row=risk_model_row,
        inputs=parts,
        inputs_hash=inputs_digest(parts),
    )


def target_stored(*, account) -> CustomizedTarget | None:
    """The account's latest stored target for its strategy (any version), or None."""
    if not account.strategy_id:
        return None
    return (
        CustomizedTarget.objects.filter(
            account=account, strategy_version__strategy_id=account.strategy_id
        )
        .select_related("strategy_version", "risk_model")
        .order_by("-computed_at")
        .first()
    )


def customized_target_state(*, account, today: date | None = None) -> TargetState:
    """What a page shows: the stored target, stale (with reasons) if its inputs changed.

    Reads only: the inputs digest is recomputed from the current strategy version, risk model
    row, category members and restrictions in force, and compared with the stored one.
    """
    as_of = today or timezone.localdate()
    stored = target_stored(account=account)
    try:
        prepared = target_prepare(
            account=account, resolved=customization_stored(account=account), as_of=as_of
        )
    except ValidationError as error:
        reasons = ("the saved settings no longer leave a target: " + " ".join(error.messages),)
        return TargetState(
            target=stored,
            problem=" ".join(error.messages),
            stale_reasons=reasons if stored is not None else (),
        )
    if isinstance(prepared, TargetPreview):
        return TargetState(target=None, problem=prepared.problem)
    if stored is None:
        problem = (
            "No risk model yet: tracking-error figures need one (platform staff build it)."
            if prepared.risk_model_row is None
            else "The customized target has not been computed yet."
        )
        return TargetState(target=None, problem=problem)
    if stored.inputs_hash == prepared.inputs_hash:
        return TargetState(target=stored)
    return TargetState(
        target=stored,
        stale_reasons=tuple(inputs_changes(stored=stored.inputs, current=prepared.inputs)),
    )


def customized_target_weights(*, account) -> dict[int, float] | None:
    """The stored customized target, security id -> weight; None when there is none.

    Stale or not: `customized_target_state` says whether its inputs changed since.
    """
    stored = target_stored(account=account)
    if stored is None:
        return None
    return {int(security_id): float(weight) for security_id, weight in stored.weights}


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
