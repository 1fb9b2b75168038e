"""Template filters for money, rates and shares."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django import template

from pma_engine.tax import money_round

register = template.Library()


@register.filter
def percent(value, places: int = 1) -> str:
    """0.408 → '40.8%'."""
    if value is None or value == "":
        return ""
    try:
        number = Decimal(str(value)) * 100
    except InvalidOperation:
        return ""
    return f"{number:.{int(places)}f}%"


@register.filter
def money(value) -> str:
    """1234.5 → '$1,234.50'; negatives as −$1,234.50."""
    if value is None or value == "":
        return ""
    number = money_round(Decimal(str(value)))  # the one rounding of money, then formatting
    sign = "−" if number < 0 else ""
    return f"{sign}${abs(number):,.2f}"


def _decimal_as_stored(value, *, min_places: int) -> str:
    """A stored decimal with every decimal it carries (at least `min_places`), grouped."""
    if value is None or value == "":
        return ""
    try:
        number = Decimal(str(value))
    except InvalidOperation:
        return ""
    places = max(min_places, -number.normalize().as_tuple().exponent)
    return f"{number:,.{places}f}"


@register.filter
def price(value) -> str:
    """A price per share as stored, at least two decimals and never fewer than it carries:
    187.5 → '187.50', 12.345678 → '12.345678', so shares × shown price is the shown value."""
    return _decimal_as_stored(value, min_places=2)


@register.filter
def shares(value) -> str:
    """A share count as stored, without trailing zeros: 15.500000 → '15.5', 1000 → '1,000'
    (every decimal kept, so shares × shown price is the shown value)."""
    return _decimal_as_stored(value, min_places=0)
