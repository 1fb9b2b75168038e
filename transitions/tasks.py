"""Celery tasks of this area (found by the app's autodiscovery)."""

from transitions.rebalance.tasks import rebalance_batch_item  # noqa: F401
