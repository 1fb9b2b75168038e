"""The realized-gains report as files: CSV (the form8949 command's columns plus the account) and
PDF (WeasyPrint). Pure functions from the report to text or bytes; the views serve them."""

from __future__ import annotations

import io

from django.template.loader import render_to_string

from pma_engine.tax.cli import OUTPUT_COLUMNS
from pma_portal.csv_safe import csv_safe_writer

CSV_COLUMNS = (*OUTPUT_COLUMNS, "account")


def realized_gains_csv(report) -> str:
    """One line per Form 8949 row, Part I then Part II, in the form8949 command's layout."""
    out = io.StringIO()
    writer = csv_safe_writer(out)
    writer.writerow(CSV_COLUMNS)
    for item in report.rows:
        writer.writerow([*item.row.as_text(), item.account])
    return out.getvalue()


def report_parts(report) -> list[dict]:
    """Part I and Part II of Form 8949 with their totals (Schedule D lines 1b and 8b)."""
    return [
        {
            "number": "I",
            "title": "Short-term",
            "line": "1b",
            "rows": report.part_one,
            "totals": report.totals.short_term,
        },
        {
            "number": "II",
            "title": "Long-term",
            "line": "8b",
            "rows": report.part_two,
            "totals": report.totals.long_term,
        },
    ]


def realized_gains_pdf(report, *, generated_on) -> bytes:
    """The report laid out like Form 8949 and Schedule D, as PDF bytes."""
    from weasyprint import HTML

    html = render_to_string(
        "lots/realized_gains_pdf.html",
        {"report": report, "parts": report_parts(report), "generated_on": generated_on},
    )
    return HTML(string=html).write_pdf()


def report_filename(report, extension: str) -> str:
    """A download name that says what it is: no ids, nothing of anyone else."""
    from django.utils.text import slugify

    return f"realized-gains-{report.year}-{slugify(report.client.name)[:60]}.{extension}"
