"""Form fields shared by the portal's forms."""

from __future__ import annotations

from decimal import Decimal

from django import forms


class PercentField(forms.DecimalField):
    """Shows and accepts a rate in percent (40.8) while the model stores a fraction (0.4080)."""

    def __init__(self, **kwargs):
        kwargs.setdefault("min_value", Decimal("0"))
        kwargs.setdefault("max_value", Decimal("90"))
        kwargs.setdefault("decimal_places", 2)
        kwargs.setdefault("widget", forms.NumberInput(attrs={"step": "0.01"}))
        super().__init__(**kwargs)

    def prepare_value(self, value):
        if isinstance(value, Decimal):
            return (value * 100).quantize(Decimal("0.01")).normalize()
        return value

    def clean(self, value):
        percent = super().clean(value)
        return None if percent is None else (percent / 100).quantize(Decimal("0.0001"))
