"""The one place where amounts are rounded to cents."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

CENT = Decimal("0.01")


def money_round(amount: Decimal) -> Decimal:
    """Round to cents, half up, as tax forms are filled in."""
    return amount.quantize(CENT, rounding=ROUND_HALF_UP)


def shares_format(shares: Decimal) -> str:
    """Share count without trailing zeros or exponent: 10, 2.5, 0.125."""
    text = format(shares.normalize(), "f")
    return text
