"""The one place where amounts are rounded to cents."""

from __future__ import annotations

from decimal import ROUND_HALF_EVEN, ROUND_HALF_UP, Decimal

CENT = Decimal("0.01")


def money_round(amount: Decimal) -> Decimal:
    """Round to cents, half up, as tax forms are filled in."""
    return amount.quantize(CENT, rounding=ROUND_HALF_UP)


def shares_format(shares: Decimal) -> str:
    """Share count without trailing zeros or exponent: 10, 2.5, 0.125."""
    text = format(shares.normalize(), "f")
    return text


SHARES_QUANTUM = Decimal("0.000001")
PRICE_QUANTUM = Decimal("0.000001")


def shares_round(shares: Decimal) -> Decimal:
    """Share counts as stored (6 decimal places, half even): the one share quantization."""
    return shares.quantize(SHARES_QUANTUM, rounding=ROUND_HALF_EVEN)


def price_round(price: Decimal) -> Decimal:
    """Prices per share as stored (6 decimal places, half even): the one price quantization."""
    return price.quantize(PRICE_QUANTUM, rounding=ROUND_HALF_EVEN)
