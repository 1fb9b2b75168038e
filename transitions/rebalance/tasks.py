"""Celery tasks of rebalancing: thin, they take an id and call a service."""

from __future__ import annotations

from celery import shared_task
from django.conf import settings


@shared_task(
    name="transitions.rebalance_batch_item",
    acks_late=True,
    reject_on_worker_lost=True,
    soft_time_limit=settings.CELERY_TASK_SOFT_TIME_LIMIT,
    time_limit=settings.CELERY_TASK_TIME_LIMIT,
    ignore_result=True,
)
def rebalance_batch_item(item_id: int) -> str:
    from transitions.rebalance.batch import rebalance_batch_item_run

    return rebalance_batch_item_run(item_id=item_id)


@shared_task(
    name="transitions.rebalance_batch_items_reap",
    soft_time_limit=60,
    time_limit=90,
    acks_late=True,
    ignore_result=True,
)
def rebalance_batch_items_reap() -> int:
    """Celery beat (next to `jobs_reap_expired`): take up again the batch accounts whose worker
    died (lease expired)."""
    from transitions.rebalance.batch import rebalance_batch_items_reap as reap

    return len(reap())
