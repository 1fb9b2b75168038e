"""A holdings import whose worker dies is taken up again and imports each row exactly once.

The real-worker tests start `celery worker` processes (tests/job_worker.py) over the configured
broker against this test's PostgreSQL database, SIGKILL the first one at a known point of the
import, and let a second worker (with Celery beat running the reaper) finish the job."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import uuid
from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection
from django.utils import timezone

from jobs.models import Job, JobStatus
from jobs.services import job_claim, jobs_reap_expired
from portfolios.lots import holdings_import as import_writes
from portfolios.lots import services
from portfolios.models import ImportStatus, TaxLot, Trade
from tests.lots.test_import import csv_bytes, upload

ROWS = 40
ROOT = Path(__file__).resolve().parents[2]


def _rows(cast) -> bytes:
    account = cast.a.account.account_number
    return csv_bytes(
        *(
            f"{account},{ticker},{n},2020-03-{1 + n % 28:02d},{100 + n}.25,K{n}"
            for n in range(1, ROWS + 1)
            for ticker in ["AAPL" if n % 2 else "MSFT"]
        )
    )


def _assert_imported_once(cast, job: Job) -> None:
    trades = Trade.objects.filter(account=cast.a.account)
    assert trades.count() == ROWS
    assert sorted(trades.values_list("lot_ref", flat=True)) == sorted(
        f"K{n}" for n in range(1, ROWS + 1)
    )
    lots = TaxLot.objects.filter(account=cast.a.account)
    # Each lot as written: n shares for (100 + n).25, once.
    assert sorted((lot.lot_ref, lot.shares, str(lot.cost_basis)) for lot in lots) == sorted(
        (f"K{n}", n, f"{100 + n}.25") for n in range(1, ROWS + 1)
    )
    assert job.result["lots"] == ROWS


def test_a_job_whose_worker_died_after_committing_is_done_without_a_second_import(
    cast, securities, monkeypatch
):
    monkeypatch.setattr(import_writes, "INLINE_IMPORT_MAX_ROWS", 2)
    batch = upload(cast, _rows(cast))
    job = services.holdings_confirm(batch=batch, actor=cast.a.advisor)  # queued, not yet run
    # The first worker claims it, imports (committed) and dies before recording "done".
    assert job_claim(job_id=str(job.public_id))
    services.holdings_import(batch=batch, actor=cast.a.advisor)
    Job.objects.filter(pk=job.pk).update(lease_until=timezone.now() - timedelta(seconds=1))
    assert jobs_reap_expired() == [str(job.public_id)]  # taken up again (eager: run now)
    job.refresh_from_db()
    assert (job.status, job.attempts, job.result["already_imported"]) == ("done", 2, True)
    batch.refresh_from_db()
    assert batch.status == ImportStatus.IMPORTED
    _assert_imported_once(cast, job)
    assert (job.target, job.target_label) == (batch, "the upload holdings.csv")


# ---------------------------------------------------------------------------- real workers


def _database_url() -> str:
    db = connection.settings_dict
    auth = db["USER"] + (f":{db['PASSWORD']}" if db.get("PASSWORD") else "")
    return f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


def _worker(queue: str, log: Path, **env: str) -> subprocess.Popen:
    environment = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "pma_portal.settings",
        "DATABASE_URL": _database_url(),
        "CELERY_BROKER_URL": settings.CELERY_BROKER_URL,
        "TEST_QUEUE": queue,
        "JOBS_LEASE_SECONDS": "3",
        "JOBS_REAP_EVERY_SECONDS": "1",
        "PYTHONPATH": str(ROOT),
        "MEDIA_ROOT": str(settings.MEDIA_ROOT),  # where the test stored the upload
        **env,
    }
    return subprocess.Popen(
        [sys.executable, "-m", "tests.job_worker"],
        cwd=ROOT,
        env=environment,
        stdout=log.open("w"),
        stderr=subprocess.STDOUT,
    )


def _wait(predicate, *, seconds: float, what: str, logs: list[Path]):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.2)
    tail = "\n".join(log.read_text()[-3000:] for log in logs if log.exists())
    raise AssertionError(f"timed out waiting for {what}\n{tail}")


@pytest.fixture
def real_broker():
    if not settings.CELERY_BROKER_URL:
        pytest.skip("needs a broker: set CELERY_BROKER_URL (CI does)")
    if connection.vendor != "postgresql":
        pytest.skip("worker processes share the test database only on PostgreSQL")
    from pma_portal.celery import app

    queue = f"test-kill-{uuid.uuid4().hex[:8]}"
    previous = app.conf.task_default_queue
    app.conf.task_default_queue = queue
    yield queue
    app.conf.task_default_queue = previous


@pytest.mark.celery_worker
@pytest.mark.parametrize(
    ("pause_at", "committed"),
    [(35, False), (100, True)],
    ids=["killed-inside-the-import-transaction", "killed-after-the-commit"],
)
def test_a_worker_killed_with_sigkill_mid_import(
    transactional_db, cast, securities, monkeypatch, tmp_path, real_broker, pause_at, committed
):
    monkeypatch.setattr(import_writes, "INLINE_IMPORT_MAX_ROWS", 2)
    batch = upload(cast, _rows(cast))
    logs = [tmp_path / "worker-1.log", tmp_path / "worker-2.log"]
    first = _worker(real_broker, logs[0], TEST_PAUSE_AT_PERCENT=str(pause_at))
    second = None
    try:
        job = services.holdings_confirm(batch=batch, actor=cast.a.advisor)  # queued on commit
        _wait(
            lambda: (
                Job.objects.filter(pk=job.pk, progress=pause_at).exists()
                or Job.objects.filter(pk=job.pk, status="failed").exists()
            ),
            seconds=90,
            what=f"the first worker to reach {pause_at} %",
            logs=logs,
        )
        job.refresh_from_db()
        assert job.status != JobStatus.FAILED, job.error
        # Progress is written on its own connection: visible inside the open import.
        assert job.status == JobStatus.RUNNING and job.attempts == 1
        assert Trade.objects.filter(account=cast.a.account).count() == (ROWS if committed else 0)
        time.sleep(1.5)  # longer than a heartbeat: a live (paused) worker keeps its lease
        assert jobs_reap_expired() == []
        first.send_signal(signal.SIGKILL)
        first.wait(timeout=10)
        if not committed:
            # The import's transaction died with the worker: nothing of it is in the database.
            assert Trade.objects.filter(account=cast.a.account).count() == 0
        second = _worker(real_broker, logs[1], TEST_BEAT_SCHEDULE=str(tmp_path / "beat"))
        _wait(
            lambda: Job.objects.filter(pk=job.pk, status__in=["done", "failed"]).exists(),
            seconds=120,
            what="the second worker (after the reaper) to finish the job",
            logs=logs,
        )
        job.refresh_from_db()
        assert job.status == JobStatus.DONE, job.error
        assert job.attempts == 2
        assert job.result.get("already_imported", False) is committed
        _assert_imported_once(cast, job)
    finally:
        for worker in (first, second):
            if worker is not None and worker.poll() is None:
                worker.terminate()
                try:
                    worker.wait(timeout=20)
                except subprocess.TimeoutExpired:
                    worker.kill()
