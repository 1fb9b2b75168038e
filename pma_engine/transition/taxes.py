"""A planned year's tax through the tax engine: Decimal at the boundary, cents out.

The year's realized ST and LT nets go through `capital_loss_carryover` with the losses carried
in (Schedule D lines 7 and 15, the 3,000 USD deduction, the carryover worksheet), and the
netted lines through `tax_estimate` at the client's rates. So the tax shown for a year is the
tax engine's figure for that year's trades, by construction.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from pma_engine.tax.estimate import tax_estimate
from pma_engine.tax.form8949 import capital_loss_carryover
from pma_engine.tax.models import FilingStatus, TaxRates
from pma_engine.tax.money import money_round


def to_money(amount: float) -> Decimal:
    """A float amount from the planner as cents (the boundary into the tax engine)."""
    return money_round(Decimal(repr(float(amount))))


@dataclass(frozen=True)
class YearTax:
    realized_st: Decimal  # this year's nets, in cents
    realized_lt: Decimal
    tax: Decimal
    deduction: Decimal  # net capital loss against ordinary income this year
    st_carryforward: Decimal
    lt_carryforward: Decimal


def year_tax(
    *,
    realized_st: float,
    realized_lt: float,
    st_carry_in: Decimal,
    lt_carry_in: Decimal,
    short_term_rate: float,
    long_term_rate: float,
    filing_status: str = "single",
) -> YearTax:
    """Tax and carryforward of one year's realized nets after the loss carried in."""
    st, lt = to_money(realized_st), to_money(realized_lt)
    carry = capital_loss_carryover(
        short_term_net=st,
        long_term_net=lt,
        short_term_carryover_in=st_carry_in,
        long_term_carryover_in=lt_carry_in,
        filing_status=FilingStatus(filing_status),
    )
    rates = TaxRates(
        short_term=Decimal(repr(float(short_term_rate))),
        long_term=Decimal(repr(float(long_term_rate))),
    )
    estimate = tax_estimate(carry.short_term_net, carry.long_term_net, rates)
    return YearTax(
        realized_st=st,
        realized_lt=lt,
        tax=money_round(estimate.tax),
        deduction=money_round(carry.deduction),
        st_carryforward=money_round(carry.short_term_carryover),
        lt_carryforward=money_round(carry.long_term_carryover),
    )
