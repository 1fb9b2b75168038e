"""Celery tasks of proposals (the render runs as a job: transitions/proposals/jobs.py)."""

from __future__ import annotations

from celery import shared_task

from accounts.tasks import EMAIL_TASK_OPTIONS


@shared_task(name="transitions.proposal_share_email_send", **EMAIL_TASK_OPTIONS)
def proposal_share_email_send(self, proposal_id: int) -> str:
    """E-mail the client that a proposal was shared; a second delivery sends nothing."""
    from accounts.emails import email_task_run
    from transitions.proposals.emails import (
        proposal_share_email_deliver,
        proposal_share_email_gave_up,
    )

    return email_task_run(
        self,
        lambda: proposal_share_email_deliver(proposal_id=proposal_id),
        lambda reason: proposal_share_email_gave_up(proposal_id=proposal_id, reason=reason),
    )
