"""The demo's steps from every area, in order. Each area owns its `demo.py`."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from importlib import import_module

# (title, "module:function", runs before the firms are created)
DEMO_STEPS: list[tuple[str, str, bool]] = [
    (
        "security master, prices, risk model, strategies",
        "portfolios.demo:demo_reference_seed",
        True,
    ),
    ("ESG exclusion categories", "esg.demo:demo_categories_seed", True),
    ("tax lots and trades of the demo households", "portfolios.lots.demo:demo_lots_seed", False),
    ("customizations of demo accounts", "esg.demo:demo_customizations_seed", False),
    ("share-class table", "transitions.rebalance.demo:demo_share_classes_seed", True),
    (
        "rebalance defaults and one trade list per advisor",
        "transitions.rebalance.demo:demo_rebalance_seed",
        False,
    ),
    ("one transition analysis", "transitions.analysis.demo:demo_analysis_seed", False),
    ("a shared proposal", "transitions.proposals.demo:demo_proposal_seed", False),
]


def _resolve(path: str) -> Callable[..., object] | None:
    module_name, function_name = path.split(":")
    try:
        module = import_module(module_name)
    except ModuleNotFoundError as exc:
        if exc.name == module_name:
            return None  # that area has no demo data yet
        raise
    return getattr(module, function_name, None)


def demo_steps(*, quick: bool, before_firms: bool) -> Iterator[tuple[str, Callable[[], object]]]:
    """Reference data (securities, strategies, categories) runs before the firms; the rest after.
    `quick` asks for a smaller price history (tests)."""
    for title, path, runs_before_firms in DEMO_STEPS:
        if runs_before_firms != before_firms:
            continue
        step = _resolve(path)
        if step is not None:
            yield title, (lambda step=step: step(quick=quick))
