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
