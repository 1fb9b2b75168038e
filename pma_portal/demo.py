"""The demo's steps from every area, in order. Each area adds its own step here."""

from __future__ import annotations

from collections.abc import Callable, Iterator


def demo_steps(*, quick: bool, before_firms: bool) -> Iterator[tuple[str, Callable[[], object]]]:
    """Steps that firms depend on (reference data) run before them; the rest after."""
    steps: list[tuple[str, Callable[[], object], bool]] = []
    for title, step, runs_before_firms in steps:
        if runs_before_firms == before_firms:
            yield title, step
