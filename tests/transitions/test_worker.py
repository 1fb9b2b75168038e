"""A proposal and a batch through the Celery worker: over Redis when CELERY_BROKER_URL is set
(CI), eagerly otherwise."""

from __future__ import annotations

import time

import pytest
from django.conf import settings

from tests.test_jobs import _wait_for
from tests.transitions.conftest import world_build
from transitions.rebalance import batch as batch_services
from transitions.rebalance import services
from transitions.rebalance.models import RebalanceBatch, TradeList


@pytest.mark.celery_worker
def test_propose_and_batch_round_trip(celery_worker_or_eager, cast):
    world = world_build(cast)
    job = _wait_for(services.trade_list_propose(account=world.account, actor=cast.a.advisor), 120)
    assert job.status == "done", job.error
    trade_list = TradeList.objects.get(public_id=job.result["trade_list"])
    assert trade_list.status == "proposed" and trade_list.trade_count == job.result["trades"]

    batch = batch_services.rebalance_batch_create(
        user=cast.a.admin, scope="strategy", strategy=world.strategy
    )
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        batch = RebalanceBatch.objects.get(pk=batch.pk)
        if batch.status == "done":
            break
        time.sleep(0.3)
    # The taxable account and the IRA (no lots: fails with its reason).
    assert (batch.total, batch.done, batch.failed, batch.status) == (2, 1, 1, "done")
    failed = batch.items.get(status="failed")
    assert failed.account_id == world.ira.pk and "holds no tax lots" in failed.error
    if settings.CELERY_BROKER_URL:
        assert celery_worker_or_eager.real
