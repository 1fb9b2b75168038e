"""Tax-lot engine: lot relief, holding periods, household wash sales, Form 8949, Schedule D.

Pure Python with `Decimal` money; no Django. Conventions and defaults: docs/tax-engine.md.
"""

from pma_engine.tax.estimate import TaxEstimate, realized_gains_by_term, tax_estimate
from pma_engine.tax.form8949 import (
    BasisReporting,
    CapitalLossCarryover,
    Form8949Row,
    PartTotals,
    ScheduleDTotals,
    capital_loss_carryover,
    capital_loss_limit,
    form8949_row,
    form8949_rows,
    schedule_d_totals,
)
from pma_engine.tax.holding import days_until_long_term, is_long_term, long_term_date
from pma_engine.tax.ledger import WASH_WINDOW, ledger_run
from pma_engine.tax.models import (
    AccountType,
    Action,
    Disposition,
    FilingStatus,
    LedgerError,
    LedgerResult,
    OpenLot,
    ReliefMethod,
    TaxRates,
    Transaction,
    WashMatch,
    WashSaleOptions,
)
from pma_engine.tax.money import money_round

__all__ = [
    "WASH_WINDOW",
    "AccountType",
    "Action",
    "BasisReporting",
    "CapitalLossCarryover",
    "Disposition",
    "FilingStatus",
    "Form8949Row",
    "LedgerError",
    "LedgerResult",
    "OpenLot",
    "PartTotals",
    "ReliefMethod",
    "ScheduleDTotals",
    "TaxEstimate",
    "TaxRates",
    "Transaction",
    "WashMatch",
    "WashSaleOptions",
    "capital_loss_carryover",
    "capital_loss_limit",
    "days_until_long_term",
    "form8949_row",
    "form8949_rows",
    "is_long_term",
    "ledger_run",
    "long_term_date",
    "money_round",
    "realized_gains_by_term",
    "schedule_d_totals",
    "tax_estimate",
]
