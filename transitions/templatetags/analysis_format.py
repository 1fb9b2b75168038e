"""Formatting of stored analysis figures (money to whole dollars, fractions as percent)."""

from __future__ import annotations

from django import template

register = template.Library()


@register.filter
def figure(value, kind: str = "money") -> str:
    """A stored figure as a page shows it: money '$12,345', pct '1.23%', int '12'."""
    if value is None or value == "":
        return "—"
    number = float(value)
    if kind == "pct":
        return f"{100 * number:.2f}%"
    if kind == "int":
        return f"{number:,.0f}"
    sign = "−" if number < 0 else ""
    return f"{sign}${abs(number):,.0f}"


@register.filter
def band(value, kind: str = "money") -> str:
    """A {p10, p50, p90} band as 'p10 – p90'."""
    if not value:
        return ""
    return f"{figure(value.get('p10'), kind)} – {figure(value.get('p90'), kind)}"


@register.filter
def years_band(value) -> str:
    if not value:
        return ""
    parts = ["never" if value.get(p) is None else f"{value[p]:.0f}" for p in ("p10", "p50", "p90")]
    return f"{parts[0]} / {parts[1]} / {parts[2]}"
