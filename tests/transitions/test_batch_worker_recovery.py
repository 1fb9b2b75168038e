"""A batch rebalance whose worker is SIGKILLed mid-solve still finishes, one trade list per
account: the dead worker's item keeps no lease, the reaper (Celery beat in a second worker)
requeues it, and the second worker solves it. Real `celery worker` processes
(tests/job_worker.py) over the configured broker against this test's PostgreSQL database; the
helpers are the holdings-import recovery test's (short leases: 3 s, a reap every second)."""

from __future__ import annotations

import signal
import subprocess
import time
from datetime import timedelta

import pytest
from django.utils import timezone

from tests.lots import test_import_job_recovery as recovery
from tests.transitions.conftest import trade_input, trades_add, world_build
from transitions.rebalance import batch as batch_services
from transitions.rebalance.models import RebalanceBatch, RebalanceBatchItem, TradeList

real_broker = recovery.real_broker  # skips without a broker or without PostgreSQL


@pytest.mark.celery_worker
def test_a_worker_killed_with_sigkill_mid_solve_leaves_a_batch_that_finishes(
    transactional_db, cast, tmp_path, settings, real_broker
):
    settings.MEDIA_ROOT = tmp_path / "media"
    world = world_build(cast)
    trades_add(  # the IRA holds lots too: both accounts have something to rebalance
        world.ira,
        [
            trade_input(
                world.ira,
                world.securities[ticker],
                shares=shares,
                price=world.prices[ticker],
                on=world.today - timedelta(days=700),
            )
            for ticker, shares in (("XOM", 50), ("KO", 80))
        ],
    )
    accounts = [world.account, world.ira]
    marker = tmp_path / "paused"
    logs = [tmp_path / "worker-1.log", tmp_path / "worker-2.log"]
    first = recovery._worker(
        real_broker,
        logs[0],
        TEST_PAUSE_IN_SOLVE_SECONDS="120",
        TEST_PAUSE_MARKER=str(marker),
    )
    second = None
    try:
        batch = batch_services.rebalance_batch_create(  # dispatched on commit (autocommit)
            user=cast.a.admin, scope="selection", account_ids=[a.public_id for a in accounts]
        )
        recovery._wait(
            marker.exists, seconds=120, what="the first worker to start a solve", logs=logs
        )
        killed = RebalanceBatchItem.objects.get(batch=batch, status="running")
        assert killed.attempts == 1 and not TradeList.objects.exists()
        time.sleep(4)  # longer than the 3 s lease: only the heartbeat keeps it
        killed.refresh_from_db()
        assert killed.lease_expires_at > timezone.now()
        assert batch_services.rebalance_batch_items_reap() == []  # a live worker keeps it
        first.send_signal(signal.SIGKILL)
        first.wait(timeout=10)
        second = recovery._worker(real_broker, logs[1], TEST_BEAT_SCHEDULE=str(tmp_path / "beat"))
        recovery._wait(
            lambda: RebalanceBatch.objects.filter(pk=batch.pk, status="done").exists(),
            seconds=180,
            what="the second worker (after the reaper) to finish the batch",
            logs=logs,
        )
        batch.refresh_from_db()
        items = {item.pk: item for item in batch.items.all()}
        assert (batch.total, batch.done, batch.failed) == (2, 2, 0), [
            item.error for item in items.values()
        ]
        assert items[killed.pk].attempts == 2  # the dead attempt, then the reaped one
        for account in accounts:
            lists = list(TradeList.objects.filter(account=account))
            assert len(lists) == 1 and lists[0].batch_id == batch.pk
            assert batch.items.get(account=account).trade_list_id == lists[0].pk
    finally:
        for worker in (first, second):
            if worker is not None and worker.poll() is None:
                worker.terminate()
                try:
                    worker.wait(timeout=20)
                except subprocess.TimeoutExpired:
                    worker.kill()
