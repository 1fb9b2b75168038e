"""python -m pma_engine.transition PROBLEM.json --years 5 --scenario immediate ...

Plans from a taxbench-problem/1 file and prints transition-plan/1 JSON; no Django, no database
(docs/transition.md).
Exit status 2 on bad input, with a message naming the argument or field.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ProcessPoolExecutor
from datetime import date, timedelta
from pathlib import Path
from typing import Any, TypeVar

import numpy as np

from pma_engine.rebalance import ProblemFileError, RebalanceInputError, problem_load
from pma_engine.transition.engine import transition_plan
from pma_engine.transition.report import plan_json
from pma_engine.transition.scenarios import scenario_parse
from pma_engine.transition.types import TransitionInput, TransitionInputError

T = TypeVar("T")
R = TypeVar("R")


def worker_threads_limit() -> None:
    """One BLAS/OpenMP thread per pool worker: the workers already fill the cores, and forked
    workers inherit a BLAS pool sized for the whole machine (oversubscription)."""
    for name in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ[name] = "1"
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:  # pragma: no cover - threadpoolctl is pinned in requirements.txt
        return
    threadpool_limits(1)


def process_map(workers: int) -> Callable[[Callable[[T], R], Sequence[T]], Iterable[R]]:
    """map_paths over a process pool (paths are independent; results come back in order)."""

    def run(fn: Callable[[T], R], tasks: Sequence[T]) -> Iterable[R]:
        if workers <= 1 or len(tasks) <= 1:
            return list(map(fn, tasks))
        chunk = max(1, len(tasks) // (workers * 16))  # small chunks: no idle worker at the end
        with ProcessPoolExecutor(max_workers=workers, initializer=worker_threads_limit) as pool:
            return list(pool.map(fn, tasks, chunksize=chunk))

    return run


def _arguments(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m pma_engine.transition",
        description="Plan a tax-aware transition over years, per scenario (docs/transition.md).",
    )
    parser.add_argument("problem", type=Path, help="taxbench-problem/1 JSON file")
    parser.add_argument("--years", type=int, default=5, help="horizon, 1 to 10 (default 5)")
    parser.add_argument(
        "--scenario",
        action="append",
        default=[],
        help="immediate, timeline:N, gain_budget:X, tax_budget:Y or hold; repeat for several",
    )
    parser.add_argument("--te-goal", type=float, default=0.005, help="default 0.005")
    parser.add_argument("--drift", type=float, default=0.06, help="annual drift, default 0.06")
    parser.add_argument("--paths", type=int, default=0, help="simulated paths (default none)")
    parser.add_argument("--seed", type=int, default=0, help="seed of the simulated paths")
    parser.add_argument(
        "--workers", type=int, default=os.cpu_count() or 1, help="processes for the paths"
    )
    return parser.parse_args(argv)


def _lot_acquired(meta: Any, problem: Any, as_of: date) -> np.ndarray:
    if meta.lot_acquired and len(meta.lot_acquired) == problem.lot_count:
        days = []
        for i, text in enumerate(meta.lot_acquired):
            try:
                days.append(date.fromisoformat(text).toordinal())
            except (TypeError, ValueError):
                raise TransitionInputError(
                    f"portfolio.lots.acquired[{i}]: {text!r} is not an ISO date"
                ) from None
        return np.array(days, dtype=np.int64)
    return np.array(
        [(as_of - timedelta(days=int(d))).toordinal() for d in problem.lot_days_held],
        dtype=np.int64,
    )


def main(argv: list[str] | None = None) -> int:
    args = _arguments(sys.argv[1:] if argv is None else argv)
    started = time.perf_counter()
    try:
        if args.paths < 0:
            raise TransitionInputError(f"--paths {args.paths}: must be 0 or more")
        scenarios = tuple(scenario_parse(text) for text in args.scenario)
        try:
            data = json.loads(args.problem.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise TransitionInputError(
                f"{args.problem}: cannot read the problem file ({exc})"
            ) from None
        problem, meta = problem_load(data)
        try:
            as_of = date.fromisoformat(meta.as_of) if meta.as_of else date.today()
        except ValueError:
            raise TransitionInputError(f"as_of: {meta.as_of!r} is not an ISO date") from None
        inp = TransitionInput(
            problem=problem,
            as_of=as_of,
            lot_acquired=_lot_acquired(meta, problem, as_of),
            scenarios=scenarios,
            years=args.years,
            te_goal=args.te_goal,
            drift=args.drift,
        )
        result = transition_plan(
            inp, paths=args.paths, seed=args.seed, map_paths=process_map(args.workers)
        )
    except (TransitionInputError, ProblemFileError, RebalanceInputError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    out = plan_json(inp, result)
    out["seconds"] = round(time.perf_counter() - started, 4)
    json.dump(out, sys.stdout, indent=2)
    sys.stdout.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
