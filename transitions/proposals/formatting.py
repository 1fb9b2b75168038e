"""The one formatter of a proposal's figures: every number printed goes through here, so the
PDF shows the stored figures rounded one way (money by `pma_engine.tax.money_round`)."""

from __future__ import annotations

from decimal import Decimal

from pma_engine.tax import money_round

MINUS = "−"


def _decimal(value) -> Decimal:
    return value if isinstance(value, Decimal) else Decimal(str(value))


def money(value, *, cents: bool = False) -> str:
    """'$12,346' (or '$12,345.68' with cents); negatives with a true minus sign."""
    if value is None or value == "":
        return "—"
    amount = money_round(_decimal(value))
    if not cents:
        amount = amount.quantize(Decimal("1"), rounding="ROUND_HALF_UP")
    sign = MINUS if amount < 0 else ""
    text = f"{abs(amount):,.2f}" if cents else f"{abs(amount):,.0f}"
    return f"{sign}${text}"


def money_short(value: float) -> str:
    """Axis labels: $12k, $1.2M."""
    sign = MINUS if value < 0 else ""
    value = abs(float(value))
    if value >= 1_000_000:
        return f"{sign}${value / 1_000_000:.1f}M"
    if value >= 1_000:
        return f"{sign}${value / 1_000:.0f}k"
    return f"{sign}${value:.0f}"


def pct(value, *, digits: int = 2) -> str:
    """A fraction as a percentage: 0.01234 -> '1.23%'."""
    if value is None or value == "":
        return "—"
    return f"{100 * float(value):.{digits}f}%"


def shares(value) -> str:
    """Share counts: whole shares without decimals, fractions to 4 places."""
    number = float(value)
    if abs(number - round(number)) < 5e-7:
        return f"{round(number):,}"
    return f"{number:,.4f}"


def years(value) -> str:
    if value is None or value == "":
        return "not within the horizon"
    value = int(value)
    return f"{value} year{'s' if value != 1 else ''}"


def band(value, kind: str = "money") -> str:
    """A p10-p90 band: '$1,200 – $3,400'."""
    if value is None:
        return ""
    fmt = {"money": money, "pct": pct}[kind]
    low, high = fmt(value.p10), fmt(value.p90)
    return f"{low} on every simulated market" if low == high else f"{low} – {high}"


def years_band(value) -> str:
    if value is None:
        return ""

    low, high = value.p10, value.p90
    if low is None and high is None:
        return "not reached on the simulated markets"
    if low is not None and high is not None and round(float(low)) == round(float(high)):
        return f"{years(low)} on every simulated market"
    high_text = "never" if high is None else f"{float(high):.0f} years"
    return f"{float(low):.0f} to {high_text}" if low is not None else f"up to {high_text}"
