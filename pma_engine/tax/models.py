"""Value types of the tax-lot engine: what goes into a ledger run and what comes out.

Money and share counts are `Decimal` so that basis is conserved to the last digit; dates are
plain `datetime.date` (trade dates, no time of day).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from enum import StrEnum


class AccountType(StrEnum):
    """Tax treatment of an account; IRA and Roth lots never produce Form 8949 rows."""

    TAXABLE = "taxable"
    IRA = "ira"
    ROTH = "roth"

    @property
    def is_tax_deferred(self) -> bool:
        return self is not AccountType.TAXABLE


class Action(StrEnum):
    BUY = "BUY"
    SELL = "SELL"


class ReliefMethod(StrEnum):
    """Which lots a sale relieves when the sale does not name a lot."""

    FIFO = "fifo"
    LIFO = "lifo"
    HIFO = "hifo"
    MIN_TAX = "min_tax"
    SPECIFIC = "specific"


class FilingStatus(StrEnum):
    """Only married-filing-separately changes the capital loss limit (1,500 instead of 3,000)."""

    SINGLE = "single"
    MARRIED_JOINT = "married_joint"
    MARRIED_SEPARATE = "married_separate"
    HEAD_OF_HOUSEHOLD = "head_of_household"
    QUALIFYING_SURVIVING_SPOUSE = "qualifying_surviving_spouse"


@dataclass(frozen=True)
class TaxRates:
    """A client's marginal rates on short- and long-term gains (federal + state + NIIT)."""

    short_term: Decimal = Decimal("0.408")
    long_term: Decimal = Decimal("0.238")


@dataclass(frozen=True)
class WashSaleOptions:
    """Wash-sale conventions that the Code and regulations leave open (see docs/tax-engine.md).

    same_purchase_is_replacement: are the kept shares of the very purchase a loss sale draws
        from replacement shares when that purchase is within 30 days before the sale? Default
        no: shares bought in one purchase are one acquisition, and a lot cannot replace itself.
    count_replacements_sold_before_loss: do shares bought in the 30 days before a loss sale
        but already sold before it count as replacements? Default no: only shares still held
        at the moment of the loss sale (or bought after it) count; see the doc for why.
    holding_period_overlap_counts_once: when a replacement bought before the loss sale takes
        on the sold shares' holding period, do the days both were held count once (the adjusted
        date is the earlier of the two acquisition dates) or, by default, is the replacement's
        date moved back by the sold shares' whole holding period (the product's stated rule and
        common broker practice; it can count the overlapping days twice)?
    """

    same_purchase_is_replacement: bool = False
    count_replacements_sold_before_loss: bool = False
    holding_period_overlap_counts_once: bool = False


@dataclass(frozen=True)
class Transaction:
    """One BUY or SELL in one account of a household.

    amount is the total cost of a buy or the total proceeds of a sale (commissions included
    the way the custodian reports them). lot_id names the new lot on a BUY and the lot sold
    on a SELL (specific identification, which overrides any relief method). method overrides
    the ledger's default relief method for this sale only.
    """

    trade_date: date
    account: str
    account_type: AccountType
    action: Action
    ticker: str
    shares: Decimal
    amount: Decimal
    lot_id: str | None = None
    method: ReliefMethod | None = None


@dataclass(frozen=True)
class WashMatch:
    """Replacement shares that disallowed (part of) a loss, for the audit trail."""

    replacement_buy_index: int
    replacement_account: str
    shares: Decimal
    disallowed_loss: Decimal
    is_permanent: bool


@dataclass(frozen=True)
class Disposition:
    """One sold part of one lot: one Form 8949 row when the account is taxable.

    sale_index and buy_index are positions in the transaction list given to the ledger.
    cost_unadjusted is the share of the purchase price; wash_adjustment is the disallowed
    loss carried into these shares from earlier wash sales; disallowed_loss is the part of
    this sale's own loss that a wash sale disallows (Form 8949 column (g), code W), of which
    disallowed_permanently went to IRA/Roth repurchases and is lost for good.
    """

    sale_index: int
    buy_index: int
    account: str
    account_type: AccountType
    ticker: str
    lot_id: str | None
    shares: Decimal
    date_acquired_original: date
    date_acquired: date
    date_sold: date
    proceeds: Decimal
    cost_unadjusted: Decimal
    wash_adjustment: Decimal
    disallowed_loss: Decimal
    disallowed_permanently: Decimal
    is_long_term: bool
    wash_matches: tuple[WashMatch, ...] = ()

    @property
    def cost_basis(self) -> Decimal:
        return self.cost_unadjusted + self.wash_adjustment

    @property
    def gain_loss(self) -> Decimal:
        """Recognized gain (negative: allowed loss), before rounding to cents."""
        return self.proceeds - self.cost_basis + self.disallowed_loss

    @property
    def is_reportable(self) -> bool:
        return not self.account_type.is_tax_deferred


@dataclass(frozen=True)
class OpenLot:
    """Shares of one purchase still held after the ledger, with wash-sale adjustments.

    date_acquired is the holding-period start after wash-sale tacking; replacement_shares is
    how many of these shares already served as wash-sale replacements (each share serves once).
    """

    buy_index: int
    account: str
    account_type: AccountType
    ticker: str
    lot_id: str | None
    shares: Decimal
    date_acquired_original: date
    date_acquired: date
    cost_unadjusted: Decimal
    wash_adjustment: Decimal
    replacement_shares: Decimal = Decimal(0)

    @property
    def basis(self) -> Decimal:
        return self.cost_unadjusted + self.wash_adjustment


@dataclass(frozen=True)
class LedgerResult:
    """Dispositions ordered by date sold then input order, and open lots in purchase order."""

    dispositions: tuple[Disposition, ...]
    open_lots: tuple[OpenLot, ...]


class LedgerError(ValueError):
    """A transaction the ledger cannot apply; index is its position in the input list."""

    def __init__(self, index: int, reason: str) -> None:
        super().__init__(f"transaction {index}: {reason}")
        self.index = index
        self.reason = reason
