"""The realized-gains report as a page, a CSV and a PDF: the same header facts (firm, advisor,
household, tax year), the same Form 8949 rows and the same totals in all three. Pure functions
from the report to context, text or bytes; the views serve them.

One sign convention everywhere: a loss is a negative amount, shown with a minus sign
(−$1,234.56 on the page and in the PDF, -1234.56 in the CSV, where amounts are plain numbers
with two decimals so that the columns still sum in a spreadsheet).
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from decimal import Decimal

from django.template.loader import render_to_string

from pma_engine.csv_safe import csv_safe_writer
from pma_engine.tax import PartTotals
from pma_engine.tax.cli import OUTPUT_COLUMNS
from pma_engine.tax.form8949 import amount_text

CURRENCY = "USD"
SIGN_CONVENTION = "Amounts in US dollars (USD); losses are shown with a minus sign."
# The row's field names (the form8949 command's columns plus the account), as the API keys them.
CSV_COLUMNS = (*OUTPUT_COLUMNS, "account")
# The CSV's header line: the form's column letters, and the currency on every amount.
CSV_HEADER = (
    "Part",
    "Box",
    "(a) Description",
    "(b) Date acquired",
    "(c) Date sold",
    f"(d) Proceeds ({CURRENCY})",
    f"(e) Cost basis ({CURRENCY})",
    "(f) Code",
    f"(g) Adjustment ({CURRENCY})",
    f"(h) Gain or loss ({CURRENCY})",
    "Account",
)


@dataclass(frozen=True)
class SummaryLine:
    """One line of the Schedule D summary: a signed amount (a loss or a carryover negative)."""

    label: str
    amount: Decimal
    key: str
    is_total: bool = False


def report_header(report) -> list[tuple[str, str]]:
    """Who and what the report is for, in the order the page, the PDF and the CSV give it."""
    client = report.client
    return [
        ("Firm", client.firm.name),
        ("Advisor", client.advisor.display_name),
        ("Household", client.name),
        ("Tax year", str(report.year)),
        ("Filing status", report.filing_status_label),
        ("Currency", CURRENCY),
    ]


def report_parts(report) -> list[dict]:
    """Part I and Part II of Form 8949 with their totals (Schedule D lines 1b and 8b)."""
    return [
        {
            "number": "I",
            "title": "Short-term",
            "box": "A",
            "line": "1b",
            "rows": report.part_one,
            "totals": report.totals.short_term,
        },
        {
            "number": "II",
            "title": "Long-term",
            "box": "D",
            "line": "8b",
            "rows": report.part_two,
            "totals": report.totals.long_term,
        },
    ]


def report_overall(report) -> PartTotals:
    """Both parts together: each column is the sum of the two part totals (so of every row)."""
    st, lt = report.totals.short_term, report.totals.long_term
    return PartTotals(
        proceeds=st.proceeds + lt.proceeds,
        cost_basis=st.cost_basis + lt.cost_basis,
        adjustment=st.adjustment + lt.adjustment,
        gain_loss=st.gain_loss + lt.gain_loss,
    )


def _negated(amount: Decimal) -> Decimal:
    """A loss carried in or deducted, as the negative amount it adds (never "-0")."""
    return -amount if amount else abs(amount)


def schedule_d_lines(report) -> list[SummaryLine]:
    """Schedule D's lines from the year's totals and the carryover in, each line the sum of
    the ones above it: line 7 = 1b + 6, line 15 = 8b + 14, line 16 = 7 + 15."""
    carry = report.carryover
    before, after = report.year - 1, report.year + 1
    short_term = report.totals.short_term.gain_loss
    long_term = report.totals.long_term.gain_loss
    line7 = short_term - carry.short_term_carryover_in
    line15 = long_term - carry.long_term_carryover_in
    lines = [
        SummaryLine("Short-term gain or (loss) of the year (line 1b)", short_term, "st"),
        SummaryLine(
            f"Short-term capital loss carryover from {before} (line 6)",
            _negated(carry.short_term_carryover_in),
            "carry-in-st",
        ),
        SummaryLine("Net short-term (line 7)", line7, "line7", is_total=True),
        SummaryLine("Long-term gain or (loss) of the year (line 8b)", long_term, "lt"),
        SummaryLine(
            f"Long-term capital loss carryover from {before} (line 14)",
            _negated(carry.long_term_carryover_in),
            "carry-in-lt",
        ),
        SummaryLine("Net long-term (line 15)", line15, "line15", is_total=True),
        SummaryLine("Net gain or (loss) (line 16)", line7 + line15, "net", is_total=True),
    ]
    if line7 + line15 < 0:
        lines += [
            SummaryLine(
                f"Loss deducted against ordinary income (line 21; limit ${report.loss_limit:,.0f})",
                _negated(carry.deduction),
                "deduction",
            ),
            SummaryLine(
                f"Carryforward to {after}: short-term", carry.short_term_carryover_out, "carry-st"
            ),
            SummaryLine(
                f"Carryforward to {after}: long-term", carry.long_term_carryover_out, "carry-lt"
            ),
        ]
    else:
        lines.append(
            SummaryLine(
                "Estimated tax on the net gain (client's rates, before other income)",
                report.estimated_tax,
                "tax",
            )
        )
    return lines


def report_context(report) -> dict:
    """What the page and the PDF both show."""
    return {
        "report": report,
        "client": report.client,
        "header": report_header(report),
        "parts": report_parts(report),
        "overall": report_overall(report),
        "summary": schedule_d_lines(report),
        "sign_convention": SIGN_CONVENTION,
    }


def _totals_cells(totals: PartTotals) -> list[str]:
    return [
        amount_text(totals.proceeds),
        amount_text(totals.cost_basis),
        "",
        amount_text(totals.adjustment),
        amount_text(totals.gain_loss),
    ]


def realized_gains_csv(report) -> str:
    """The header facts as leading rows, one line per Form 8949 row (Part I then Part II),
    then a totals line per part and one for both; amounts are plain numbers in USD."""
    out = io.StringIO()
    writer = csv_safe_writer(out)
    writer.writerow(["Realized gains and losses (Form 8949 layout)"])
    writer.writerows([label, value] for label, value in report_header(report))
    writer.writerow(["Sign convention", "losses are negative amounts"])
    writer.writerow([])
    writer.writerow(CSV_HEADER)
    for item in report.rows:
        writer.writerow([*item.row.as_text(), item.account])
    for part in report_parts(report):
        label = f"Total Part {part['number']} (Schedule D line {part['line']})"
        writer.writerow([label, "", "", "", "", *_totals_cells(part["totals"]), ""])
    writer.writerow(["Total", "", "", "", "", *_totals_cells(report_overall(report)), ""])
    return out.getvalue()


def realized_gains_pdf(report, *, generated_on) -> bytes:
    """The report laid out like Form 8949 and Schedule D, as PDF bytes."""
    from weasyprint import HTML

    html = render_to_string(
        "lots/realized_gains_pdf.html", {**report_context(report), "generated_on": generated_on}
    )
    return HTML(string=html).write_pdf()


def report_filename(report, extension: str) -> str:
    """A download name that says what it is: no ids, nothing of anyone else."""
    from django.utils.text import slugify

    return f"realized-gains-{report.year}-{slugify(report.client.name)[:60]}.{extension}"
