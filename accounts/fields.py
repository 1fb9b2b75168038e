"""Form fields shared by the portal's forms.

Rates in forms: one convention everywhere. The advisor types a percent (40.8), a "%" is shown
next to the input, and the form's clean converts it to the unit it is stored in (a fraction of
1 unless the column says otherwise). A value out of bounds is refused with the field named.
"""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.utils.html import format_html

FRACTION = Decimal("0.01")  # stored units per percent: a fraction of 1
PERCENT = Decimal("1")  # a column kept in percent
BASIS_POINTS = Decimal("100")  # a column kept in basis points


class PercentInput(forms.NumberInput):
    """A number input followed by a "%" (portal.css `.input-suffix`)."""

    def render(self, name, value, attrs=None, renderer=None):
        html = super().render(name, value, attrs, renderer)
        return format_html(
            '<span class="input-with-suffix">{}<span class="input-suffix">%</span></span>', html
        )


def _plain(number: Decimal) -> str:
    return f"{number.normalize():f}"


class PercentField(forms.DecimalField):
    """A rate typed in percent, cleaned to its stored unit (`stored_per_percent`: FRACTION,
    PERCENT or BASIS_POINTS). Bounds are in percent, as the advisor types them."""

    def __init__(
        self,
        *,
        label: str,
        min_value: Decimal | int | str = 0,
        max_value: Decimal | int | str = 100,
        decimal_places: int = 2,
        stored_per_percent: Decimal = FRACTION,
        **kwargs,
    ):
        self.stored_per_percent = stored_per_percent
        low, high = Decimal(str(min_value)), Decimal(str(max_value))
        # Django %-formats the messages that have params (all but "invalid"): % is written %%.
        bounds = f"from {_plain(low)} %% to {_plain(high)} %%"
        messages = {
            "invalid": f"{label}: give a number in percent, {bounds.replace('%%', '%')}.",
            "min_value": f"{label}: give a percent {bounds}.",
            "max_value": f"{label}: give a percent {bounds}.",
            "max_decimal_places": f"{label}: at most {decimal_places} decimals.",
            "max_digits": f"{label}: give a percent {bounds}.",
            "max_whole_digits": f"{label}: give a percent {bounds}.",
            **kwargs.pop("error_messages", {}),
        }
        step = _plain(Decimal(1).scaleb(-decimal_places))
        kwargs.setdefault("widget", PercentInput(attrs={"step": step}))
        super().__init__(
            label=label,
            min_value=low,
            max_value=high,
            decimal_places=decimal_places,
            error_messages=messages,
            **kwargs,
        )

    def _stored_quantum(self) -> Decimal:
        return Decimal(1).scaleb(-self.decimal_places) * self.stored_per_percent

    def prepare_value(self, value):
        """A stored value (initial, or an instance's) shown in percent; typed text as typed."""
        if isinstance(value, (Decimal, float, int)) and not isinstance(value, bool):
            percent = Decimal(str(value)) / self.stored_per_percent
            return _plain(percent.quantize(Decimal(1).scaleb(-self.decimal_places)))
        return value

    def clean(self, value):
        percent = super().clean(value)
        if percent is None:
            return None
        return (percent * self.stored_per_percent).quantize(self._stored_quantum().normalize())
