"""Rates in the API: always a fraction of 1 (0.05 = 5 %), with their bounds in the schema.

One place says the unit, so every rate field of every serializer reads the same way in the
OpenAPI schema (`minimum`, `maximum` and "fraction of 1" in the description). Rates are JSON
numbers (money stays a decimal string): a string schema cannot carry `minimum`/`maximum`.
"""

from __future__ import annotations

from decimal import Decimal

from rest_framework import serializers

RATE_UNIT = "A fraction of 1: 0.05 = 5 %."


def _describe(help_text: str, minimum, maximum) -> str:
    return f"{help_text} {RATE_UNIT} From {minimum} to {maximum}."


def rate_field(
    *, help_text: str, minimum: str, maximum: str, max_digits=8, decimal_places=6, **kwargs
) -> serializers.DecimalField:
    """A Decimal rate, stored as the fraction it is."""
    return serializers.DecimalField(
        max_digits=max_digits,
        decimal_places=decimal_places,
        min_value=Decimal(minimum),
        max_value=Decimal(maximum),
        help_text=_describe(help_text, minimum, maximum),
        coerce_to_string=False,
        **kwargs,
    )


def float_rate_field(*, help_text: str, minimum: float, maximum: float, **kwargs):
    """A float rate (risk numbers: tracking error, turnover), a fraction of 1."""
    return serializers.FloatField(
        min_value=minimum,
        max_value=maximum,
        help_text=_describe(help_text, minimum, maximum),
        **kwargs,
    )


class StoredPercentRateField(serializers.DecimalField):
    """A rate the database keeps in percent (or basis points) and the API gives as a fraction.

    `scale` is how many stored units make 1: 100 for percent, 10,000 for basis points. The
    bounds are checked on the fraction, so a 400 names the API field and its unit.
    """

    def __init__(self, *, scale: int, help_text: str, minimum: str, maximum: str, **kwargs):
        self.scale = Decimal(scale)
        kwargs.setdefault("max_digits", 10)
        kwargs.setdefault("decimal_places", 6)
        kwargs.setdefault("allow_null", True)
        kwargs.setdefault("coerce_to_string", False)
        super().__init__(
            min_value=Decimal(minimum),
            max_value=Decimal(maximum),
            help_text=_describe(help_text, minimum, maximum),
            **kwargs,
        )

    def run_validation(self, data=serializers.empty):
        fraction = super().run_validation(data)
        return None if fraction is None else fraction * self.scale

    def to_representation(self, value):
        if value is None:
            return None
        return super().to_representation(Decimal(value) / self.scale)


def fraction_of_stored(value, *, scale: int = 1) -> Decimal | None:
    """A stored percent (scale 100), bps (10,000) or fraction (1) as the API's fraction (a
    JSON number once rendered); None stays None."""
    if value is None or value == "":
        return None
    return Decimal(str(value)) / Decimal(scale)
