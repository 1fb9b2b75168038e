"""Batch rebalance accounts survive a worker that dies: a running item holds a lease; a
redelivered message or the reaper takes an expired one up again (a trade list the dead attempt
committed is reused, counted once); after JOBS_MAX_ATTEMPTS the item fails with a reason in
plain words and the batch finishes. The eager suite runs the re-dispatched task at once."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from transitions.rebalance import batch as batch_services
from transitions.rebalance import compute, tasks
from transitions.rebalance.models import RebalanceBatch, RebalanceBatchItem, TradeList


def _running_batch(cast, accounts, *, status="running") -> RebalanceBatch:
    """A batch recorded as dispatched (its tasks not run: the test plays the workers)."""
    batch = batch_services.rebalance_batch_create(
        user=cast.a.admin,
        scope="selection",
        account_ids=[a.public_id for a in accounts],
        dispatch=False,
    )
    RebalanceBatch.objects.filter(pk=batch.pk).update(status=status)
    return RebalanceBatch.objects.get(pk=batch.pk)


def _died(item: RebalanceBatchItem, *, attempts: int = 1, lease_left: float = -1) -> None:
    """The item as a worker left it: running, `attempts` claims, the lease `lease_left` s away."""
    RebalanceBatchItem.objects.filter(pk=item.pk).update(
        status="running",
        attempts=attempts,
        started_at=timezone.now() - timedelta(minutes=1),
        lease_expires_at=timezone.now() + timedelta(seconds=lease_left),
    )


@pytest.fixture
def solves(monkeypatch):
    """Counts the engine's solves of trade lists (a reused list costs none)."""
    calls = []
    original = compute.rebalance_solve

    def counted(problem):
        calls.append(problem)
        return original(problem)

    monkeypatch.setattr(compute, "rebalance_solve", counted)
    return calls


@pytest.fixture
def dispatched(monkeypatch):
    """Records the items the reaper dispatches instead of running them."""
    sent = []
    monkeypatch.setattr(
        tasks.rebalance_batch_item, "apply_async", lambda args, **kw: sent.append(args[0])
    )
    return sent


def test_a_queued_item_gets_a_lease_and_gives_it_back_when_done(world, cast):
    batch = _running_batch(cast, [world.account])
    item = batch.items.get()
    before = timezone.now()
    assert batch_services._item_claim(item_id=item.pk) == "claimed"
    item.refresh_from_db()
    # JOBS_LEASE_SECONDS is 60 by default: the lease runs about a minute from the claim.
    assert item.status == "running" and item.attempts == 1
    assert before + timedelta(seconds=59) < item.lease_expires_at
    assert item.lease_expires_at < timezone.now() + timedelta(seconds=61)
    RebalanceBatchItem.objects.filter(pk=item.pk).update(status="queued", attempts=0)
    assert batch_services.rebalance_batch_item_run(item_id=item.pk) == "done"
    item.refresh_from_db()
    assert (item.status, item.lease_expires_at, item.attempts) == ("done", None, 1)


def test_an_expired_running_item_is_claimed_again(world, cast, solves):
    batch = _running_batch(cast, [world.account])
    item = batch.items.get()
    _died(item)  # a worker claimed it and died mid-solve: nothing was stored
    assert batch_services.rebalance_batch_item_run(item_id=item.pk) == "done"
    item.refresh_from_db()
    batch.refresh_from_db()
    assert (item.status, item.attempts, item.error) == ("done", 2, "")
    assert item.trade_list.account_id == world.account.pk
    assert TradeList.objects.filter(account=world.account).count() == 1
    assert len(solves) >= 1
    assert (batch.done, batch.failed, batch.status) == (1, 0, "done")


def test_a_running_item_with_a_live_lease_is_not_taken(world, cast, solves):
    batch = _running_batch(cast, [world.account])
    item = batch.items.get()
    _died(item, lease_left=30)  # its worker is alive and renewing
    assert batch_services.rebalance_batch_item_run(item_id=item.pk) == "skipped"
    item.refresh_from_db()
    batch.refresh_from_db()
    assert (item.status, item.attempts, item.trade_list_id) == ("running", 1, None)
    assert solves == [] and not TradeList.objects.exists()
    assert (batch.done, batch.failed, batch.status) == (0, 0, "running")


def test_a_trade_list_left_by_a_dead_attempt_is_reused_and_counted_once(world, cast, monkeypatch):
    batch = _running_batch(cast, [world.account])
    item = batch.items.get()
    # The first attempt stored its trade list (committed) and died before recording it.
    left = compute.trade_list_compute(
        account=world.account, actor=cast.a.admin, batch=batch, with_costs=False
    )
    _died(item)

    def no_second_solve(problem):
        raise AssertionError("the account was solved a second time")

    monkeypatch.setattr(compute, "rebalance_solve", no_second_solve)
    assert batch_services.rebalance_batch_items_reap() == [item.pk]  # eager: run at once
    item.refresh_from_db()
    batch.refresh_from_db()
    assert (item.status, item.attempts, item.trade_list_id) == ("done", 2, left.pk)
    assert list(TradeList.objects.filter(account=world.account)) == [left]
    assert (batch.done, batch.failed, batch.status) == (1, 0, "done")
    # A late redelivery of the dead attempt's message changes nothing.
    assert batch_services.rebalance_batch_item_run(item_id=item.pk) == "skipped"
    batch.refresh_from_db()
    assert (batch.done, batch.failed) == (1, 0)


def test_out_of_attempts_the_item_fails_with_the_reason_and_the_batch_finishes(
    world, cast, settings, solves
):
    settings.JOBS_MAX_ATTEMPTS = 2
    batch = _running_batch(cast, [world.account, cast.a.other_account])
    reaped, redelivered = batch.items.order_by("pk")
    _died(reaped, attempts=2)
    _died(redelivered, attempts=2, lease_left=30)
    assert batch_services.rebalance_batch_items_reap() == []
    # The other one's lease lapses, and a redelivered message meets it before any reap.
    _died(redelivered, attempts=2)
    assert batch_services.rebalance_batch_item_run(item_id=redelivered.pk) == "failed"
    reason = "The worker running this account stopped twice; retry it."
    for item in (reaped, redelivered):
        item.refresh_from_db()
        assert (item.status, item.error, item.lease_expires_at) == ("failed", reason, None)
    batch.refresh_from_db()
    assert (batch.done, batch.failed, batch.status) == (0, 2, "done")
    assert solves == []


def test_retrying_a_given_up_account_runs_it_afresh(
    world, cast, settings, django_capture_on_commit_callbacks
):
    settings.JOBS_MAX_ATTEMPTS = 2
    batch = _running_batch(cast, [world.account])
    item = batch.items.get()
    _died(item, attempts=2)
    batch_services.rebalance_batch_items_reap()
    with django_capture_on_commit_callbacks(execute=True):
        assert batch_services.rebalance_batch_retry(batch=batch, user=cast.a.admin) == 1
    item.refresh_from_db()
    batch.refresh_from_db()
    assert (item.status, item.attempts, item.error) == ("done", 1, "")
    assert (batch.done, batch.failed, batch.status) == (1, 0, "done")
    assert TradeList.objects.filter(account=world.account).count() == 1


def test_a_retry_does_not_reuse_the_failed_list_of_the_round_already_counted(
    world, cast, django_capture_on_commit_callbacks, solves
):
    batch = _running_batch(cast, [world.account])
    item = batch.items.get()
    # A first round: the optimizer's answer was a failed trade list, counted as failed.
    old = compute.trade_list_compute(
        account=world.account, actor=cast.a.admin, batch=batch, with_costs=False
    )
    TradeList.objects.filter(pk=old.pk).update(status="failed", error="No answer.")
    RebalanceBatchItem.objects.filter(pk=item.pk).update(
        status="failed", error="No answer.", attempts=1, finished_at=timezone.now()
    )
    RebalanceBatch.objects.filter(pk=batch.pk).update(failed=1, status="done")
    solved_before = len(solves)
    with django_capture_on_commit_callbacks(execute=True):
        assert batch_services.rebalance_batch_retry(batch=batch, user=cast.a.admin) == 1
    item.refresh_from_db()
    assert item.status == "done" and item.trade_list_id not in (None, old.pk)
    assert len(solves) > solved_before  # solved again, not the old answer replayed
    batch.refresh_from_db()
    assert (batch.done, batch.failed, batch.status) == (1, 0, "done")


def test_the_reaper_requeues_only_expired_items_of_running_batches(world, cast, dispatched):
    running = _running_batch(cast, [world.account, world.ira, cast.a.other_account])
    expired, live, queued = running.items.order_by("pk")
    _died(expired)
    _died(live, lease_left=30)
    # A batch not running (queued: a retry waiting for its dispatch) is left to its dispatch.
    waiting = _running_batch(cast, [world.account], status="queued")
    other_batch_item = waiting.items.get()
    _died(other_batch_item)

    assert batch_services.rebalance_batch_items_reap() == [expired.pk]
    assert dispatched == [expired.pk]
    states = {
        i.pk: (i.status, i.attempts, i.lease_expires_at is None)
        for i in RebalanceBatchItem.objects.all()
    }
    assert states[expired.pk] == ("queued", 1, True)
    assert states[live.pk] == ("running", 1, False)
    assert states[queued.pk] == ("queued", 0, True)
    assert states[other_batch_item.pk] == ("running", 1, False)
    # Run again at once: nothing more to do (the requeued item waits for its message).
    assert batch_services.rebalance_batch_items_reap() == []
    assert dispatched == [expired.pk]


def test_the_reaper_is_on_the_beat_schedule(settings):
    tasks_scheduled = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert {"jobs.tasks.jobs_reap_expired", "transitions.rebalance_batch_items_reap"} <= (
        tasks_scheduled
    )


def test_items_running_from_before_leases_are_reaped_once_stuck(world, cast, dispatched):
    """Rows claimed before the lease column existed have none: 30 minutes running is lost."""
    batch = _running_batch(cast, [world.account, world.ira])
    stuck, recent = batch.items.order_by("pk")
    for item, minutes in ((stuck, 31), (recent, 29)):
        RebalanceBatchItem.objects.filter(pk=item.pk).update(
            status="running",
            attempts=1,
            started_at=timezone.now() - timedelta(minutes=minutes),
            lease_expires_at=None,
        )
    assert batch_services.rebalance_batch_items_reap() == [stuck.pk]
    assert dispatched == [stuck.pk]
    assert batch_services.rebalance_batch_item_run(item_id=recent.pk) == "skipped"
