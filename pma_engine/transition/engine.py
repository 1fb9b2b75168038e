"""transition_plan: the one engine function behind the portal's analysis and the command.

Year 1's trades happen at today's prices, so they are solved once and shared by the expected
path and every simulated path. Each simulated path is then a unit of work, "one path, all
scenarios": `path_run(inp, opening, task)` with small picklable arguments, mapped with the
caller's `map_paths` (builtin map, a process pool, a Celery group), in any order.
"""

from __future__ import annotations

import functools
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

import numpy as np

from pma_engine.transition.markets import expected_growth, path_seeds, simulated_growth
from pma_engine.transition.planner import Opening, opening_plan, path_plan
from pma_engine.transition.scenarios import scenarios_check
from pma_engine.transition.types import (
    Band,
    PathOutcome,
    ScenarioKind,
    ScenarioPath,
    ScenarioPaths,
    TransitionInput,
    TransitionInputError,
    TransitionResult,
)

BAND_FIGURES = (
    "realized_st",
    "realized_lt",
    "harvested_losses",
    "tax",
    "loss_deduction",
    "loss_carryforward",
    "tracking_error",
    "in_target",
    "unrealized_gain",
    "turnover",
    "trades",
    "value_end",
)
TE_FLOOR_SLACK = 1e-7

MapPaths = Callable[
    [Callable[["PathTask"], PathOutcome], Sequence["PathTask"]], Iterable[PathOutcome]
]


@dataclass(frozen=True)
class PathTask:
    """One simulated path: its index and its own child seed (a numpy SeedSequence)."""

    path_index: int
    seed_sequence: np.random.SeedSequence


def transition_check(inp: TransitionInput) -> None:
    """Refuse what cannot be planned, before any solve; messages name the argument or field."""
    scenarios_check(inp.scenarios, years=inp.years, te_goal=inp.te_goal)
    p = inp.problem
    if p.lot_count == 0 and p.cash <= 0:
        raise TransitionInputError("portfolio.lots: the account holds no lots and no cash")
    if len(inp.lot_acquired) != p.lot_count:
        raise TransitionInputError(
            f"portfolio.lots.acquired: {len(inp.lot_acquired)} dates for {p.lot_count} lots"
        )
    if not np.all(np.isfinite(p.prices)) or np.any(p.prices <= 0):
        raise TransitionInputError("assets.prices: every price must be positive")
    if not inp.drift > -1 or not np.isfinite(inp.drift):
        raise TransitionInputError(f"--drift {inp.drift}: must be a number above -1")


def path_run(inp: TransitionInput, opening: Opening, task: PathTask) -> PathOutcome:
    """All scenarios on one simulated path (the unit of work for a pool or a Celery task)."""
    p = inp.problem
    growth = simulated_growth(
        seed_sequence=task.seed_sequence,
        years=inp.years,
        exposures=p.exposures,
        factor_covariance=p.factor_covariance,
        specific_variance=p.specific_variance,
        drift=inp.drift,
    )
    return PathOutcome(task.path_index, path_plan(inp, opening, growth))


def transition_plan(
    inp: TransitionInput,
    *,
    paths: int = 0,
    seed: int = 0,
    map_paths: MapPaths | None = None,
    progress: Callable[[int, int], None] | None = None,
    keep_paths: bool = False,
) -> TransitionResult:
    """Plan every scenario on the expected path and, with paths > 0, on simulated paths.

    map_paths(fn, tasks) must return fn(task) for each task (any executor; fn and the tasks
    pickle). progress(done, total) is called after each path. keep_paths keeps every path's
    runs in the result (the percentiles are always there).
    """
    started = time.perf_counter()
    transition_check(inp)
    if paths < 0:
        raise TransitionInputError(f"--paths {paths}: must be 0 or more")
    opening = opening_plan(inp)
    timelines = [s for s in inp.scenarios if s.kind is ScenarioKind.TIMELINE]
    if timelines and inp.te_goal + TE_FLOOR_SLACK < opening.te_floor:
        raise TransitionInputError(
            f"--te-goal {inp.te_goal:g} is below the lowest tracking error the restrictions "
            f"allow ({opening.te_floor:.6f}: names that may not be bought, trading costs)"
        )
    if any(s.value == 1 for s in timelines) and inp.te_goal + TE_FLOOR_SLACK < opening.te_floor_now:
        raise TransitionInputError(
            f"--scenario timeline:1: --te-goal {inp.te_goal:g} cannot be reached this year "
            f"(at best {opening.te_floor_now:.6f}: loss lots frozen by 30-day wash windows); "
            "use timeline:2 or later"
        )
    growth = expected_growth(years=inp.years, n_assets=inp.problem.asset_count, drift=inp.drift)
    expected = PathOutcome(-1, path_plan(inp, opening, growth))
    total = paths
    if progress:
        progress(0, total)
    summaries = None
    outcomes: list[PathOutcome] = []
    if paths:
        tasks = [PathTask(i, s) for i, s in enumerate(path_seeds(seed, paths))]
        fn = functools.partial(path_run, inp, opening)
        for outcome in (map_paths or map)(fn, tasks):
            outcomes.append(outcome)
            if progress:
                progress(len(outcomes), total)
        outcomes.sort(key=lambda o: o.path_index)
        summaries = tuple(
            paths_summarize([o.scenarios[j] for o in outcomes]) for j in range(len(inp.scenarios))
        )
    return TransitionResult(
        expected=expected,
        paths=summaries,
        path_count=paths,
        seed=seed if paths else None,
        initial_tracking_error=opening.te_start,
        te_floor=opening.te_floor,
        te_floor_now=opening.te_floor_now,
        seconds=time.perf_counter() - started,
        path_outcomes=tuple(outcomes) if keep_paths else (),
    )


def band(values: Sequence[float]) -> Band:
    """10th, 50th and 90th percentiles (linear interpolation between paths)."""
    data = np.asarray(values, dtype=float)
    p10, p50, p90 = np.percentile(data, [10, 50, 90])
    return Band(float(p10), float(p50), float(p90))


def years_band(values: Sequence[int | None]) -> Band:
    """Percentiles of years to target that are always a path's value; None where the paths at
    that percentile never reach the goal."""
    data = np.asarray([np.inf if v is None else v for v in values], dtype=float)
    picks = np.percentile(data, [10, 50, 90], method="inverted_cdf")
    out = [None if not np.isfinite(x) else float(x) for x in picks]
    return Band(out[0], out[1], out[2])


def paths_summarize(runs: Sequence[ScenarioPath]) -> ScenarioPaths:
    """Percentiles of one scenario over the paths, per year and for the horizon figures."""
    n_years = len(runs[0].years)
    years = tuple(
        {name: band([getattr(r.years[y], name) for r in runs]) for name in BAND_FIGURES}
        for y in range(n_years)
    )
    reached = [r.years_to_target for r in runs]
    return ScenarioPaths(
        count=len(runs),
        years=years,
        years_to_target=years_band(reached),
        reached_share=float(np.mean([v is not None for v in reached])),
        after_tax_value=band([r.after_tax_value for r in runs]),
        liquidation_value=band([r.liquidation_value for r in runs]),
    )
