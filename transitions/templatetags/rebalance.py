"""Template tags for the rebalance section of the account page."""

from __future__ import annotations

from django import template

from transitions.rebalance.selectors import account_trade_lists

register = template.Library()


@register.simple_tag
def rebalance_trade_lists(account):
    """The account's latest trade lists (the caller already has access to the account)."""
    return account_trade_lists(account=account)


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


@register.filter
def te_percent(value) -> str:
    """A tracking error (fraction a year) as '1.90 %'."""
    if value is None or value == "":
        return "—"
    return f"{100 * float(value):.2f} %"
