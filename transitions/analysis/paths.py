"""Simulated paths fanned out over Celery workers, each stored once by its index.

The engine's `transition_plan(..., map_paths=...)` hands us `fn = partial(path_run, inp,
opening)` and the `PathTask`s. `PathFanOut.map` stores (inp, opening, tasks) once on the
analysis (`AnalysisPayload`), creates one `AnalysisPathRun` row per path, sends a Celery group
of `analysis_path_run` tasks that carry only (analysis id, path index), and yields each
outcome as its row turns done. While it waits, the coordinator claims unstarted (or abandoned)
paths and runs them itself, so one worker alone (or eager mode) still finishes, and more
workers finish sooner with no other change.

A path is claimed by a conditional update and stored by another (`status != done`), so a
redelivered task, or a task and the coordinator racing on one path, store and count it once.
"""

from __future__ import annotations

import logging
import pickle
import socket
import threading
import time
import zlib
from collections.abc import Callable, Iterator, Sequence
from dataclasses import asdict
from datetime import timedelta
from typing import Any

from django.db.models import F, Q
from django.utils import timezone

from pma_engine.transition import (
    PathOutcome,
    PathTask,
    Scenario,
    ScenarioKind,
    ScenarioPath,
    Trades,
    YearFigures,
    path_run,
)
from transitions.analysis.models import (
    AnalysisPathRun,
    AnalysisPayload,
    PathRunStatus,
    TransitionAnalysis,
)

logger = logging.getLogger(__name__)

PATH_LEASE_SECONDS = 300  # a path claimed longer ago than this lost its worker: claim it again
POLL_SECONDS = 0.2
_PAYLOADS: dict[int, tuple[Any, Any, dict[int, PathTask]]] = {}
_PAYLOAD_CACHE_SIZE = 2
# The engine keeps its cvxpy/Clarabel solvers per process (pma_engine/transition/solving.py),
# and a Clarabel solver must not be used by two threads at once: paths of one process (thread
# pools, in-thread test workers, the coordinator) solve one at a time. Prefork workers are
# separate processes and run in parallel.
_SOLVE_LOCK = threading.Lock()


# --------------------------------------------------------------------------- outcome codec


def outcome_to_json(outcome: PathOutcome) -> dict[str, Any]:
    """A path's outcome as JSON (floats round-trip exactly)."""
    return {
        "path_index": outcome.path_index,
        "scenarios": [
            {
                "kind": run.scenario.kind.value,
                "value": run.scenario.value,
                "years": [{**asdict(y), "messages": list(y.messages)} for y in run.years],
                "years_to_target": run.years_to_target,
                "after_tax_value": run.after_tax_value,
                "liquidation_value": run.liquidation_value,
                "buy": {str(k): v for k, v in run.first_year_trades.buy.items()},
                "sell": dict(run.first_year_trades.sell),
            }
            for run in outcome.scenarios
        ],
    }


def outcome_from_json(data: dict[str, Any]) -> PathOutcome:
    scenarios = []
    for item in data["scenarios"]:
        years = tuple(
            YearFigures(**{**y, "messages": tuple(y.get("messages", ()))}) for y in item["years"]
        )
        scenarios.append(
            ScenarioPath(
                scenario=Scenario(ScenarioKind(item["kind"]), item["value"]),
                years=years,
                years_to_target=item["years_to_target"],
                after_tax_value=item["after_tax_value"],
                liquidation_value=item["liquidation_value"],
                first_year_trades=Trades(
                    buy={int(k): v for k, v in item["buy"].items()}, sell=dict(item["sell"])
                ),
            )
        )
    return PathOutcome(int(data["path_index"]), tuple(scenarios))


# --------------------------------------------------------------------------- payload


def payload_store(*, analysis: TransitionAnalysis, inp, opening, tasks: Sequence[PathTask]) -> None:
    data = zlib.compress(pickle.dumps((inp, opening, list(tasks)), protocol=5), 3)
    AnalysisPayload.objects.update_or_create(
        analysis=analysis, defaults={"firm_id": analysis.firm_id, "data": data}
    )
    _PAYLOADS.pop(analysis.pk, None)


def payload_load(*, analysis_pk: int) -> tuple[Any, Any, dict[int, PathTask]]:
    """(inp, opening, tasks by index), cached per process: every path of an analysis that
    lands on this worker reuses it (and the solvers the engine keeps per process)."""
    cached = _PAYLOADS.get(analysis_pk)
    if cached is not None:
        return cached
    # Our own pickle, written by payload_store above from the planner's objects; never user data.
    raw = bytes(AnalysisPayload.objects.values_list("data", flat=True).get(analysis_id=analysis_pk))
    inp, opening, tasks = pickle.loads(zlib.decompress(raw))  # noqa: S301
    if len(_PAYLOADS) >= _PAYLOAD_CACHE_SIZE:
        _PAYLOADS.clear()
    entry = (inp, opening, {t.path_index: t for t in tasks})
    _PAYLOADS[analysis_pk] = entry
    return entry


# --------------------------------------------------------------------------- one path


def _claimable(now) -> Q:
    stale = now - timedelta(seconds=PATH_LEASE_SECONDS)
    return Q(status=PathRunStatus.PENDING) | Q(status=PathRunStatus.RUNNING, claimed_at__lt=stale)


def path_claim(*, analysis_pk: int, path_index: int, runner: str) -> bool:
    now = timezone.now()
    return (
        AnalysisPathRun.objects.filter(
            _claimable(now), analysis_id=analysis_pk, path_index=path_index
        ).update(status=PathRunStatus.RUNNING, claimed_at=now, ran_by=runner[:100])
        == 1
    )


def path_store(*, analysis_pk: int, path_index: int, outcome: PathOutcome, runner: str) -> bool:
    """Store a path's outcome unless it is already stored; count it once. True if stored."""
    stored = (
        AnalysisPathRun.objects.filter(analysis_id=analysis_pk, path_index=path_index)
        .exclude(status=PathRunStatus.DONE)
        .update(status=PathRunStatus.DONE, outcome=outcome_to_json(outcome), ran_by=runner[:100])
    )
    if stored:
        TransitionAnalysis.objects.filter(pk=analysis_pk).update(paths_done=F("paths_done") + 1)
    return stored == 1


def path_execute(*, analysis_pk: int, path_index: int, runner: str) -> str:
    """Run one path if nobody has (the Celery task and the coordinator both call this)."""
    if not path_claim(analysis_pk=analysis_pk, path_index=path_index, runner=runner):
        return "skipped"
    try:
        with _SOLVE_LOCK:
            inp, opening, tasks = payload_load(analysis_pk=analysis_pk)
            outcome = path_run(inp, opening, tasks[path_index])
    except BaseException:
        AnalysisPathRun.objects.filter(
            analysis_id=analysis_pk, path_index=path_index, status=PathRunStatus.RUNNING
        ).update(status=PathRunStatus.PENDING, claimed_at=None)
        raise
    return (
        "stored"
        if path_store(
            analysis_pk=analysis_pk, path_index=path_index, outcome=outcome, runner=runner
        )
        else "duplicate"
    )


def runner_name(role: str) -> str:
    return f"{role}@{socket.gethostname()}"


# --------------------------------------------------------------------------- fan-out


class PathFanOut:
    """A `map_paths` for transition_plan that runs the paths as Celery tasks (see module)."""

    def __init__(self, *, analysis: TransitionAnalysis, dispatch: bool = True) -> None:
        self.analysis = analysis
        self.dispatch = dispatch

    def map(
        self, fn: Callable[[PathTask], PathOutcome], tasks: Sequence[PathTask]
    ) -> Iterator[PathOutcome]:
        analysis = self.analysis
        inp, opening = fn.args  # type: ignore[attr-defined]  (functools.partial of path_run)
        payload_store(analysis=analysis, inp=inp, opening=opening, tasks=tasks)
        AnalysisPathRun.objects.bulk_create(
            [
                AnalysisPathRun(
                    analysis=analysis, firm_id=analysis.firm_id, path_index=t.path_index
                )
                for t in tasks
            ],
            ignore_conflicts=True,  # a job taken up again keeps the paths already stored
        )
        if self.dispatch:
            self._send([t.path_index for t in tasks])
        yield from self._collect(len(tasks))

    def _send(self, indices: list[int]) -> None:
        from celery import group

        from transitions.analysis.tasks import analysis_path_run

        pending = set(
            AnalysisPathRun.objects.filter(analysis=self.analysis, path_index__in=indices)
            .exclude(status=PathRunStatus.DONE)
            .values_list("path_index", flat=True)
        )
        if pending:
            group(analysis_path_run.s(self.analysis.pk, i) for i in sorted(pending)).apply_async()

    def _collect(self, total: int) -> Iterator[PathOutcome]:
        seen: set[int] = set()
        me = runner_name("coordinator")
        rows = AnalysisPathRun.objects.filter(analysis=self.analysis)
        while len(seen) < total:
            fresh = list(
                rows.filter(status=PathRunStatus.DONE)
                .exclude(path_index__in=seen)
                .values_list("path_index", "outcome")
            )
            for index, outcome in fresh:
                seen.add(index)
                yield outcome_from_json(outcome)
            if fresh or len(seen) >= total:
                continue
            candidate = (
                rows.filter(_claimable(timezone.now()))
                .order_by("-path_index")
                .values_list("path_index", flat=True)
                .first()
            )
            if candidate is not None:
                path_execute(analysis_pk=self.analysis.pk, path_index=candidate, runner=me)
            else:
                time.sleep(POLL_SECONDS)
