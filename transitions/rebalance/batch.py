"""Batch rebalances: many accounts at once, one Celery task per account.

A batch is a status row with one item per account. `rebalance_batch_dispatch` queues a task per
queued item (after commit); each task claims its item with a conditional update (queued, or
running with an expired lease -> running), computes the account's trade list through the same
service as a single proposal, and counts the outcome with F() on the batch, once. Retrying
re-queues the failed items only: accounts that succeeded are neither redone nor duplicated.

Dead workers: a running item holds a lease (`lease_expires_at`, JOBS_LEASE_SECONDS) renewed by
the jobs app's heartbeat while the account is solved. When the worker dies the lease runs out:
a redelivered message takes the item over, and `rebalance_batch_items_reap` (Celery beat, next
to `jobs_reap_expired`) requeues and re-dispatches it, at most JOBS_MAX_ATTEMPTS times in all;
then the item fails with a reason and the batch can finish. A trade list that a dead attempt
committed is reused, never computed twice.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from jobs.services import lease_seconds, max_attempts
from transitions.rebalance.models import (
    BatchItemStatus,
    BatchScope,
    BatchStatus,
    RebalanceBatch,
    RebalanceBatchItem,
    TradeList,
    TradeListStatus,
)

MAX_BATCH_ACCOUNTS = 5000
STUCK_AFTER = timedelta(minutes=30)  # a running item without a lease (before leases) this old
logger = logging.getLogger(__name__)


def batch_accounts(*, user, scope: str, strategy=None, advisor=None, account_ids=()):
    """The accounts a batch of `scope` covers, among those the user may see (active, with a
    strategy)."""
    from accounts.models import Account

    accounts = Account.objects.visible_to(user).filter(is_active=True)
    if scope == BatchScope.STRATEGY:
        if strategy is None:
            raise ValidationError({"strategy": "Choose a strategy."})
        return accounts.filter(strategy=strategy), f"Accounts of {strategy.name}"
    if scope == BatchScope.ADVISOR:
        if advisor is None or advisor.firm_id != user.firm_id:
            raise ValidationError({"advisor": "Choose an advisor of your firm."})
        if not user.is_firm_admin and advisor.pk != user.pk:
            raise ValidationError({"advisor": "Advisors rebalance their own accounts only."})
        name = advisor.get_full_name() or advisor.username
        return accounts.filter(client__advisor=advisor), f"Accounts of {name}"
    if scope == BatchScope.SELECTION:
        ids = [str(i) for i in account_ids]
        if not ids:
            raise ValidationError({"accounts": "Select at least one account."})
        chosen = accounts.filter(public_id__in=ids)
        if chosen.count() != len(set(ids)):
            raise ValidationError({"accounts": "Some selected accounts are not yours to see."})
        return chosen, f"{len(set(ids))} selected account{'s' if len(set(ids)) != 1 else ''}"
    raise ValidationError({"scope": "Choose strategy, advisor or selection."})


def rebalance_batch_create(
    *, user, scope: str, strategy=None, advisor=None, account_ids=(), dispatch: bool = True
) -> RebalanceBatch:
    """Record the batch and its items, and queue one task per account once committed."""
    if not getattr(user, "is_advisor", False):
        raise ValidationError("Only an advisor or a firm admin may rebalance accounts.")
    accounts, label = batch_accounts(
        user=user, scope=scope, strategy=strategy, advisor=advisor, account_ids=account_ids
    )
    account_pks = list(accounts.order_by("pk").values_list("pk", flat=True))
    if not account_pks:
        raise ValidationError({"scope": f"{label}: there are no accounts to rebalance."})
    if len(account_pks) > MAX_BATCH_ACCOUNTS:
        raise ValidationError({"scope": f"At most {MAX_BATCH_ACCOUNTS} accounts in one batch."})
    with transaction.atomic():
        batch = RebalanceBatch.objects.create(
            firm_id=user.firm_id,
            scope=scope,
            scope_label=label[:200],
            strategy=strategy if scope == BatchScope.STRATEGY else None,
            advisor=advisor if scope == BatchScope.ADVISOR else None,
            total=len(account_pks),
            created_by=user,
        )
        RebalanceBatchItem.objects.bulk_create(
            [
                RebalanceBatchItem(firm_id=user.firm_id, batch=batch, account_id=pk)
                for pk in account_pks
            ]
        )
        if dispatch:
            transaction.on_commit(lambda: rebalance_batch_dispatch(batch=batch))
    return batch


def rebalance_batch_dispatch(*, batch: RebalanceBatch) -> int:
    """Queue a task for every queued item (a Celery group); returns how many."""
    from celery import group

    from transitions.rebalance.tasks import rebalance_batch_item

    item_ids = list(batch.items.filter(status=BatchItemStatus.QUEUED).values_list("pk", flat=True))
    if item_ids:
        RebalanceBatch.objects.filter(pk=batch.pk, status=BatchStatus.QUEUED).update(
            status=BatchStatus.RUNNING
        )
        group(rebalance_batch_item.s(item_id) for item_id in item_ids).apply_async()
    return len(item_ids)


def rebalance_batch_retry(*, batch: RebalanceBatch, user) -> int:
    """Queue the failed accounts again; the ones that succeeded stay as they are."""
    if not getattr(user, "is_advisor", False):
        raise ValidationError("Only an advisor or a firm admin may retry a batch.")
    with transaction.atomic():
        locked = RebalanceBatch.objects.select_for_update().get(pk=batch.pk)
        # Retried accounts get their attempts afresh; `finished_at` stays (see _trade_list_left).
        failed = locked.items.filter(status=BatchItemStatus.FAILED).update(
            status=BatchItemStatus.QUEUED, error="", attempts=0
        )
        stuck = locked.items.filter(_lost()).update(
            status=BatchItemStatus.QUEUED, lease_expires_at=None
        )
        retried = failed + stuck
        if not retried:
            raise ValidationError("No failed accounts to retry.")
        RebalanceBatch.objects.filter(pk=locked.pk).update(
            failed=F("failed") - failed, status=BatchStatus.QUEUED, finished_at=None
        )
        transaction.on_commit(lambda: rebalance_batch_dispatch(batch=locked))
    return retried


def _lost(now=None) -> Q:
    """Running items whose worker is gone: the lease passed (or, from before leases, none and
    started long ago)."""
    now = now or timezone.now()
    return Q(status=BatchItemStatus.RUNNING) & (
        Q(lease_expires_at__lt=now)
        | Q(lease_expires_at__isnull=True, started_at__lt=now - STUCK_AFTER)
    )


def _gave_up_reason(attempts: int) -> str:
    times = {1: "once", 2: "twice", 3: "three times"}.get(attempts, f"{attempts} times")
    return f"The worker running this account stopped {times}; retry it."


def _trade_list_left(item: RebalanceBatchItem) -> TradeList | None:
    """The trade list an earlier attempt of this round committed and died before recording:
    the batch's, for the account, created since the item last finished (an older one belongs
    to a round already counted)."""
    lists = TradeList.objects.filter(batch_id=item.batch_id, account_id=item.account_id)
    if item.finished_at is not None:
        lists = lists.filter(created_at__gt=item.finished_at)
    return lists.order_by("-created_at", "-id").first()


def _item_finish_with(*, item: RebalanceBatchItem, trade_list: TradeList) -> str:
    if trade_list.status == TradeListStatus.FAILED:
        _item_finish(item=item, status=BatchItemStatus.FAILED, error=trade_list.error)
        return "failed"
    _item_finish(item=item, status=BatchItemStatus.DONE, trade_list=trade_list)
    return "done"


def _item_give_up(*, item: RebalanceBatchItem) -> str:
    """An item whose worker died too often: done with the trade list it left, if any, or failed
    with the reason in plain words."""
    left = _trade_list_left(item)
    if left is not None:
        return _item_finish_with(item=item, trade_list=left)
    _item_finish(item=item, status=BatchItemStatus.FAILED, error=_gave_up_reason(item.attempts))
    return "failed"


def _item_claim(*, item_id: int) -> str:
    """Take a queued item, or a running one whose lease passed (its worker died), with a fresh
    lease: "claimed"; "skipped" when a live worker holds it or it is finished; an item out of
    attempts is finished here instead ("done" or "failed")."""
    now = timezone.now()
    expired = _lost(now)
    out_of_attempts = RebalanceBatchItem.objects.filter(
        expired, pk=item_id, attempts__gte=max_attempts()
    ).first()
    if out_of_attempts is not None:
        return _item_give_up(item=out_of_attempts)
    claimed = RebalanceBatchItem.objects.filter(
        Q(status=BatchItemStatus.QUEUED) | expired, pk=item_id
    ).update(
        status=BatchItemStatus.RUNNING,
        started_at=now,
        lease_expires_at=now + timedelta(seconds=lease_seconds()),
        attempts=F("attempts") + 1,
    )
    return "claimed" if claimed else "skipped"


def rebalance_batch_item_run(*, item_id: int) -> str:
    """One account of a batch (the task's body). Claims the item; a done item is never redone,
    and a trade list left by a dead attempt is finished with, not computed again."""
    from jobs.progress import Heartbeat
    from jobs.registry import JobError
    from transitions.rebalance.compute import trade_list_compute

    claim = _item_claim(item_id=item_id)
    if claim != "claimed":
        return claim
    item = RebalanceBatchItem.objects.select_related(
        "batch__created_by", "account__client", "account__strategy"
    ).get(pk=item_id)
    batch = item.batch
    left = _trade_list_left(item)
    if left is not None:
        return _item_finish_with(item=item, trade_list=left)
    try:
        actor = batch.created_by
        from accounts.models import Account

        if (
            actor is None
            or not Account.objects.visible_to(actor).filter(pk=item.account_id).exists()
        ):
            raise JobError("The batch's owner may no longer see this account.")
        # Constraint costs re-solve once per binding constraint: single proposals show them;
        # a batch skips them to keep the fan-out at one solve per account.
        heartbeat = Heartbeat(
            model=RebalanceBatchItem,
            column="lease_expires_at",
            pk=item.pk,
            lease_seconds=lease_seconds(),
        )
        with heartbeat:
            trade_list = trade_list_compute(
                account=item.account, actor=actor, batch=batch, with_costs=False
            )
        if trade_list.status == "failed":
            raise JobError(trade_list.error)
    except (ValidationError, JobError) as error:
        message = " ".join(error.messages) if isinstance(error, ValidationError) else str(error)
        _item_finish(item=item, status=BatchItemStatus.FAILED, error=message)
        return "failed"
    except Exception as error:  # a bug in one account must not stop the batch
        logger.exception("batch item %s (account %s) failed", item.pk, item.account_id)
        _item_finish(
            item=item,
            status=BatchItemStatus.FAILED,
            error=f"Unexpected error: {error.__class__.__name__}: {error}",
        )
        return "failed"
    _item_finish(item=item, status=BatchItemStatus.DONE, trade_list=trade_list)
    return "done"


def rebalance_batch_items_reap(*, now=None) -> list[int]:
    """Requeue and re-dispatch the items of running batches whose lease passed (their worker
    died); finish those out of attempts. Returns the ids of the items dispatched again."""
    from transitions.rebalance.tasks import rebalance_batch_item

    now = now or timezone.now()
    expired = RebalanceBatchItem.objects.filter(_lost(now), batch__status=BatchStatus.RUNNING)
    for item in expired.filter(attempts__gte=max_attempts()):
        _item_give_up(item=item)
    requeued = []
    for item_id in expired.filter(attempts__lt=max_attempts()).values_list("pk", flat=True):
        updated = RebalanceBatchItem.objects.filter(_lost(now), pk=item_id).update(
            status=BatchItemStatus.QUEUED, lease_expires_at=None
        )
        if updated:
            rebalance_batch_item.apply_async(args=[item_id])
            requeued.append(item_id)
    return requeued


def _item_finish(*, item: RebalanceBatchItem, status: str, error: str = "", trade_list=None):
    with transaction.atomic():
        updated = RebalanceBatchItem.objects.filter(
            pk=item.pk, status=BatchItemStatus.RUNNING
        ).update(
            status=status,
            error=error[:2000],
            trade_list=trade_list,
            finished_at=timezone.now(),
            lease_expires_at=None,
        )
        if not updated:
            return
        counter = "done" if status == BatchItemStatus.DONE else "failed"
        RebalanceBatch.objects.filter(pk=item.batch_id).update(**{counter: F(counter) + 1})
        RebalanceBatch.objects.filter(
            Q(pk=item.batch_id) & Q(done__gte=F("total") - F("failed"))
        ).exclude(status=BatchStatus.DONE).update(
            status=BatchStatus.DONE, finished_at=timezone.now()
        )


def batch_results(*, batch: RebalanceBatch) -> dict:
    """Totals of a batch's finished accounts for its page and the API."""
    from decimal import Decimal

    lists = TradeList.objects.filter(batch_item__batch=batch)
    totals = {"trades": 0, "tax": Decimal("0"), "harvested": Decimal("0")}
    for trades, tax, harvested in lists.values_list(
        "trade_count", "estimated_tax", "harvested_losses"
    ):
        totals["trades"] += trades
        totals["tax"] += tax
        totals["harvested"] += harvested
    return totals
