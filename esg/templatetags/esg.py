"""Template filters of the ESG pages: they format values, they compute nothing."""

from __future__ import annotations

from django import template

register = template.Library()


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
