"""Values the ESG reads and writes share (customization input, its resolved form, the target
preview and state), so that selectors never import services."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from esg.models import CustomizedTarget, ExclusionCategory, RestrictionMode
from portfolios.models import Security, StrategyVersion


@dataclass(frozen=True)
class RebuildReport:
    categories: int
    members: int
    created: int
    updated: int
    deleted: int


@dataclass(frozen=True)
class RefreshCause:
    """Why targets are recomputed, carried by the refresh job's params (JSON) to the record.

    `kind` is a RecomputeCause value; `text` the plain words ("Category Tobacco: PM added by
    platform staff"); `audit_event_id` the curation event, `category_ids` the categories."""

    kind: str
    text: str
    audit_event_id: int | None = None
    category_ids: tuple[int, ...] = ()

    def as_params(self) -> dict:
        return {
            "kind": self.kind,
            "text": self.text,
            "audit_event_id": self.audit_event_id,
            "category_ids": list(self.category_ids),
        }

    @classmethod
    def from_params(cls, data: dict | None) -> RefreshCause | None:
        if not data:
            return None
        return cls(
            kind=str(data["kind"]),
            text=str(data.get("text", "")),
            audit_event_id=data.get("audit_event_id"),
            category_ids=tuple(data.get("category_ids") or ()),
        )


# --------------------------------------------------------------------------- customization input


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


# --------------------------------------------------------------------------- resolved form


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

    def as_input(self) -> CustomizationInput:
        """The shape the forms and the API edit."""
        return CustomizationInput(
            category_slugs=tuple(category.slug for category in self.categories),
            restrictions=tuple(
                RestrictionInput(
                    scope=row.scope,
                    mode=row.mode,
                    ticker=row.security.ticker if row.security is not None else "",
                    value=row.value,
                    effective_from=row.effective_from,
                    effective_to=row.effective_to,
                    reason=row.reason,
                )
                for row in self.restrictions
            ),
            concentrated_positions=tuple(
                ConcentratedPositionInput(ticker=row.security.ticker, note=row.note)
                for row in self.concentrated_positions
            ),
        )


# --------------------------------------------------------------------------- the target


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
    inputs: dict = field(default_factory=dict)  # the digest's parts (see pma_engine.customization)
    solver: str = ""
    problem: str = ""
    notes: tuple[str, ...] = ()

    @property
    def has_figures(self) -> bool:
        return self.total is not None and self.total.tracking_error is not None


@dataclass(frozen=True)
class TargetState:
    """The account's stored customized target and whether it still matches its inputs.

    `stale_reasons` say what changed since it was computed (empty: current); `preview` is set
    only by a service that just recomputed it; `problem` says why there is no target.
    """

    target: CustomizedTarget | None
    preview: TargetPreview | None = None
    problem: str = ""
    stale_reasons: tuple[str, ...] = ()

    @property
    def is_stale(self) -> bool:
        return bool(self.stale_reasons)

    @property
    def stale_reason(self) -> str:
        if not self.stale_reasons:
            return ""
        text = "; ".join(self.stale_reasons)
        return text[0].upper() + text[1:] + "."
