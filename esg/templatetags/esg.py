"""Template tags for the ESG sections of other pages (the account page)."""

from __future__ import annotations

from django import template

from esg.selectors import customization_summary

register = template.Library()


@register.simple_tag
def esg_customization_summary(account):
    """The account's customization summary (the caller already has access to the account)."""
    return customization_summary(account=account)


@register.filter
def weight_change(value) -> str:
    """A change of weight (fraction) as a signed percentage: +1.55%, −0.74%, 0.00%."""
    if value is None or value == "":
        return ""
    percent = 100.0 * float(value)
    if abs(percent) < 0.005:
        return "0.00%"
    return f"{'+' if percent > 0 else '−'}{abs(percent):.2f}%"


@register.filter
def weight_change_class(value) -> str:
    """The colour class for `weight_change`: none when the change shows as 0.00%."""
    if value is None or value == "":
        return ""
    percent = 100.0 * float(value)
    if abs(percent) < 0.005:
        return ""
    return "gain" if percent > 0 else "loss"
