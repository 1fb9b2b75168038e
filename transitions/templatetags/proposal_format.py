"""Filters of the proposal PDF and pages: thin wrappers of transitions.proposals.formatting."""

from __future__ import annotations

from django import template

from transitions.proposals import formatting

register = template.Library()


@register.filter
def money(value) -> str:
    return formatting.money(value)


@register.filter
def money_cents(value) -> str:
    return formatting.money(value, cents=True)


@register.filter
def pct(value, digits: int = 2) -> str:
    return formatting.pct(value, digits=int(digits))


@register.filter
def shares(value) -> str:
    return formatting.shares(value)


@register.filter
def years(value) -> str:
    return formatting.years(value)


@register.filter
def money_band(value) -> str:
    return formatting.band(value, "money")


@register.filter
def pct_band(value) -> str:
    return formatting.band(value, "pct")


@register.filter
def years_band(value) -> str:
    return formatting.years_band(value)


@register.filter
def css_string(value) -> str:
    """Text for a CSS `content: "..."` string inside <style>: quotes, backslashes, line
    breaks and '<' as CSS escapes (HTML escaping does not apply inside <style>)."""
    from django.utils.safestring import mark_safe

    out = []
    for char in str(value):
        if char in '"\\<>&' or ord(char) < 32:
            out.append(f"\\{ord(char):x} ")
        else:
            out.append(char)
    return mark_safe("".join(out))  # noqa: S308  every special character is escaped above


@register.filter
def money_band_short(value) -> str:
    """A band in a narrow column: nothing when every simulated market gave the same figure."""
    text = formatting.band(value, "money")
    return "" if "every" in text else text


@register.filter
def pct_band_short(value) -> str:
    text = formatting.band(value, "pct")
    return "" if "every" in text else text
