"""Tax on realized gains with a client's short/long rates, netting ST and LT as Schedule D does."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from pma_engine.tax.models import Disposition, TaxRates

_ZERO = Decimal(0)


@dataclass(frozen=True)
class TaxEstimate:
    """Gains left taxable after netting, losses left over, and the tax.

    tax is what this set of gains alone costs (never negative). tax_with_loss_value also
    credits leftover losses at the rate of their character, the value they have when they
    offset other gains of the year: an approximation an optimizer can use as a signed cost.
    """

    short_term_taxable: Decimal
    long_term_taxable: Decimal
    short_term_loss_left: Decimal
    long_term_loss_left: Decimal
    tax: Decimal
    tax_with_loss_value: Decimal


def tax_estimate(
    short_term_gain: Decimal, long_term_gain: Decimal, rates: TaxRates | None = None
) -> TaxEstimate:
    """Net ST and LT gains per IRS ordering and apply the client's rates.

    A net loss in one term offsets a net gain in the other; what remains keeps its term.
    """
    rates = rates or TaxRates()
    st, lt = Decimal(short_term_gain), Decimal(long_term_gain)
    st_taxable = lt_taxable = st_left = lt_left = _ZERO
    if st >= 0 and lt >= 0:
        st_taxable, lt_taxable = st, lt
    elif st < 0 and lt < 0:
        st_left, lt_left = -st, -lt
    elif st < 0:  # short-term loss offsets long-term gain
        net = lt + st
        lt_taxable, st_left = max(net, _ZERO), max(-net, _ZERO)
    else:  # long-term loss offsets short-term gain
        net = st + lt
        st_taxable, lt_left = max(net, _ZERO), max(-net, _ZERO)
    tax = st_taxable * rates.short_term + lt_taxable * rates.long_term
    credit = st_left * rates.short_term + lt_left * rates.long_term
    return TaxEstimate(st_taxable, lt_taxable, st_left, lt_left, tax, tax - credit)


def realized_gains_by_term(
    dispositions: Iterable[Disposition], *, year: int | None = None
) -> tuple[Decimal, Decimal]:
    """(short-term, long-term) recognized gains of the taxable dispositions, wash sales applied."""
    short_term = long_term = _ZERO
    for d in dispositions:
        if not d.is_reportable or (year is not None and d.date_sold.year != year):
            continue
        if d.is_long_term:
            long_term += d.gain_loss
        else:
            short_term += d.gain_loss
    return short_term, long_term
