"""Template filters of the rebalance pages (they format; the views read)."""

from __future__ import annotations

from django import template

register = template.Library()


STATUS_BADGES = {
    "proposed": "",
    "approved": "good",
    "exported": "good",
    "executed": "good",
    "stale": "warn",
    "failed": "warn",
}


@register.filter
def status_badge(status: str) -> str:
    return STATUS_BADGES.get(str(status), "")
