"""One sign-in throttle for every door (portal, admin, API token): django-axes, configured so
that an attacker cannot lock a user out of a correct sign-in from their usual device.

Failures are counted per (username, address): five wrong passwords for alice from one address
lock that pair for the cool-off, while alice still signs in from her own address. An address
failing on many usernames (password spraying) is limited too, with more room than a pair (an
office shares one address): AXES_ADDRESS_FAILURE_LIMIT failures across all usernames lock that
address alone, never the other addresses. Why and how: docs/security.md.
"""

from __future__ import annotations

import math

from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_failure_limit, get_lockout_parameters
from django.conf import settings
from django.db.models import Sum


class SignInThrottleHandler(AxesDatabaseHandler):
    """Axes' database handler with a separate, larger limit for the address-only count."""

    def get_failures(self, request, credentials: dict | None = None) -> int:
        limit = get_failure_limit(request, credentials)
        address_limit = settings.AXES_ADDRESS_FAILURE_LIMIT
        parameters = get_lockout_parameters(request, credentials)
        attempts_list = self.get_user_attempts(request, credentials)
        worst = 0
        for parameter, attempts in zip(parameters, attempts_list, strict=True):
            failures = attempts.aggregate(total=Sum("failures_since_start"))["total"] or 0
            if parameter == "ip_address":
                # Scaled so that `address_limit` failures reach the one limit axes compares to.
                failures = math.floor(failures * limit / address_limit)
            worst = max(worst, failures)
        return worst


def username_of(request, credentials: dict | None = None) -> str | None:
    """The username as counted: case and surrounding spaces do not make a new pair."""
    if credentials:
        raw = credentials.get("username")
    else:
        data = getattr(request, "data", None) or request.POST
        raw = data.get("username")
    return str(raw).strip().lower()[:150] if raw is not None else None
