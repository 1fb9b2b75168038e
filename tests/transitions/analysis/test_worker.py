"""Real workers: the analysis job on one worker, its simulated paths fanned out as Celery tasks
that a second worker takes (over Redis when CELERY_BROKER_URL is set; eagerly otherwise)."""

from __future__ import annotations

import subprocess
import uuid

import pytest
from django.conf import settings

from pma_engine.transition import plan_json, scenario_parse, transition_plan
from tests.test_jobs import _wait_for
from tests.transitions.analysis.test_run import _diff, _without_seconds
from transitions.analysis.inputs import account_snapshot
from transitions.analysis.models import AnalysisPathRun, AnalysisStatus
from transitions.analysis.services import transition_analysis_start


@pytest.fixture
def two_workers(transactional_db, tmp_path):
    """Two worker processes (tests/job_worker.py) on a queue of their own, over the broker and
    the PostgreSQL test database; eager mode (False) without them."""
    from django.db import connection

    from pma_portal.celery import app

    if not settings.CELERY_BROKER_URL or connection.vendor != "postgresql":
        yield False
        return
    from tests.lots.test_import_job_recovery import _worker

    queue = f"test-analysis-{uuid.uuid4().hex[:8]}"
    previous = app.conf.task_default_queue
    app.conf.task_default_queue = queue
    workers = [_worker(queue, tmp_path / f"worker{n}.log") for n in (1, 2)]
    try:
        yield True
    finally:
        for process in workers:
            process.terminate()
        for process in workers:
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
        app.conf.task_default_queue = previous


@pytest.mark.celery_worker
def test_paths_fan_out_over_workers(two_workers, cast, reference_small):
    from tests.transitions.analysis.conftest import analysis_world_build

    world = analysis_world_build(cast=cast, reference=reference_small)
    analysis = transition_analysis_start(
        account=world.account,
        actor=cast.a.advisor,
        scenarios=["immediate", "timeline:2", "hold"],
        years=2,
        paths=8,
        seed=3,
    )
    job = _wait_for(analysis.job, seconds=300)
    assert job.status == "done", job.error
    analysis.refresh_from_db()
    assert analysis.status == AnalysisStatus.DONE and analysis.paths_done == 8
    runs = list(AnalysisPathRun.objects.filter(analysis=analysis).order_by("path_index"))
    assert [r.path_index for r in runs] == list(range(8))
    assert all(r.status == "done" for r in runs)
    if two_workers:
        assert any(r.ran_by.startswith("task@") for r in runs), [r.ran_by for r in runs]
    snapshot = account_snapshot(account=world.account, as_of=analysis.as_of)
    inp = snapshot.transition_input(
        scenarios=[scenario_parse(s) for s in analysis.scenario_names],
        years=2,
        te_goal=0.005,
        drift=0.06,
    )
    direct = plan_json(inp, transition_plan(inp, paths=8, seed=3))
    stored = {k: v for k, v in analysis.result.items() if k in direct}
    # The expected path ran in the coordinator: equal to solver tolerance.
    expected_only = [
        {k: v for k, v in item.items() if k != "paths"} for item in stored["scenarios"]
    ]
    direct_expected = [
        {k: v for k, v in item.items() if k != "paths"} for item in direct["scenarios"]
    ]
    assert list(_diff(expected_only, direct_expected)) == []
    # Paths ran in other processes whose solvers were built cold: a degenerate optimum (many
    # trades meet a 0.05 % ceiling equally well) can differ by a few dollars of a ~$120k account
    # (engine note in the report); within 1e-4 of the account's value, counts exact.
    scale = 1e-4 * float(analysis.result["initial_value"])
    diffs = [
        (path, a, b)
        for path, a, b in _diff(_without_seconds(stored), _without_seconds(direct))
        if not (
            isinstance(a, float)
            and isinstance(b, float)
            and abs(a - b) <= (scale if abs(b) > 10 else 1e-4)
        )
    ]
    assert diffs == [], diffs
