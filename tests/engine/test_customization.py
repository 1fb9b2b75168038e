"""The pure customization rules: merging restrictions and their periods, contradictions,
exclusion masks over a universe, and the inputs digest with its reasons. No Django."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np
import pytest

from pma_engine.customization import (
    CustomizationError,
    Span,
    concentrated_mask,
    contradictions_find,
    inputs_changes,
    inputs_digest,
    inputs_parts,
    labels_unique,
    periods_overlap,
    periods_touch,
    restrictions_merge,
    scope_mask,
)
from pma_engine.universe import Universe


@dataclass(frozen=True)
class Row:
    key: tuple
    mode: str
    effective_from: date
    effective_to: date | None
    reason: str = ""
    rows: tuple[int, ...] = ()

    @property
    def target_label(self) -> str:
        return str(self.key[1])


D = date


def test_periods_touch_when_they_overlap_or_follow_without_a_gap():
    assert periods_touch(D(2025, 1, 1), D(2025, 1, 31), D(2025, 2, 1), None)  # next day
    assert not periods_touch(D(2025, 1, 1), D(2025, 1, 31), D(2025, 2, 2), None)  # one-day gap
    # Order does not matter: sorted by start, the 2024 period ends long before 2025-03-01.
    assert not periods_touch(D(2025, 3, 1), None, D(2024, 1, 1), D(2024, 1, 2))
    assert periods_touch(D(2025, 3, 1), None, D(2024, 1, 1), None)  # the earlier is open
    assert periods_overlap(D(2025, 1, 1), None, D(2030, 1, 1), D(2030, 1, 1))
    assert not periods_overlap(D(2025, 1, 1), D(2025, 1, 31), D(2025, 2, 1), None)


def test_touching_periods_merge_into_one_and_say_so():
    notes: list[str] = []
    merged = restrictions_merge(
        [
            Row(("security", "XOM", ""), "do_not_hold", D(2025, 2, 1), None, "client", (1,)),
            Row(("security", "XOM", ""), "do_not_hold", D(2025, 1, 1), D(2025, 1, 31), "", (3,)),
            Row(("sector", None, "Energy"), "do_not_buy", D(2025, 1, 1), None, "", (2,)),
        ],
        notes,
    )
    assert len(merged) == 2
    xom = merged[0]
    assert (xom.effective_from, xom.effective_to, xom.rows) == (D(2025, 1, 1), None, (1, 3))
    assert xom.reason == "client"
    assert notes == ["Restriction rows 1 and 3 both restrict XOM: merged into one (do not hold)."]


def test_contradicting_modes_and_gaps_are_refused_naming_both_rows():
    with pytest.raises(CustomizationError) as error:
        restrictions_merge(
            [
                Row(("security", "XOM", ""), "do_not_hold", D(2025, 1, 1), None, rows=(1,)),
                Row(("security", "XOM", ""), "do_not_buy", D(2025, 1, 1), None, rows=(2,)),
                Row(("security", "CVX", ""), "do_not_buy", D(2025, 1, 1), D(2025, 1, 5), rows=(3,)),
                Row(("security", "CVX", ""), "do_not_buy", D(2025, 3, 1), None, rows=(4,)),
            ],
            [],
        )
    messages = error.value.errors["restrictions"]
    assert len(messages) == 2
    assert messages[0].startswith("Restriction rows 1 and 2, mode: they contradict")
    assert messages[1].startswith("Restriction rows 3 and 4, effective dates:")


def test_contradictions_are_found_only_where_periods_overlap():
    keeps = [Span("Do not buy: XOM", D(2025, 1, 1), D(2025, 6, 30), frozenset({1}))]
    sells = [
        Span("Fossil fuels", D(2025, 3, 1), None, frozenset({1, 2})),
        Span("Do not hold: XOM", D(2025, 7, 1), None, frozenset({1})),  # after the keep ends
    ]
    errors = contradictions_find(keeps=keeps, sells=sells, tickers={1: "XOM", 2: "CVX"})
    assert errors == [
        "“Do not buy: XOM” contradicts “Fossil fuels”: XOM would be both kept (do not buy) "
        "and sold. Remove one of them, or make the restriction do not hold."
    ]


def test_masks_cover_a_security_an_industry_a_sector_and_a_concentrated_position():
    universe = Universe(
        ids=np.array([5, 6, 7, 8]),
        tickers=("XOM", "CVX", "NEE", "AAPL"),
        sectors=("Energy", "Energy", "Utilities", "Information Technology"),
        industries=("Oil", "Oil", "Power", "Hardware"),
    )
    assert scope_mask(universe, scope="security", security_id=7).tolist() == [0, 0, 1, 0]
    assert scope_mask(universe, scope="security", security_id=99).tolist() == [0, 0, 0, 0]
    assert scope_mask(universe, scope="industry", value="Oil").tolist() == [1, 1, 0, 0]
    assert scope_mask(universe, scope="sector", value="Utilities").tolist() == [0, 0, 1, 0]
    # Employer stock held outside the strategy (id 99): its industry still counts.
    assert concentrated_mask(universe, security_id=99, industry="Oil").tolist() == [1, 1, 0, 0]
    assert concentrated_mask(universe, security_id=8, industry="").tolist() == [0, 0, 0, 1]
    with pytest.raises(ValueError, match="unknown restriction scope"):
        scope_mask(universe, scope="country", value="US")


def test_labels_are_made_unique():
    assert labels_unique(["A", "B", "A", "A"]) == ["A", "B", "A (again)", "A (again) (again)"]


def test_the_digest_changes_with_each_part_and_names_what_changed():
    base = dict(
        strategy_version_id=3,
        risk_model_id=10,
        universe_ids=[5, 6, 7],
        benchmark=[0.5, 0.5, 0.0],
        exclusions=[("Fossil fuels", [5])],
    )
    parts = inputs_parts(**base)
    assert inputs_digest(parts) == inputs_digest(inputs_parts(**base))  # deterministic
    changes = {
        "strategy_version_id": 4,
        "risk_model_id": 11,
        "benchmark": [0.4, 0.6, 0.0],
        "exclusions": [("Fossil fuels", [5, 6])],
    }
    expected = {
        "strategy_version_id": ["the strategy has a new version"],
        "risk_model_id": ["a newer risk model has been built"],
        "benchmark": ["the strategy's names or weights changed"],
        "exclusions": [
            "the names the customization excludes changed (customization, category members or "
            "restrictions coming into or out of force)"
        ],
    }
    for name, value in changes.items():
        current = inputs_parts(**{**base, name: value})
        assert inputs_digest(current) != inputs_digest(parts)
        assert inputs_changes(stored=parts, current=current) == expected[name]
    assert inputs_changes(stored=parts, current=parts) == []
    assert inputs_changes(stored={}, current=parts) == [
        "it was computed before its inputs were recorded"
    ]


def test_the_digest_does_not_depend_on_the_order_of_the_exclusions():
    base = dict(
        strategy_version_id=1, risk_model_id=2, universe_ids=[1, 2, 3], benchmark=[0.5, 0.3, 0.2]
    )
    one = inputs_parts(**base, exclusions=[("category:1", [1]), ("category:2", [3])])
    other = inputs_parts(**base, exclusions=[("category:2", [3]), ("category:1", [1])])
    assert one == other
    changed = inputs_parts(**base, exclusions=[("category:1", [3]), ("category:2", [1])])
    assert changed["exclusions"] != one["exclusions"]
