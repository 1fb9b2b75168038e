"""An invitation e-mail through a real Celery worker (over the broker when CELERY_BROKER_URL is
set, eagerly otherwise): queued when the invitation commits; a server that is down once is
tried again through the broker and the e-mail goes out once. Without a broker the failure is
recorded at once, never retried inside the request."""

from __future__ import annotations

import time

import pytest

from accounts import services
from accounts.models import Invitation
from tests import email_backends


def _wait_until_sent(invitation: Invitation, *, seconds: float) -> Invitation:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        invitation.refresh_from_db()
        if invitation.email_sent_at is not None:
            break
        time.sleep(0.2)
    return invitation


@pytest.mark.celery_worker
def test_a_server_down_once_is_retried_through_the_broker(
    celery_worker_or_eager, cast, settings, mailoutbox
):
    settings.EMAIL_BACKEND = "tests.email_backends.FlakyBackend"
    settings.EMAIL_RETRY_BACKOFF_SECONDS = 0
    email_backends.ATTEMPTS.clear()
    email_backends.FLAKY["failures"] = 1
    invitation = services.invitation_create(  # commits (transactional test): queued now
        firm=cast.a.firm, invited_by=cast.a.admin, email="flaky@example.com"
    )
    if celery_worker_or_eager.real:
        invitation = _wait_until_sent(invitation, seconds=30)
        assert email_backends.ATTEMPTS == ["flaky@example.com", "flaky@example.com"]
        assert invitation.email_sent_at is not None and invitation.email_error == ""
        assert [m.to for m in mailoutbox] == [["flaky@example.com"]]
    else:  # in-process, after the commit: one attempt, the reason kept
        invitation.refresh_from_db()
        assert email_backends.ATTEMPTS == ["flaky@example.com"]
        assert invitation.email_sent_at is None
        assert invitation.email_error == ("SMTPServerDisconnected: Connection unexpectedly closed")
        assert mailoutbox == []
