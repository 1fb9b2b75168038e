"""Logging: a refused request (4xx) is one line, not a traceback."""

from __future__ import annotations

import logging


class OneLineRefusals(logging.Filter):
    """Drop the traceback of django.request/django.security records below 500: a 403, 404 or
    400 is the portal working as meant ("Forbidden (Permission denied): /clients/…")."""

    def filter(self, record: logging.LogRecord) -> bool:
        status = getattr(record, "status_code", None)
        if record.levelno < logging.ERROR or (status is not None and status < 500):
            record.exc_info = None
            record.exc_text = None
            record.stack_info = None
        return True
