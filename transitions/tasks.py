"""Celery tasks of this area (found by the app's autodiscovery)."""

from transitions.proposals.tasks import proposal_share_email_send  # noqa: F401
from transitions.rebalance.tasks import rebalance_batch_item  # noqa: F401
