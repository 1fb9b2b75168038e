"""The pure rules of an account customization: merging restrictions and their periods,
contradictions, exclusion masks over a universe, and the digest of a target's inputs.

The ESG services resolve what the advisor typed into securities and categories (database
work) and call these rules; nothing here reads or writes the database. Errors are collected in
`CustomizationError.errors` (field -> messages) so that the caller can show them all at once.
No Django import.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date, timedelta
from typing import Any, Protocol, TypeVar

import numpy as np
import numpy.typing as npt

from pma_engine.universe import Universe

BoolArray = npt.NDArray[np.bool_]

ONE_DAY = timedelta(days=1)
DO_NOT_BUY = "do_not_buy"
DO_NOT_HOLD = "do_not_hold"
MODE_LABELS = {DO_NOT_BUY: "Do not buy", DO_NOT_HOLD: "Do not hold"}
SCOPE_SECURITY, SCOPE_INDUSTRY, SCOPE_SECTOR = "security", "industry", "sector"


class CustomizationError(ValueError):
    """Refused settings; `errors` maps the field ("restrictions", ...) to its messages."""

    def __init__(self, errors: Mapping[str, list[str]]) -> None:
        self.errors = {field: list(messages) for field, messages in errors.items()}
        super().__init__("; ".join(m for messages in self.errors.values() for m in messages))


class RestrictionLike(Protocol):
    """What the rules need of a restriction (the services' ResolvedRestriction has it)."""

    mode: str
    effective_from: date
    effective_to: date | None
    reason: str
    rows: tuple[int, ...]

    @property
    def key(self) -> tuple[str, int | None, str]: ...

    @property
    def target_label(self) -> str: ...


R = TypeVar("R", bound=RestrictionLike)


def periods_touch(
    first_from: date, first_to: date | None, second_from: date, second_to: date | None
) -> bool:
    """Whether two periods (None: open-ended) overlap or follow each other without a gap."""
    (earlier_from, earlier_to), (later_from, _) = sorted(
        ((first_from, first_to), (second_from, second_to)), key=lambda period: period[0]
    )
    return earlier_to is None or later_from <= earlier_to + ONE_DAY


def periods_overlap(
    first_from: date, first_to: date | None, second_from: date, second_to: date | None
) -> bool:
    """Whether two periods share at least one day."""
    return (first_to is None or second_from <= first_to) and (
        second_to is None or first_from <= second_to
    )


def restrictions_merge(rows: Sequence[R], notes: list[str]) -> list[R]:
    """Restrictions on the same thing become one when they agree: same mode, periods that
    overlap or touch (the earliest start, the latest end, reasons joined; a note says so).

    Refused, naming both rows: the same thing as do not buy (keep what is held) and as do not
    hold (sell), which contradict each other; or twice in the same mode for periods with a gap
    between them (one restriction per security, industry or sector is kept, and merging would
    restrict the gap too)."""
    merged: dict[tuple, R] = {}
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
        if not periods_touch(
            existing.effective_from, existing.effective_to, row.effective_from, row.effective_to
        ):
            errors.append(
                f"Restriction rows {rows_text}, effective dates: both restrict "
                f"{row.target_label} ({MODE_LABELS[row.mode].lower()}) for periods with "
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
        merged[row.key] = replace(
            existing,
            effective_from=min(existing.effective_from, row.effective_from),
            effective_to=ends,
            reason=reasons[:300],
            rows=(*existing.rows, *row.rows),
        )
        notes.append(
            f"Restriction rows {rows_text} both restrict {row.target_label}: merged into one "
            f"({MODE_LABELS[row.mode].lower()})."
        )
    if errors:
        raise CustomizationError({"restrictions": errors})
    return list(merged.values())


@dataclass(frozen=True)
class Span:
    """A setting's label, its first and last day (None: open) and the security ids it covers."""

    label: str
    starts: date
    ends: date | None
    security_ids: frozenset[int]


def contradictions_find(
    *, keeps: Sequence[Span], sells: Sequence[Span], tickers: Mapping[int, str]
) -> list[str]:
    """Messages for every name both kept (do not buy) and sold in the same period."""
    errors = []
    for keep in keeps:
        for sell in sells:
            both = keep.security_ids & sell.security_ids
            if not both or not periods_overlap(keep.starts, keep.ends, sell.starts, sell.ends):
                continue
            names = sorted(tickers.get(security_id, "?") for security_id in both)
            shown = ", ".join(names[:5]) + (f" and {len(names) - 5} more" if len(names) > 5 else "")
            errors.append(
                f"“{keep.label}” contradicts “{sell.label}”: {shown} would be both kept "
                "(do not buy) and sold. Remove one of them, or make the restriction do not hold."
            )
    return errors


def scope_mask(
    universe: Universe, *, scope: str, security_id: int | None = None, value: str = ""
) -> BoolArray:
    """The universe names a restriction covers: one security, an industry or a sector."""
    if scope == SCOPE_SECURITY:
        return universe.mask([security_id] if security_id is not None else [])
    labels = universe.industries if scope == SCOPE_INDUSTRY else universe.sectors
    if scope not in (SCOPE_INDUSTRY, SCOPE_SECTOR):
        raise ValueError(f"unknown restriction scope {scope!r}")
    return (
        np.array([label == value for label in labels], dtype=bool)
        if value
        else np.zeros(len(universe), dtype=bool)
    )


def concentrated_mask(universe: Universe, *, security_id: int, industry: str) -> BoolArray:
    """A concentrated position: the security itself and the names of its industry (not
    bought, so that the household does not add to what it already has too much of)."""
    mask = universe.mask([security_id])
    if industry:
        mask |= scope_mask(universe, scope=SCOPE_INDUSTRY, value=industry)
    return mask


def labels_unique(labels: Iterable[str]) -> list[str]:
    """Labels as shown, made unique with " (again)" so that each keys one report line."""
    seen: set[str] = set()
    result = []
    for label in labels:
        while label in seen:
            label += " (again)"
        seen.add(label)
        result.append(label)
    return result


def inputs_parts(
    *,
    strategy_version_id: int,
    risk_model_id: int | None,
    universe_ids: Sequence[int],
    benchmark: Sequence[float],
    exclusions: Sequence[tuple[str, Sequence[int]]],
) -> dict[str, Any]:
    """What a customized target depends on, part by part (each part a short digest), so that a
    stored result can say which input changed since it was computed."""

    def digest(value: Any) -> str:
        return hashlib.sha256(json.dumps(value, sort_keys=True).encode()).hexdigest()[:16]

    return {
        "strategy_version": int(strategy_version_id),
        "risk_model": None if risk_model_id is None else int(risk_model_id),
        "universe": digest(
            [[int(i) for i in universe_ids], [round(float(w), 12) for w in benchmark]]
        ),
        # By key: the same exclusions given in another order are the same target.
        "exclusions": digest(
            sorted([str(label), [int(i) for i in ids]] for label, ids in exclusions)
        ),
    }


def inputs_digest(parts: Mapping[str, Any]) -> str:
    """One digest of all parts: equal digests, same target."""
    return hashlib.sha256(json.dumps(dict(parts), sort_keys=True).encode()).hexdigest()


INPUT_CHANGE_REASONS = {
    "strategy_version": "the strategy has a new version",
    "risk_model": "a newer risk model has been built",
    "universe": "the strategy's names or weights changed",
    "exclusions": "the names the customization excludes changed (customization, category "
    "members or restrictions coming into or out of force)",
}


def inputs_changes(*, stored: Mapping[str, Any], current: Mapping[str, Any]) -> list[str]:
    """Why a stored result no longer matches its inputs, one reason per changed part, in a
    fixed order; empty when nothing changed. A stored result without parts is stale."""
    if not stored:
        return ["it was computed before its inputs were recorded"]
    return [
        reason
        for part, reason in INPUT_CHANGE_REASONS.items()
        if stored.get(part) != current.get(part)
    ]
