"""Celery tasks of the accounts area: thin, they take an id and call a service."""

from __future__ import annotations

from celery import shared_task

# An e-mail task is short: a slow server fails it (EMAIL_TIMEOUT) and the retry tries later.
EMAIL_TASK_OPTIONS = {
    "bind": True,
    "acks_late": True,
    "reject_on_worker_lost": True,
    "ignore_result": True,
    "soft_time_limit": 60,
    "time_limit": 90,
}


@shared_task(name="accounts.invitation_email_send", **EMAIL_TASK_OPTIONS)
def invitation_email_send(self, invitation_id: int) -> str:
    """E-mail one invitation; a second delivery sends nothing (accounts.emails)."""
    from accounts.emails import email_task_run, invitation_email_deliver, invitation_email_gave_up

    return email_task_run(
        self,
        lambda: invitation_email_deliver(invitation_id=invitation_id),
        lambda reason: invitation_email_gave_up(invitation_id=invitation_id, reason=reason),
    )
