"""Form 8949 rows, Schedule D totals and the capital loss carryover worksheet."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from enum import StrEnum

from pma_engine.tax.models import Disposition, FilingStatus
from pma_engine.tax.money import money_round, shares_format

_ZERO = Decimal(0)
WASH_SALE_CODE = "W"


class BasisReporting(StrEnum):
    """Which Form 8949 check box applies: did a 1099-B report the sale and its basis?

    REPORTED (boxes A/D) is the default: covered lots whose basis the broker reports.
    """

    REPORTED = "reported"
    NOT_REPORTED = "not_reported"
    NO_1099B = "no_1099b"

    @property
    def boxes(self) -> tuple[str, str]:
        """(short-term box, long-term box)."""
        return {
            BasisReporting.REPORTED: ("A", "D"),
            BasisReporting.NOT_REPORTED: ("B", "E"),
            BasisReporting.NO_1099B: ("C", "F"),
        }[self]


@dataclass(frozen=True)
class Form8949Row:
    """Columns (a) to (h) of one row; amounts in cents; gain_loss = (d) - (e) + (g)."""

    part: str
    box: str
    description: str
    date_acquired: date
    date_sold: date
    proceeds: Decimal
    cost_basis: Decimal
    code: str
    adjustment: Decimal
    gain_loss: Decimal
    sale_index: int

    @property
    def is_long_term(self) -> bool:
        return self.part == "II"

    def as_text(self) -> tuple[str, ...]:
        """The row in `FORM8949_COLUMNS` order as text: ISO dates, amounts with two decimals.
        The one layout of the form8949 command, the report's CSV and the API."""
        return (
            self.part,
            self.box,
            self.description,
            self.date_acquired.isoformat(),
            self.date_sold.isoformat(),
            amount_text(self.proceeds),
            amount_text(self.cost_basis),
            self.code,
            amount_text(self.adjustment),
            amount_text(self.gain_loss),
        )


FORM8949_COLUMNS = (
    "part",
    "box",
    "description",
    "date_acquired",
    "date_sold",
    "proceeds",
    "cost_basis",
    "code",
    "adjustment",
    "gain_loss",
)


def amount_text(amount: Decimal) -> str:
    """Cents as text, never "-0.00"."""
    rounded = money_round(amount)
    return f"{abs(rounded) if rounded == 0 else rounded:.2f}"


def form8949_row(
    disposition: Disposition, *, reporting: BasisReporting = BasisReporting.REPORTED
) -> Form8949Row:
    """One row, rounded to cents once, so (h) adds up exactly from the printed columns."""
    proceeds = money_round(disposition.proceeds)
    cost_basis = money_round(disposition.cost_basis)
    adjustment = money_round(disposition.disallowed_loss)
    short_box, long_box = reporting.boxes
    return Form8949Row(
        part="II" if disposition.is_long_term else "I",
        box=long_box if disposition.is_long_term else short_box,
        description=f"{shares_format(disposition.shares)} sh {disposition.ticker}",
        date_acquired=disposition.date_acquired,
        date_sold=disposition.date_sold,
        proceeds=proceeds,
        cost_basis=cost_basis,
        code=WASH_SALE_CODE if disposition.disallowed_loss > 0 else "",
        adjustment=adjustment,
        gain_loss=proceeds - cost_basis + adjustment,
        sale_index=disposition.sale_index,
    )


def form8949_rows(
    dispositions: Iterable[Disposition],
    *,
    reporting: BasisReporting = BasisReporting.REPORTED,
    year: int | None = None,
) -> list[Form8949Row]:
    """Rows of the taxable dispositions (IRA/Roth sales are not reported), optionally one year.

    Order: date sold, then input order of the sale, then relief order.
    """
    selected = [
        d for d in dispositions if d.is_reportable and (year is None or d.date_sold.year == year)
    ]
    selected.sort(key=lambda d: (d.date_sold, d.sale_index))  # stable: keeps relief order
    return [form8949_row(d, reporting=reporting) for d in selected]


@dataclass(frozen=True)
class PartTotals:
    proceeds: Decimal
    cost_basis: Decimal
    adjustment: Decimal
    gain_loss: Decimal


@dataclass(frozen=True)
class ScheduleDTotals:
    short_term: PartTotals
    long_term: PartTotals

    @property
    def net_gain_loss(self) -> Decimal:
        return self.short_term.gain_loss + self.long_term.gain_loss


def _part_totals(rows: list[Form8949Row]) -> PartTotals:
    return PartTotals(
        proceeds=sum((r.proceeds for r in rows), _ZERO),
        cost_basis=sum((r.cost_basis for r in rows), _ZERO),
        adjustment=sum((r.adjustment for r in rows), _ZERO),
        gain_loss=sum((r.gain_loss for r in rows), _ZERO),
    )


def schedule_d_totals(rows: Iterable[Form8949Row]) -> ScheduleDTotals:
    """Totals of Part I (short-term) and Part II (long-term), before any carryover."""
    all_rows = list(rows)
    return ScheduleDTotals(
        short_term=_part_totals([r for r in all_rows if not r.is_long_term]),
        long_term=_part_totals([r for r in all_rows if r.is_long_term]),
    )


def capital_loss_limit(filing_status: FilingStatus) -> Decimal:
    """Net capital loss deductible against ordinary income per year (IRC 1211(b))."""
    return Decimal(1500) if filing_status is FilingStatus.MARRIED_SEPARATE else Decimal(3000)


@dataclass(frozen=True)
class CapitalLossCarryover:
    """Schedule D lines 7, 15, 16 and 21, and the worksheet's carryovers to next year.

    deduction is the positive amount on line 21 (the loss taken against ordinary income).
    """

    short_term_net: Decimal
    long_term_net: Decimal
    net: Decimal
    deduction: Decimal
    short_term_carryover: Decimal
    long_term_carryover: Decimal


def capital_loss_carryover(
    *,
    short_term_net: Decimal,
    long_term_net: Decimal,
    short_term_carryover_in: Decimal = _ZERO,
    long_term_carryover_in: Decimal = _ZERO,
    filing_status: FilingStatus = FilingStatus.SINGLE,
    taxable_income: Decimal | None = None,
) -> CapitalLossCarryover:
    """This year's deduction and next year's ST/LT carryover (Capital Loss Carryover Worksheet).

    short_term_net / long_term_net are this year's netted gains (losses negative) before
    carryovers; the carryovers in are positive amounts from last year's worksheet. taxable_income
    is this year's Form 1040 taxable income (worksheet line 1; may be negative); None assumes it
    is large enough that the whole deduction is used. The deduction is taken from short-term
    losses first, so losses keep their character in the carryover.
    """
    line7 = short_term_net - short_term_carryover_in
    line15 = long_term_net - long_term_carryover_in
    line16 = line7 + line15
    if line16 >= 0:
        return CapitalLossCarryover(line7, line15, line16, _ZERO, _ZERO, _ZERO)
    deduction = min(capital_loss_limit(filing_status), -line16)  # line 21, positive
    # Worksheet lines 1-4: only the part of the deduction that reduced taxable income is used.
    used = deduction
    if taxable_income is not None:
        used = min(deduction, max(_ZERO, taxable_income + deduction))
    short_term_loss = -line7 if line7 < 0 else _ZERO  # line 5
    short_term_carryover = _ZERO
    if line7 < 0:
        short_term_carryover = max(_ZERO, short_term_loss - (used + max(line15, _ZERO)))  # 6-8
    long_term_carryover = _ZERO
    if line15 < 0:
        line12 = max(line7, _ZERO) + max(_ZERO, used - short_term_loss)  # lines 10-12
        long_term_carryover = max(_ZERO, -line15 - line12)  # line 13
    return CapitalLossCarryover(
        short_term_net=line7,
        long_term_net=line15,
        net=line16,
        deduction=deduction,
        short_term_carryover=short_term_carryover,
        long_term_carryover=long_term_carryover,
    )
