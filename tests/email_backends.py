"""E-mail backends for the failure paths: a mail server that is down, or refuses the address."""

from __future__ import annotations

import smtplib

from django.core.mail.backends import locmem
from django.core.mail.backends.base import BaseEmailBackend

ATTEMPTS: list[str] = []


class DownBackend(BaseEmailBackend):
    """Answers as a server that is not taking mail right now (a transient failure)."""

    def send_messages(self, email_messages):
        ATTEMPTS.extend(m.to[0] for m in email_messages)
        raise smtplib.SMTPResponseException(421, b"4.3.2 Service not available")


class RefusingBackend(BaseEmailBackend):
    """Refuses every recipient (a permanent failure)."""

    def send_messages(self, email_messages):
        ATTEMPTS.extend(m.to[0] for m in email_messages)
        raise smtplib.SMTPRecipientsRefused(
            {m.to[0]: (550, b"no such user") for m in email_messages}
        )


class FlakyBackend(locmem.EmailBackend):
    """Down for the first FLAKY["failures"] sends, then delivers to the locmem outbox."""

    def send_messages(self, email_messages):
        ATTEMPTS.extend(m.to[0] for m in email_messages)
        if FLAKY["failures"] > 0:
            FLAKY["failures"] -= 1
            raise smtplib.SMTPServerDisconnected("Connection unexpectedly closed")
        return super().send_messages(email_messages)


FLAKY = {"failures": 0}
