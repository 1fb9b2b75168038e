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


NAMES_SHOWN = 8


def names_brief(names, limit: int = NAMES_SHOWN) -> str:
    """Tickers as a short list: the first `limit`, then how many more ('A, B and 402 more'),
    so a first target of 400 names reads as a sentence, not a wall."""
    names = list(names or ())
    if len(names) <= limit:
        return ", ".join(names)
    return f"{', '.join(names[:limit])} and {len(names) - limit} more"


register.filter("names_brief", names_brief)
